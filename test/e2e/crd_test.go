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

// samples are the kubectl invocations that apply every sample, in
// dependency order, each as the person it names: admission lets only the
// approver record an approval, only the risk acceptor file an exception and
// only the reviewer file a review (an empty user is the administrator).
var samples = []struct{ user, file string }{
	{"", "config/samples/payments_namespace.yaml"},
	{"", "config/samples/nhi_v1alpha1_ownershippolicy.yaml"},
	{"carol.smith@example.com", "config/samples/nhi_v1alpha1_identityownership.yaml"},
	{"carol.smith@example.com", "config/samples/nhi_v1alpha1_ownershipexception.yaml"},
	{"dave.kim@example.com", "config/samples/nhi_v1alpha1_ownershipreview.yaml"},
	{"", "config/samples/nhi_v1alpha1_accessreviewcampaign.yaml"},
}

var _ = Describe("Steward's custom resources through kubectl", Ordered, func() {
	AfterAll(func() {
		utils.Kubectl("delete", "--ignore-not-found", "--wait=false", "-k", "config/samples")
	})

	It("applies every sample, each as the person it names", func() {
		for _, sample := range samples {
			var result utils.Result
			if sample.user == "" {
				result = utils.Kubectl("apply", "-f", sample.file)
			} else {
				By(sample.user + " applies " + sample.file)
				result = utils.KubectlAs(sample.user, "apply", "-f", sample.file)
			}
			Expect(result.Err).NotTo(HaveOccurred(), result.String())
		}
	})

	It("lists every kind under the steward category, with its printer columns", func() {
		result := utils.Kubectl("get", "steward", "-A")
		Expect(result.Err).NotTo(HaveOccurred(), result.String())
		Expect(result.Stdout).To(SatisfyAll(
			ContainSubstring("identityownership.nhi.steward.dev/payments-api"),
			ContainSubstring("ownershippolicy.nhi.steward.dev/baseline"),
			ContainSubstring("ownershipexception.nhi.steward.dev/stripe-key-rotation-freeze"),
			ContainSubstring("ownershipreview.nhi.steward.dev/payments-api-2026-q4"),
			ContainSubstring("accessreviewcampaign.nhi.steward.dev/baseline-2026-q4"),
		))

		// The manager, under its own RBAC, freezes the campaign's scope. The
		// sample review, filed before the campaign, decides nothing in it.
		Eventually(func() string {
			return utils.Kubectl("get", "arc", "baseline-2026-q4").Stdout
		}).WithTimeout(30 * time.Second).Should(MatchRegexp(`baseline-2026-q4\s+\{"policy":"baseline"\}\s+2026-12-31T23:59:59Z\s+\d+/\d+\s+False`))
		Expect(utils.Kubectl("get", "arc").Stdout).To(MatchRegexp(`NAME\s+SCOPE\s+DUE\s+DECIDED\s+READY\s+AGE`))

		result = utils.Kubectl("get", "iown", "-n", "payments")
		Expect(result.Err).NotTo(HaveOccurred(), result.String())
		Expect(result.Stdout).To(MatchRegexp(`NAME\s+TEAM\s+APPROVED\s+EXPIRES\s+IDENTITIES\s+READY\s+AGE`))
		Expect(result.Stdout).To(MatchRegexp(`payments-api\s+payments`))
	})

	It("explains every field from its documentation", func() {
		result := utils.Kubectl("explain", "identityownership.spec.approval.approvedBy")
		Expect(result.Err).NotTo(HaveOccurred(), result.String())
		Expect(result.Stdout).To(ContainSubstring("must not be one of spec.owner.contacts"))

		result = utils.Kubectl("explain", "accessreviewcampaign.spec.scope")
		Expect(result.Err).NotTo(HaveOccurred(), result.String())
		Expect(result.Stdout).To(ContainSubstring("scope selects the ownerships to review"))

		result = utils.Kubectl("explain", "ownershippolicy.spec.enforcement")
		Expect(result.Err).NotTo(HaveOccurred(), result.String())
		Expect(result.Stdout).To(ContainSubstring("DryRun"))
	})

	It("rejects an owner approving their own ownership, naming the field", func() {
		// Filed by the owner herself, so that admission (approvedBy is the
		// requester) lets it through and the CRD's own rule is what refuses it.
		result := utils.KubectlWithInputAs("alice.nguyen@example.com", `
apiVersion: nhi.steward.dev/v1alpha1
kind: IdentityOwnership
metadata: {name: self-approved, namespace: payments}
spec:
  identities: [{kind: ServiceAccount, name: payments-api}]
  owner: {team: payments, contacts: [alice.nguyen@example.com]}
  purpose: Checkout
  approval: {approvedBy: alice.nguyen@example.com, approvedAt: "2026-09-01T00:00:00Z", reference: SEC-1}
  expiresAt: "2027-01-01T00:00:00Z"
`, "apply", "-f", "-")
		Expect(result.Err).To(HaveOccurred(), "kubectl accepted a self-approved ownership")
		Expect(result.Stderr).To(ContainSubstring("spec.approval.approvedBy"))
		Expect(result.Stderr).To(ContainSubstring("separation of duties"))
	})

	It("refuses to change a review once it is filed", func() {
		result := utils.Kubectl("patch", "ownershipreview", "payments-api-2026-q4", "-n", "payments",
			"--type=merge", "-p", `{"spec":{"decision":"Revoke"}}`)
		Expect(result.Err).To(HaveOccurred(), "a review's spec was changed")
		Expect(result.Stderr).To(ContainSubstring("spec is immutable"))
	})
})
