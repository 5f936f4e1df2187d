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
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/nhi-steward/steward/test/utils"
)

// The manager runs as a process authenticated as its own ServiceAccount,
// with the RBAC config/rbac grants it: a permission missing from config/rbac
// fails these tests.
var _ = Describe("The manager under its own RBAC", Ordered, func() {
	const namespace = "e2e-governed"

	BeforeAll(func() {
		for _, args := range [][]string{
			{"create", "namespace", namespace},
			{"label", "namespace", namespace, "steward.dev/e2e=governed"},
		} {
			result := utils.Kubectl(args...)
			Expect(result.Err).NotTo(HaveOccurred(), result.String())
		}
	})

	AfterAll(func() {
		utils.Kubectl("delete", "ownershippolicy", "e2e-governed", "--ignore-not-found")
		utils.Kubectl("delete", "namespace", namespace, "--wait=false")
	})

	It("governs a namespace: owned identities annotated, unowned ones flagged", func() {
		result := utils.KubectlWithInput(`
apiVersion: nhi.steward.dev/v1alpha1
kind: OwnershipPolicy
metadata: {name: e2e-governed}
spec:
  namespaceSelector: {matchLabels: {steward.dev/e2e: governed}}
  rules:
  - {finding: Unowned, action: Flag}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: checkout, namespace: `+namespace+`}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: forgotten, namespace: `+namespace+`}
---
apiVersion: v1
kind: Secret
metadata: {name: checkout-key, namespace: `+namespace+`, labels: {app: checkout}}
type: Opaque
stringData: {key: not-a-real-key}
`, "apply", "-f", "-")
		Expect(result.Err).NotTo(HaveOccurred(), result.String())

		By("the approver filing the ownership with her approval")
		result = utils.KubectlWithInputAs("carol@example.com", `
apiVersion: nhi.steward.dev/v1alpha1
kind: IdentityOwnership
metadata: {name: checkout, namespace: `+namespace+`}
spec:
  identities: [{kind: ServiceAccount, name: checkout}]
  selector: {kinds: [Secret], matchLabels: {app: checkout}}
  owner: {team: payments, contacts: [alice@example.com]}
  purpose: Checkout service
  approval: {approvedBy: carol@example.com, approvedAt: "2026-11-01T00:00:00Z", reference: SEC-9}
  expiresAt: "2030-01-01T00:00:00Z"
`, "apply", "-f", "-")
		Expect(result.Err).NotTo(HaveOccurred(), result.String())

		Eventually(func() string {
			return utils.Kubectl("get", "sa", "-A", "-l", "steward.dev/finding", "-o", "name").Stdout
		}).WithTimeout(30 * time.Second).Should(ContainSubstring("serviceaccount/forgotten"))
		Eventually(func() string {
			return utils.Kubectl("get", "secret", "checkout-key", "-n", namespace,
				"-o", `jsonpath={.metadata.annotations.steward\.dev/ownership}`).Stdout
		}).WithTimeout(30 * time.Second).Should(Equal("checkout"))
		Eventually(func() string {
			return utils.Kubectl("get", "iown", "checkout", "-n", namespace,
				"-o", `jsonpath={.status.conditions[?(@.type=="Ready")].status}`).Stdout
		}).WithTimeout(30 * time.Second).Should(Equal("True"))
		Eventually(func() string {
			return utils.Kubectl("get", "opol", "e2e-governed", "-o", "jsonpath={.status.totalViolations}").Stdout
		}).WithTimeout(30 * time.Second).Should(Equal("1"))

		By("recording the decisions as JSON lines on stdout")
		Expect(manager.DecisionLog()).To(ContainSubstring(`"name":"forgotten"`))
		By("needing no permission config/rbac does not grant")
		Expect(manager.Log()).NotTo(ContainSubstring("forbidden"))
		exited, err := manager.Exited()
		Expect(exited).To(BeFalse(), "the manager exited: %v\n%s", err, manager.Log())
	})
})
