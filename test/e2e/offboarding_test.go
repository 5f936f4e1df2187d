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
	"os/exec"
	"path/filepath"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/nhi-steward/steward/test/utils"
)

// OWASP NHI1, improper offboarding: when the last owner leaves the
// organisation, the identity is flagged, then revoked after the grace period,
// and its token stops working.
var _ = Describe("Offboarding", Ordered, func() {
	const namespace = "e2e-offboarding"

	BeforeAll(func() {
		result := utils.KubectlWithInput(`
apiVersion: v1
kind: ConfigMap
metadata:
  name: e2e-people
  namespace: steward-system
  labels: {steward.dev/owner-directory: "true"}
data:
  active: |
    # synced from the identity provider
    leaver@example.com
    carol@example.com
    dave@example.com
`+utils.GovernedNamespace(namespace, `  kinds: [ServiceAccount]
  enforcement: Enforce
  ownerDirectory:
    configMapRef: {namespace: steward-system, name: e2e-people}
    key: active
    maxShrinkPercent: 50
  rules:
  - {finding: OwnerDeparted, action: Revoke, revokeAfter: 5s}
  revocation: {serviceAccountStrategies: [RemoveBindings]}`), "apply", "-f", "-")
		Expect(result.Err).NotTo(HaveOccurred(), result.String())

		// The approver files the ownership with her approval: admission lets
		// only the person named in spec.approval.approvedBy record it.
		result = utils.KubectlWithInputAs("carol@example.com", `
apiVersion: nhi.steward.dev/v1alpha1
kind: IdentityOwnership
metadata: {name: reporting, namespace: `+namespace+`}
spec:
  identities: [{kind: ServiceAccount, name: reporting}]
  owner: {team: analytics, contacts: [leaver@example.com]}
  purpose: Nightly revenue report.
  approval: {approvedBy: carol@example.com, approvedAt: "2026-11-01T00:00:00Z", reference: SEC-77}
  expiresAt: "2030-01-01T00:00:00Z"
`, "apply", "-f", "-")
		Expect(result.Err).NotTo(HaveOccurred(), result.String())

		result = utils.KubectlWithInput(utils.ReaderRole(namespace)+utils.BoundServiceAccount(namespace, "reporting"), "apply", "-f", "-")
		Expect(result.Err).NotTo(HaveOccurred(), result.String())
		Eventually(func() string {
			return utils.Kubectl("get", "sa", "reporting", "-n", namespace, "-o", `jsonpath={.metadata.annotations.steward\.dev/state}`).Stdout
		}).WithTimeout(30 * time.Second).Should(Equal("Owned"))
	})

	AfterAll(func() {
		utils.Kubectl("delete", "ownershippolicy", "e2e-offboarding", "--ignore-not-found")
		utils.Kubectl("delete", "configmap", "e2e-people", "-n", "steward-system", "--ignore-not-found")
		utils.Kubectl("delete", "namespace", namespace, "--wait=false")
	})

	It("flags the identity when its last owner leaves, revokes it after grace, and the token is refused", func() {
		token := requestToken(namespace, "reporting")
		Expect(asToken(token, "get", "configmaps", "-n", namespace).Err).NotTo(HaveOccurred())

		By("the HR sync removes the leaver from the directory")
		result := utils.Kubectl("patch", "configmap", "e2e-people", "-n", "steward-system", "--type=merge",
			"-p", `{"data":{"active":"carol@example.com\ndave@example.com\n"}}`)
		Expect(result.Err).NotTo(HaveOccurred(), result.String())
		Eventually(func() string {
			return utils.Kubectl("get", "sa", "reporting", "-n", namespace, "-o", `jsonpath={.metadata.labels.steward\.dev/finding}`).Stdout
		}).WithTimeout(30 * time.Second).Should(Equal("owner-departed"))
		Expect(asToken(token, "get", "configmaps", "-n", namespace).Err).NotTo(HaveOccurred(), "flagged, not yet revoked")

		By("after the 5 s grace period the identity is revoked and the token refused")
		Eventually(func() bool { return refused(asToken(token, "get", "configmaps", "-n", namespace)) }).
			WithTimeout(30 * time.Second).WithPolling(250 * time.Millisecond).Should(BeTrue())
		Eventually(func() string {
			return utils.Kubectl("get", "events.v1.events.k8s.io", "-n", namespace, "--field-selector", "reason=Revoked",
				"-o", "jsonpath={.items[*].note}").Stdout
		}).WithTimeout(10 * time.Second).Should(MatchRegexp(
			`revoked \(OwnerDeparted\).*departure of leaver@example.com first seen at \S+, flagged OwnerDeparted at \S+, revoked \d+s after it was first seen`))
		Expect(utils.Kubectl("get", "iown", "reporting", "-n", namespace, "-o", "jsonpath={.status.departure.allDepartedAt}").Stdout).
			NotTo(BeEmpty())

		By("showing the departure in the evidence export")
		export, err := exec.Command(filepath.Join(utils.ProjectDir(), "bin", "kubectl-steward"), "evidence",
			"-n", namespace, "-o", "csv").CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(export))
		Expect(string(export)).To(MatchRegexp(namespace + `,ServiceAccount,reporting,Revoked,OwnerDeparted,.*,leaver@example.com,\d{4}-`))
	})
})
