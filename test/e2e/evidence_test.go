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
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/nhi-steward/steward/test/utils"
)

var _ = Describe("Evidence through the ecosystem's interfaces", Ordered, func() {
	const namespace = "e2e-evidence"

	BeforeAll(func() {
		result := utils.KubectlWithInput(utils.GovernedNamespace(namespace, `  rules: [{finding: Unowned, action: Flag}]`)+`
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: forgotten, namespace: `+namespace+`}
---
apiVersion: v1
kind: Secret
metadata: {name: vendor-key, namespace: `+namespace+`}
type: Opaque
stringData: {key: not-a-real-key}
`, "apply", "-f", "-")
		Expect(result.Err).NotTo(HaveOccurred(), result.String())
		Eventually(func() string {
			return utils.Kubectl("get", "policyreport", "steward", "-n", namespace, "-o", "jsonpath={.summary.fail}").Stdout
		}).WithTimeout(30 * time.Second).Should(Equal("2"))
	})

	AfterAll(func() {
		utils.Kubectl("delete", "ownershippolicy", "e2e-evidence", "--ignore-not-found")
		utils.Kubectl("delete", "namespace", namespace, "--wait=false")
	})

	It("serves Prometheus metrics to an authorized scraper only", func() {
		for _, args := range [][]string{
			{"create", "serviceaccount", "prometheus", "-n", "steward-system"},
			{"create", "serviceaccount", "curious", "-n", "steward-system"},
			{"create", "clusterrolebinding", "e2e-prometheus", "--clusterrole=steward-metrics-reader",
				"--serviceaccount=steward-system:prometheus"},
		} {
			result := utils.Kubectl(args...)
			Expect(result.Err).NotTo(HaveOccurred(), result.String())
		}
		token := requestToken("steward-system", "prometheus")
		Eventually(func() int { code, _ := scrapeMetrics(""); return code }).WithTimeout(30 * time.Second).
			Should(Equal(http.StatusUnauthorized))
		code, _ := scrapeMetrics("not-a-token")
		Expect(code).To(Equal(http.StatusUnauthorized), "a token the API server does not know")
		code, _ = scrapeMetrics(requestToken("steward-system", "curious"))
		Expect(code).To(Equal(http.StatusForbidden), "a valid token without get on /metrics")
		var body string
		Eventually(func() int { code, b := scrapeMetrics(token); body = b; return code }).WithTimeout(30 * time.Second).
			Should(Equal(http.StatusOK))
		Expect(body).To(ContainSubstring(`steward_identities{kind="ServiceAccount",namespace="` + namespace + `",state="Unowned"} 1`))
		Expect(body).To(ContainSubstring(`steward_identities{kind="Secret",namespace="` + namespace + `",state="Unowned"} 1`))
		Expect(body).To(ContainSubstring(`steward_actions_total{action="Flag"`))
		Expect(body).To(ContainSubstring(`steward_deadline_action_latency_seconds_bucket`))
	})

	It("lets an auditor export the evidence with `kubectl steward`, but not read a Secret", func() {
		result := utils.Kubectl("create", "clusterrolebinding", "e2e-auditors", "--clusterrole=steward-auditor",
			"--user=auditor@example.com")
		Expect(result.Err).NotTo(HaveOccurred(), result.String())

		// kubectl finds the plugin on PATH, as it would on an auditor's laptop.
		path := filepath.Join(utils.ProjectDir(), "bin") + string(os.PathListSeparator) + os.Getenv("PATH")
		Expect(os.Setenv("PATH", path)).To(Succeed())

		result = utils.Kubectl("steward", "evidence", "-A", "-o", "csv", "--as", "auditor@example.com")
		Expect(result.Err).NotTo(HaveOccurred(), result.String())
		Expect(result.Stdout).To(ContainSubstring(namespace + ",Secret,vendor-key,Unowned,Unowned"))
		Expect(result.Stdout).To(ContainSubstring(namespace + ",ServiceAccount,forgotten,Unowned"))

		result = utils.Kubectl("steward", "explain", "secret/vendor-key", "-n", namespace, "--as", "auditor@example.com")
		Expect(result.Err).NotTo(HaveOccurred(), result.String())
		Expect(result.Stdout).To(ContainSubstring("no IdentityOwnership covers it"))

		result = utils.Kubectl("get", "secret", "vendor-key", "-n", namespace, "--as", "auditor@example.com")
		Expect(result.Err).To(HaveOccurred())
		Expect(result.Stderr).To(ContainSubstring("Forbidden"))
		Expect(strings.TrimSpace(utils.Kubectl("auth", "can-i", "list", "secrets", "-A", "--as", "auditor@example.com").Stdout)).
			To(Equal("no"))
	})
})
