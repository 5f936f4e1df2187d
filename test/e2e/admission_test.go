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

// The ValidatingAdmissionPolicies in config/admission, exercised by
// impersonating the people who submit objects.
var _ = Describe("Admission: separation of duties and review retention", Ordered, func() {
	const namespace = "e2e-admission"

	ownership := func(name, approver string) string {
		return `
apiVersion: nhi.steward.dev/v1alpha1
kind: IdentityOwnership
metadata: {name: ` + name + `, namespace: ` + namespace + `}
spec:
  identities: [{kind: ServiceAccount, name: batch}]
  owner: {team: payments, contacts: [bob@example.com]}
  purpose: Settlement batch
  approval: {approvedBy: ` + approver + `, approvedAt: "2026-11-01T00:00:00Z", reference: SEC-5}
  expiresAt: "2030-01-01T00:00:00Z"
`
	}
	review := func(name, reviewer string) string {
		return `
apiVersion: nhi.steward.dev/v1alpha1
kind: OwnershipReview
metadata: {name: ` + name + `, namespace: ` + namespace + `}
spec:
  ownershipRef: {name: batch}
  reviewer: ` + reviewer + `
  decision: Recertify
`
	}
	as := func(user, manifest string) utils.Result {
		return utils.KubectlWithInput(manifest, "--as", user, "create", "-f", "-")
	}

	BeforeAll(func() {
		for _, args := range [][]string{
			{"create", "namespace", namespace},
			{"create", "serviceaccount", "pipeline", "-n", namespace},
			{"create", "rolebinding", "ownership-editors", "-n", namespace,
				"--clusterrole=steward-identityownership-editor-role",
				"--user=alice@example.com", "--user=bob@example.com", "--serviceaccount=" + namespace + ":pipeline"},
			{"create", "rolebinding", "review-editors", "-n", namespace,
				"--clusterrole=steward-ownershipreview-editor-role",
				"--user=alice@example.com", "--user=bob@example.com", "--serviceaccount=" + namespace + ":pipeline"},
		} {
			result := utils.Kubectl(args...)
			Expect(result.Err).NotTo(HaveOccurred(), result.String())
		}
		// The policy is enforced once the API server has loaded it.
		Eventually(func() string { return as("alice@example.com", ownership("probe", "alice@example.com")).Stderr }).
			WithTimeout(30 * time.Second).Should(ContainSubstring("cannot approve"))
	})

	AfterAll(func() {
		utils.Kubectl("delete", "namespace", namespace, "--wait=false")
	})

	It("refuses an ownership approved by the user submitting it", func() {
		result := as("alice@example.com", ownership("self-approved", "alice@example.com"))
		Expect(result.Err).To(HaveOccurred())
		Expect(result.Stderr).To(ContainSubstring("spec.approval.approvedBy: alice@example.com cannot approve"))
	})

	It("accepts an ownership approved by someone else", func() {
		result := as("bob@example.com", ownership("batch", "alice@example.com"))
		Expect(result.Err).NotTo(HaveOccurred(), result.String())
	})

	It("refuses a review filed by a person in someone else's name", func() {
		result := as("alice@example.com", review("forged", "dave@example.com"))
		Expect(result.Err).To(HaveOccurred())
		Expect(result.Stderr).To(ContainSubstring("spec.reviewer: alice@example.com cannot file an OwnershipReview in the name of dave@example.com"))
	})

	It("accepts a review filed by its reviewer, and one synced by a pipeline", func() {
		Expect(as("alice@example.com", review("by-alice", "alice@example.com")).Err).NotTo(HaveOccurred())
		result := as("system:serviceaccount:"+namespace+":pipeline", review("synced", "dave@example.com"))
		Expect(result.Err).NotTo(HaveOccurred(), result.String())
	})

	It("keeps a completed review: deleting it is refused, deleting one not completed is not", func() {
		completed := func(name string) func() string {
			return func() string {
				return utils.Kubectl("get", "ownershipreview", name, "-n", namespace,
					"-o", `jsonpath={.status.conditions[?(@.type=="Completed")].status}`).Stdout
			}
		}
		Eventually(completed("by-alice")).WithTimeout(30 * time.Second).Should(Equal("True"))
		result := utils.Kubectl("delete", "ownershipreview", "by-alice", "-n", namespace)
		Expect(result.Err).To(HaveOccurred(), "a cluster administrator deleted completed evidence")
		Expect(result.Stderr).To(ContainSubstring(
			"OwnershipReview by-alice is completed evidence (Recertify by alice@example.com) and cannot be deleted"))

		orphan := strings.Replace(review("orphan", "alice@example.com"), "{name: batch}", "{name: no-such-ownership}", 1)
		Expect(as("alice@example.com", orphan).Err).NotTo(HaveOccurred())
		Eventually(completed("orphan")).WithTimeout(30 * time.Second).Should(Equal("False"))
		result = utils.Kubectl("delete", "ownershipreview", "orphan", "-n", namespace)
		Expect(result.Err).NotTo(HaveOccurred(), result.String())
	})

	It("still deletes a namespace holding completed reviews", func() {
		result := utils.Kubectl("delete", "namespace", namespace, "--timeout=120s")
		Expect(result.Err).NotTo(HaveOccurred(), result.String())
	})
})
