//go:build e2e

/*
Copyright 2026 The Steward Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package e2e

import (
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/nhi-steward/steward/test/utils"
)

// asToken runs kubectl authenticated only by a bearer token, against the same
// API server as $KUBECONFIG.
func asToken(token string, args ...string) utils.Result {
	server := utils.Kubectl("config", "view", "--minify", "-o", "jsonpath={.clusters[0].cluster.server}")
	Expect(server.Err).NotTo(HaveOccurred(), server.String())
	ca := utils.Kubectl("config", "view", "--minify", "-o", "jsonpath={.clusters[0].cluster.certificate-authority}")
	Expect(ca.Err).NotTo(HaveOccurred(), ca.String())
	full := make([]string, 0, 4+len(args))
	full = append(full, "--kubeconfig=/dev/null", "--server="+server.Stdout,
		"--certificate-authority="+ca.Stdout, "--token="+token)
	return utils.Kubectl(append(full, args...)...)
}

// The revocation tests of later suites rely on these properties of the local
// control plane: real tokens, RBAC, and the controllers of
// kube-controller-manager.
var _ = Describe("The local control plane", Ordered, func() {
	const namespace = "e2e-control-plane"

	BeforeAll(func() {
		result := utils.Kubectl("create", "namespace", namespace)
		Expect(result.Err).NotTo(HaveOccurred(), result.String())
		result = utils.Kubectl("create", "serviceaccount", "reader", "-n", namespace)
		Expect(result.Err).NotTo(HaveOccurred(), result.String())
	})

	It("issues TokenRequest tokens that RBAC authorizes and refuses", func() {
		token := utils.Kubectl("create", "token", "reader", "-n", namespace)
		Expect(token.Err).NotTo(HaveOccurred(), token.String())
		bearer := strings.TrimSpace(token.Stdout)

		By("refusing the token before any binding")
		result := asToken(bearer, "get", "configmaps", "-n", namespace)
		Expect(result.Err).To(HaveOccurred())
		Expect(result.Stderr).To(ContainSubstring("Forbidden"))

		By("allowing it once a Role is bound")
		for _, args := range [][]string{
			{"create", "role", "read-configmaps", "--verb=list", "--resource=configmaps", "-n", namespace},
			{"create", "rolebinding", "reader", "--role=read-configmaps", "--serviceaccount=" + namespace + ":reader", "-n", namespace},
		} {
			result = utils.Kubectl(args...)
			Expect(result.Err).NotTo(HaveOccurred(), result.String())
		}
		Eventually(func() error { return asToken(bearer, "get", "configmaps", "-n", namespace).Err }).
			WithTimeout(10 * time.Second).WithPolling(200 * time.Millisecond).Should(Succeed())

		By("refusing it again once the binding is gone")
		result = utils.Kubectl("delete", "rolebinding", "reader", "-n", namespace)
		Expect(result.Err).NotTo(HaveOccurred(), result.String())
		Eventually(func() string { return asToken(bearer, "get", "configmaps", "-n", namespace).Stderr }).
			WithTimeout(10 * time.Second).WithPolling(200 * time.Millisecond).Should(ContainSubstring("Forbidden"))
	})

	It("runs the token controller, which fills legacy token Secrets", func() {
		result := utils.KubectlWithInput(`
apiVersion: v1
kind: Secret
metadata:
  name: reader-token
  namespace: `+namespace+`
  annotations: {kubernetes.io/service-account.name: reader}
type: kubernetes.io/service-account-token
`, "apply", "-f", "-")
		Expect(result.Err).NotTo(HaveOccurred(), result.String())
		Eventually(func() string {
			return utils.Kubectl("get", "secret", "reader-token", "-n", namespace, "-o", "jsonpath={.data.token}").Stdout
		}).WithTimeout(30 * time.Second).WithPolling(250 * time.Millisecond).ShouldNot(BeEmpty())
	})

	It("runs the namespace and garbage collection controllers", func() {
		result := utils.Kubectl("delete", "namespace", namespace, "--wait=true", "--timeout=90s")
		Expect(result.Err).NotTo(HaveOccurred(), result.String())
		result = utils.Kubectl("get", "namespace", namespace, "--ignore-not-found", "-o", "name")
		Expect(result.Err).NotTo(HaveOccurred(), result.String())
		Expect(result.Stdout).To(BeEmpty())
	})
})
