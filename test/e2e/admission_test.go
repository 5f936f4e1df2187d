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

// trustedPipelinesConfigMap is the separation-of-duties policy's parameter
// (config/admission/trusted_pipelines.yaml, after the kustomize prefix).
const trustedPipelinesConfigMap = "steward-admission"

// setTrustedPipelines writes the trustedPipelines key of the policy's
// ConfigMap and returns the value it replaced.
func setTrustedPipelines(value string) string {
	old := utils.Kubectl("get", "configmap", trustedPipelinesConfigMap, "-n", "steward-system",
		"-o", "jsonpath={.data.trustedPipelines}")
	Expect(old.Err).NotTo(HaveOccurred(), old.String())
	patch := `{"data":{"trustedPipelines":` + quoteJSON(value) + `}}`
	result := utils.Kubectl("patch", "configmap", trustedPipelinesConfigMap, "-n", "steward-system",
		"--type=merge", "-p", patch)
	Expect(result.Err).NotTo(HaveOccurred(), result.String())
	return old.Stdout
}

// quoteJSON quotes s as a JSON string (usernames have no characters that
// need more than this).
func quoteJSON(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// The separation-of-duties and review-retention ValidatingAdmissionPolicies
// in config/admission, exercised by impersonating the people (and the
// pipelines) who submit objects.
var _ = Describe("Admission: separation of duties and review retention", Ordered, func() {
	const (
		namespace = "e2e-admission"
		pipeline  = "system:serviceaccount:" + namespace + ":pipeline"
		untrusted = "system:serviceaccount:" + namespace + ":untrusted"
		// erin may edit Steward's kinds but holds neither the verb approve
		// nor accept (until a spec below grants her accept).
		erin = "erin@example.com"
	)

	// An ownership of bob's (the owner files it); approval is a YAML flow
	// mapping or "".
	ownership := func(name, approval string) string {
		manifest := `
apiVersion: nhi.steward.dev/v1alpha1
kind: IdentityOwnership
metadata: {name: ` + name + `, namespace: ` + namespace + `}
spec:
  identities: [{kind: ServiceAccount, name: batch}]
  owner: {team: payments, contacts: [bob@example.com]}
  purpose: Settlement batch
  expiresAt: "2030-01-01T00:00:00Z"
`
		if approval != "" {
			manifest += "  approval: " + approval + "\n"
		}
		return manifest
	}
	approvedBy := func(approver string) string {
		return `{approvedBy: ` + approver + `, approvedAt: "2026-11-01T00:00:00Z", reference: SEC-5}`
	}
	review := func(name, reviewer, extra string) string {
		return `
apiVersion: nhi.steward.dev/v1alpha1
kind: OwnershipReview
metadata: {name: ` + name + `, namespace: ` + namespace + `}
spec:
  ownershipRef: {name: batch}
  reviewer: ` + reviewer + `
  decision: Recertify
` + extra
	}
	exception := func(name, acceptedBy, justification string) string {
		return `
apiVersion: nhi.steward.dev/v1alpha1
kind: OwnershipException
metadata: {name: ` + name + `, namespace: ` + namespace + `}
spec:
  identities: [{kind: ServiceAccount, name: batch}]
  findings: [RotationOverdue]
  riskAcceptedBy: ` + acceptedBy + `
  justification: ` + justification + `
  expiresAt: "2030-01-01T00:00:00Z"
`
	}
	as := func(user, manifest string) utils.Result {
		return utils.KubectlWithInput(manifest, "--as", user, "create", "-f", "-")
	}
	// dryRunAs goes through admission without creating anything.
	dryRunAs := func(user, manifest string) utils.Result {
		return utils.KubectlWithInput(manifest, "--as", user, "create", "--dry-run=server", "-f", "-")
	}
	patchAs := func(user, kind, name, patch string) utils.Result {
		return utils.Kubectl("--as", user, "patch", kind, name, "-n", namespace, "--type=merge", "-p", patch)
	}
	refused := func(result utils.Result, message string) {
		GinkgoHelper()
		Expect(result.Err).To(HaveOccurred(), "admitted, but it should have been refused with %q", message)
		Expect(result.Stderr).To(ContainSubstring(message))
	}
	admitted := func(result utils.Result) {
		GinkgoHelper()
		Expect(result.Err).NotTo(HaveOccurred(), result.String())
	}
	mayNotApprove := func(user string) string {
		return "spec.approval: " + user + " may not approve IdentityOwnerships in namespace " + namespace +
			`: that needs the verb "approve" on identityownerships.nhi.steward.dev there`
	}
	mayNotAccept := func(user string) string {
		return "spec.riskAcceptedBy: " + user + " may not accept risks in namespace " + namespace +
			`: that needs the verb "accept" on ownershipexceptions.nhi.steward.dev there`
	}
	canI := func(user, verb, resource string) string {
		return strings.TrimSpace(utils.Kubectl("auth", "can-i", verb, resource, "-n", namespace, "--as", user).Stdout)
	}
	// bind gives users a ClusterRole in the namespace and waits until RBAC
	// grants its verb.
	bind := func(name, clusterRole, verb, resource string, users ...string) {
		GinkgoHelper()
		args := []string{"create", "rolebinding", name, "-n", namespace, "--clusterrole=" + clusterRole}
		for _, user := range users {
			if account, ok := strings.CutPrefix(user, "system:serviceaccount:"); ok {
				args = append(args, "--serviceaccount="+account)
			} else {
				args = append(args, "--user="+user)
			}
		}
		admitted(utils.Kubectl(args...))
		for _, user := range users {
			Eventually(func() string { return canI(user, verb, resource) }).WithTimeout(30 * time.Second).Should(Equal("yes"))
		}
	}
	const (
		approverRole = "steward-identityownership-approver"
		acceptorRole = "steward-ownershipexception-acceptor"
		ownerships   = "identityownerships.nhi.steward.dev"
		exceptions   = "ownershipexceptions.nhi.steward.dev"
	)

	BeforeAll(func() {
		users := []string{"--user=alice@example.com", "--user=bob@example.com", "--user=carol@example.com", "--user=" + erin,
			"--serviceaccount=" + namespace + ":pipeline", "--serviceaccount=" + namespace + ":untrusted"}
		for _, args := range [][]string{
			{"create", "namespace", namespace},
			{"create", "serviceaccount", "pipeline", "-n", namespace},
			{"create", "serviceaccount", "untrusted", "-n", namespace},
			append([]string{"create", "rolebinding", "ownership-editors", "-n", namespace,
				"--clusterrole=steward-identityownership-editor-role"}, users...),
			append([]string{"create", "rolebinding", "review-editors", "-n", namespace,
				"--clusterrole=steward-ownershipreview-editor-role"}, users...),
			append([]string{"create", "rolebinding", "exception-editors", "-n", namespace,
				"--clusterrole=steward-ownershipexception-editor-role"}, users...),
		} {
			result := utils.Kubectl(args...)
			Expect(result.Err).NotTo(HaveOccurred(), result.String())
		}
		// The people who approve, and who accept risks. (The pipeline gets
		// the roles in the specs that show it needs them too.)
		bind("approvers", approverRole, "approve", ownerships, "alice@example.com", "carol@example.com")
		bind("risk-acceptors", acceptorRole, "accept", exceptions, "carol@example.com")
		for _, user := range []string{"bob@example.com", erin, pipeline, untrusted} {
			Expect(canI(user, "approve", ownerships)).To(Equal("no"), user)
			Expect(canI(user, "accept", exceptions)).To(Equal("no"), user)
		}
		Expect(canI("alice@example.com", "accept", exceptions)).To(Equal("no"))
		// Trust the pipeline, restoring the administrator's list afterwards.
		previous := setTrustedPipelines(pipeline)
		DeferCleanup(func() { setTrustedPipelines(previous) })

		// The policy is enforced, and the parameter read, once the API server
		// has loaded them.
		probe := ownership("probe", approvedBy("alice@example.com"))
		Eventually(func() string { return dryRunAs("bob@example.com", probe).Stderr }).
			WithTimeout(30 * time.Second).Should(ContainSubstring("can record an approval in their own name"))
		// (A review: the pipeline holds no verb approve yet.)
		Eventually(func() error { return dryRunAs(pipeline, review("probe", "dave@example.com", "")).Err }).
			WithTimeout(30 * time.Second).Should(Succeed())
	})

	AfterAll(func() {
		utils.Kubectl("delete", "namespace", namespace, "--wait=false")
	})

	Context("IdentityOwnership: spec.approval is recorded by the approver it names", func() {
		It("refuses an ownership filed with an approval in someone else's name", func() {
			refused(as("bob@example.com", ownership("forged", approvedBy("alice@example.com"))),
				"spec.approval.approvedBy: only alice@example.com can record an approval in their own name; bob@example.com cannot")
		})

		It("lets the owner file without approval, and only the approver add it", func() {
			admitted(as("bob@example.com", ownership("batch", "")))
			refused(patchAs("bob@example.com", "identityownership", "batch",
				`{"spec":{"approval":`+toJSONApproval("alice@example.com", "SEC-5")+`}}`),
				"spec.approval.approvedBy: only alice@example.com can record an approval in their own name; bob@example.com cannot")
			admitted(patchAs("alice@example.com", "identityownership", "batch",
				`{"spec":{"approval":`+toJSONApproval("alice@example.com", "SEC-5")+`}}`))
		})

		It("lets anyone change the rest, but not the approval, and anyone remove the approval", func() {
			admitted(patchAs("bob@example.com", "identityownership", "batch", `{"spec":{"purpose":"Settlement batch, nightly"}}`))
			admitted(patchAs("bob@example.com", "identityownership", "batch", `{"metadata":{"labels":{"team":"payments"}}}`))
			refused(patchAs("bob@example.com", "identityownership", "batch", `{"spec":{"approval":{"reference":"SEC-6"}}}`),
				"spec.approval.approvedBy: only alice@example.com can record an approval in their own name; bob@example.com cannot")
			refused(patchAs("bob@example.com", "identityownership", "batch", `{"spec":{"approval":{"approvedBy":"carol@example.com"}}}`),
				"spec.approval.approvedBy: only carol@example.com can record an approval in their own name; bob@example.com cannot")
			admitted(as("bob@example.com", ownership("withdrawn", "")))
			admitted(patchAs("carol@example.com", "identityownership", "withdrawn",
				`{"spec":{"approval":`+toJSONApproval("carol@example.com", "SEC-7")+`}}`))
			admitted(patchAs("bob@example.com", "identityownership", "withdrawn", `{"spec":{"approval":null}}`))
		})

		It("compares usernames case-insensitively", func() {
			admitted(as("alice@example.com", ownership("mixed-case", approvedBy("Alice@Example.COM"))))
		})

		It("refuses an approval in one's own name without the verb approve", func() {
			refused(as(erin, ownership("erin-approved", approvedBy(erin))), mayNotApprove(erin))
			refused(dryRunAs(erin, ownership("erin-approved", approvedBy("Erin@Example.COM"))), mayNotApprove(erin))
			admitted(as(erin, ownership("erin-filed", "")))
			refused(patchAs(erin, "identityownership", "erin-filed", `{"spec":{"approval":`+toJSONApproval(erin, "SEC-8")+`}}`),
				mayNotApprove(erin))
			// Without the verb, one may still edit the rest, and remove an approval.
			admitted(patchAs(erin, "identityownership", "erin-filed", `{"spec":{"purpose":"Settlement batch, weekly"}}`))
			admitted(patchAs("carol@example.com", "identityownership", "erin-filed",
				`{"spec":{"approval":`+toJSONApproval("carol@example.com", "SEC-8")+`}}`))
			refused(patchAs(erin, "identityownership", "erin-filed", `{"spec":{"approval":{"approvedBy":"`+erin+`"}}}`),
				mayNotApprove(erin))
			admitted(patchAs(erin, "identityownership", "erin-filed", `{"spec":{"approval":null}}`))
		})

		It("lets a trusted pipeline record an approval on someone's behalf, with the verb approve, and no other ServiceAccount", func() {
			refused(as(pipeline, ownership("synced", approvedBy("alice@example.com"))), mayNotApprove(pipeline))
			bind("pipeline-approvers", approverRole, "approve", ownerships, pipeline)
			admitted(as(pipeline, ownership("synced", approvedBy("alice@example.com"))))
			refused(as(untrusted, ownership("unsynced", approvedBy("alice@example.com"))),
				"spec.approval.approvedBy: only alice@example.com can record an approval in their own name; "+untrusted+" cannot")
		})
	})

	Context("OwnershipException: spec.riskAcceptedBy is the submitter", func() {
		It("refuses an exception filed in someone else's name", func() {
			refused(as("alice@example.com", exception("forged", "carol@example.com", "Vendor freeze")),
				"spec.riskAcceptedBy: only carol@example.com can accept a risk in their own name; alice@example.com cannot")
		})

		It("refuses one in one's own name without the verb accept, and accepts it with the verb", func() {
			refused(as(erin, exception("erin-accepted", erin, "Vendor freeze")), mayNotAccept(erin))
			// The verb approve is not the verb accept.
			refused(as("alice@example.com", exception("alice-accepted", "alice@example.com", "Vendor freeze")),
				mayNotAccept("alice@example.com"))
			bind("erin-risk-acceptor", acceptorRole, "accept", exceptions, erin)
			admitted(as(erin, exception("erin-accepted", erin, "Vendor freeze")))
			// The verb does not waive the riskAcceptedBy rule.
			refused(as(erin, exception("erin-forged", "carol@example.com", "Vendor freeze")),
				"spec.riskAcceptedBy: only carol@example.com can accept a risk in their own name; "+erin+" cannot")
		})

		It("accepts one filed by the person accepting the risk, and by a trusted pipeline with the verb accept", func() {
			admitted(as("carol@example.com", exception("freeze", "carol@example.com", "Vendor freeze")))
			refused(as(pipeline, exception("synced", "carol@example.com", "Vendor freeze")), mayNotAccept(pipeline))
			bind("pipeline-risk-acceptors", acceptorRole, "accept", exceptions, pipeline)
			admitted(as(pipeline, exception("synced", "carol@example.com", "Vendor freeze")))
			refused(as(untrusted, exception("unsynced", "carol@example.com", "Vendor freeze")),
				"spec.riskAcceptedBy: only carol@example.com can accept a risk in their own name; "+untrusted+" cannot")
		})

		It("refuses a change of spec by anyone else, but not a change of metadata", func() {
			refused(patchAs("alice@example.com", "ownershipexception", "freeze", `{"spec":{"justification":"Forever"}}`),
				"spec.riskAcceptedBy: only carol@example.com can accept a risk in their own name; alice@example.com cannot")
			admitted(patchAs("alice@example.com", "ownershipexception", "freeze", `{"metadata":{"labels":{"team":"payments"}}}`))
			admitted(patchAs("carol@example.com", "ownershipexception", "freeze", `{"spec":{"justification":"Vendor freeze, extended"}}`))
			// Changing one's own exception needs the verb too: once erin's
			// role is gone, so is her right to change what she accepted.
			admitted(utils.Kubectl("delete", "rolebinding", "erin-risk-acceptor", "-n", namespace))
			Eventually(func() string { return canI(erin, "accept", exceptions) }).WithTimeout(30 * time.Second).Should(Equal("no"))
			refused(patchAs(erin, "ownershipexception", "erin-accepted", `{"spec":{"justification":"Vendor freeze, forever"}}`),
				mayNotAccept(erin))
			admitted(patchAs(erin, "ownershipexception", "erin-accepted", `{"metadata":{"labels":{"team":"payments"}}}`))
		})
	})

	Context("OwnershipReview: spec.reviewer is the submitter", func() {
		It("refuses a review filed in someone else's name, by a person or an untrusted ServiceAccount", func() {
			refused(as("alice@example.com", review("forged", "dave@example.com", "")),
				"spec.reviewer: alice@example.com cannot file an OwnershipReview in the name of dave@example.com")
			refused(as(untrusted, review("forged", "dave@example.com", "")),
				"spec.reviewer: "+untrusted+" cannot file an OwnershipReview in the name of dave@example.com")
		})

		It("accepts a review filed by its reviewer, and one synced by a trusted pipeline", func() {
			admitted(as("alice@example.com", review("by-alice", "alice@example.com", "")))
			admitted(as(pipeline, review("synced", "dave@example.com", "")))
		})

		It("lets only a holder of the verb overturn file a review that overturns a Revoke, pipelines included", func() {
			overturn := "  overturnsRevoke: true\n"
			refused(as("alice@example.com", review("overturn", "alice@example.com", overturn)),
				`spec.overturnsRevoke: alice@example.com may not overturn a Revoke decision in namespace `+namespace+
					`: that needs the verb "overturn" on ownershipreviews.nhi.steward.dev there`)
			refused(as(pipeline, review("overturn", "dave@example.com", overturn)),
				"spec.overturnsRevoke: "+pipeline+" may not overturn a Revoke decision")
			result := utils.Kubectl("create", "rolebinding", "overturners", "-n", namespace,
				"--clusterrole=steward-ownershipreview-overturner", "--user=alice@example.com")
			Expect(result.Err).NotTo(HaveOccurred(), result.String())
			Eventually(func() error { return as("alice@example.com", review("overturn", "alice@example.com", overturn)).Err }).
				WithTimeout(30 * time.Second).Should(Succeed())
			// The verb does not waive the reviewer rule.
			refused(as("alice@example.com", review("overturn-forged", "dave@example.com", overturn)),
				"spec.reviewer: alice@example.com cannot file an OwnershipReview in the name of dave@example.com")
		})

		It("stops trusting a pipeline removed from the ConfigMap", func() {
			setTrustedPipelines("system:serviceaccount:flux-system:kustomize-controller")
			Eventually(func() string { return dryRunAs(pipeline, review("untrusted-now", "dave@example.com", "")).Stderr }).
				WithTimeout(30 * time.Second).Should(ContainSubstring(
				"spec.reviewer: " + pipeline + " cannot file an OwnershipReview in the name of dave@example.com"))
		})
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

		orphan := strings.Replace(review("orphan", "alice@example.com", ""), "{name: batch}", "{name: no-such-ownership}", 1)
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

// toJSONApproval is spec.approval as JSON, for merge patches.
func toJSONApproval(approver, reference string) string {
	return `{"approvedBy":` + quoteJSON(approver) + `,"approvedAt":"2026-11-01T00:00:00Z","reference":` + quoteJSON(reference) + `}`
}
