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

package controller_test

import (
	"encoding/json"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/governance"
	"github.com/nhi-steward/steward/internal/revoke"
)

// enforcing returns a policy mutation that revokes Unowned identities
// immediately with the given ServiceAccount strategies.
func enforcing(strategies ...nhi.ServiceAccountRevocationStrategy) func(*nhi.OwnershipPolicySpec) {
	return func(spec *nhi.OwnershipPolicySpec) {
		spec.Enforcement = nhi.EnforcementEnforce
		spec.Rules = []nhi.PolicyRule{{Finding: nhi.FindingUnowned, Action: nhi.ActionRevoke}}
		spec.Revocation.ServiceAccountStrategies = strategies
	}
}

func (s *scenario) bindRole(bindingName, account string, extraSubjects ...rbacv1.Subject) *rbacv1.RoleBinding {
	role := &rbacv1.Role{
		ObjectMeta: metav1.ObjectMeta{Name: "read-configmaps", Namespace: s.namespace},
		Rules:      []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"list"}}},
	}
	if err := k8sClient.Create(ctx, role); err != nil && !apierrors.IsAlreadyExists(err) {
		Expect(err).NotTo(HaveOccurred())
	}
	binding := &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: bindingName, Namespace: s.namespace},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: role.Name},
		Subjects: append([]rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: account, Namespace: s.namespace}},
			extraSubjects...),
	}
	Expect(k8sClient.Create(ctx, binding)).To(Succeed())
	return binding
}

// subjectsAnnotation is the binding's list of the ServiceAccounts Steward
// removed from it.
func subjectsAnnotation(binding client.Object) func() string {
	return func() string {
		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(binding), binding)).To(Succeed())
		return binding.GetAnnotations()[revoke.AnnotationRemovedSubjects]
	}
}

// addSubject adds a subject to a RoleBinding, as a GitOps sync re-applying
// it would.
func addSubject(binding *rbacv1.RoleBinding, subject rbacv1.Subject) {
	GinkgoHelper()
	Eventually(func() error {
		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(binding), binding)).To(Succeed())
		binding.Subjects = append(binding.Subjects, subject)
		return k8sClient.Update(ctx, binding)
	}).Should(Succeed())
}

func subjectsOf(binding client.Object) func() []string {
	return func() []string {
		var subjects []rbacv1.Subject
		switch b := binding.(type) {
		case *rbacv1.RoleBinding:
			Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(b), b)).To(Succeed())
			subjects = b.Subjects
		case *rbacv1.ClusterRoleBinding:
			Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(b), b)).To(Succeed())
			subjects = b.Subjects
		}
		names := make([]string, 0, len(subjects))
		for _, s := range subjects {
			names = append(names, s.Kind+"/"+s.Name)
		}
		return names
	}
}

func countLines(lines []string, substrings ...string) int {
	n := 0
	for _, line := range lines {
		matches := true
		for _, s := range substrings {
			matches = matches && strings.Contains(line, s)
		}
		if matches {
			n++
		}
	}
	return n
}

var _ = Describe("Revoking in Enforce mode", func() {
	It("removes a ServiceAccount from its bindings, records exactly what it removed, and restores it after re-approval", func() {
		s := newScenario(enforcing(nhi.RevokeRemoveBindings))
		colleague := rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "colleague@example.com"}
		binding := s.bindRole("reader", "reporter", colleague)
		clusterBinding := &rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: s.namespace + "-reporter"},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "view"},
			Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: "reporter", Namespace: s.namespace}},
		}
		Expect(k8sClient.Create(ctx, clusterBinding)).To(Succeed())
		DeferCleanup(func() { Expect(k8sClient.Delete(ctx, clusterBinding)).To(Succeed()) })
		s.serviceAccount("reporter")

		Eventually(s.findingLabel(sa("reporter"))).Should(Equal("revoked"))
		Eventually(subjectsOf(binding)).Should(Equal([]string{"User/colleague@example.com"}))
		Eventually(subjectsOf(clusterBinding)).Should(BeEmpty())
		annotations := metadataOf(s.namespace, sa("reporter"))().Annotations
		Expect(annotations).To(HaveKey(governance.AnnotationRevokedAt))
		Expect(annotations[governance.AnnotationRemovedBindings]).To(ContainSubstring("RoleBinding " + s.namespace + "/reader"))
		record := revocationRecord(s.namespace, sa("reporter"))()
		Expect(record).NotTo(BeNil())
		Expect(record.RevokedAt).NotTo(BeNil())
		ledger := &nhi.Ledger{}
		Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: stewardNamespace,
			Name: nhi.LedgerPrefixNamespace + s.namespace}, ledger)).To(Succeed())
		Expect(managedFieldsOf(ledger)).To(ContainSubstring(`"f:revocations":{}`),
			"the revocation records are one field to the API server's field tracking")
		Expect(managedFieldsOf(ledger)).NotTo(ContainSubstring(string(metadataOf(s.namespace, sa("reporter"))().UID)))
		Expect(record.RemovedBindings).To(ConsistOf(
			And(HaveField("Kind", "RoleBinding"), HaveField("Name", "reader"), HaveField("RoleRef.Name", "read-configmaps"),
				HaveField("UID", binding.UID)),
			And(HaveField("Kind", "ClusterRoleBinding"), HaveField("Name", clusterBinding.Name), HaveField("RoleRef.Name", "view")),
		))
		Expect(subjectsAnnotation(binding)()).To(Equal(s.namespace+"/reporter"),
			"the binding lists what Steward removed, for the manager-bounds admission policy")
		Eventually(s.eventsFor("reporter")).Should(ContainElement(ContainSubstring("Warning Revoked")))
		Eventually(func() int32 { s.get(s.policy)(); return s.policy.Status.RevocationsInWindow }).Should(BeEquivalentTo(1))

		By("recording the revocation exactly once")
		Consistently(func() int {
			return countLines(decisionsAbout(s.namespace, "reporter"), `"type":"action"`, `"action":"Revoke"`)
		}).WithTimeout(2 * time.Second).Should(Equal(1))

		By("removing it again when a binding names it anew, as a GitOps sync re-applying the binding would")
		addSubject(binding, rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: "reporter", Namespace: s.namespace})
		// A ServiceAccount subject without a namespace is in the binding's.
		late := &rbacv1.RoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: "late", Namespace: s.namespace},
			RoleRef:    binding.RoleRef,
			Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: "reporter"}},
		}
		Expect(k8sClient.Create(ctx, late)).To(Succeed())
		Eventually(subjectsOf(binding)).Should(Equal([]string{"User/colleague@example.com"}))
		Eventually(subjectsOf(late)).Should(BeEmpty())
		Eventually(s.eventsFor("reporter")).Should(ContainElement(ContainSubstring("Warning RevocationReapplied")))
		Expect(revocationRecord(s.namespace, sa("reporter"))().RemovedBindings).To(HaveLen(3),
			"the binding re-applied is recorded once, the new one added")
		s.get(s.policy)()
		Expect(s.policy.Status.RevocationsInWindow).To(BeEquivalentTo(1), "keeping a revocation is not a new one")

		By("leaving bindings alone while the policy is in DryRun, and removing the account again under Enforce")
		setEnforcement := func(enforcement nhi.EnforcementMode) {
			Eventually(func() error {
				s.get(s.policy)()
				s.policy.Spec.Enforcement = enforcement
				return k8sClient.Update(ctx, s.policy)
			}).Should(Succeed())
			// Steward's cache holds the new mode once its policy
			// controller has observed it: only then is a binding change
			// judged under it.
			Eventually(func() bool {
				s.get(s.policy)()
				return s.policy.Status.ObservedGeneration == s.policy.Generation
			}).Should(BeTrue())
		}
		setEnforcement(nhi.EnforcementDryRun)
		addSubject(binding, rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: "reporter", Namespace: s.namespace})
		Consistently(subjectsOf(binding)).WithTimeout(2 * time.Second).Should(ContainElement("ServiceAccount/reporter"))
		setEnforcement(nhi.EnforcementEnforce)
		Eventually(subjectsOf(binding)).Should(Equal([]string{"User/colleague@example.com"}))

		By("restoring the subjects once the identity is owned again")
		s.ownership("reporting", []nhi.IdentityReference{sa("reporter")})
		Eventually(s.stateOf(sa("reporter"))).Should(Equal("Owned"))
		Eventually(subjectsOf(binding)).Should(ConsistOf("User/colleague@example.com", "ServiceAccount/reporter"))
		Eventually(subjectsOf(clusterBinding)).Should(ConsistOf("ServiceAccount/reporter"))
		Eventually(subjectsOf(late)).Should(ConsistOf("ServiceAccount/reporter"))
		Eventually(func() map[string]string { return metadataOf(s.namespace, sa("reporter"))().Annotations }).Should(And(
			Not(HaveKey(governance.AnnotationRevokedAt)), Not(HaveKey(governance.AnnotationRemovedBindings))))
		Eventually(revocationRecord(s.namespace, sa("reporter"))).Should(BeNil(), "the ledger closes the record")
		Eventually(subjectsAnnotation(binding)).Should(BeEmpty())
		Eventually(s.eventsFor("reporter")).Should(ContainElement(ContainSubstring("Normal Restored")))
	})

	It("deletes a ServiceAccount's legacy token Secrets", func() {
		s := newScenario(enforcing(nhi.RevokeDeleteTokens))
		s.serviceAccount("ci")
		token := &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: "ci-token", Namespace: s.namespace,
				Annotations: map[string]string{corev1.ServiceAccountNameKey: "ci"}},
			Type: corev1.SecretTypeServiceAccountToken,
		}
		Expect(k8sClient.Create(ctx, token)).To(Succeed())
		s.ownership("ci-token", []nhi.IdentityReference{secretRef("ci-token")})

		Eventually(s.findingLabel(sa("ci"))).Should(Equal("revoked"))
		Eventually(func() bool {
			return apierrors.IsNotFound(k8sClient.Get(ctx, client.ObjectKeyFromObject(token), &corev1.Secret{}))
		}).Should(BeTrue())
		Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: s.namespace, Name: "ci"}, &corev1.ServiceAccount{})).To(Succeed())
	})

	It("deletes a ServiceAccount with the Delete strategy, and an unowned Secret, warning that upstream credentials live on", func() {
		s := newScenario(enforcing(nhi.RevokeDelete))
		s.serviceAccount("stray")
		s.secret("stray-key", corev1.SecretTypeOpaque)

		Eventually(func() bool {
			return apierrors.IsNotFound(k8sClient.Get(ctx, client.ObjectKey{Namespace: s.namespace, Name: "stray"}, &corev1.ServiceAccount{}))
		}).Should(BeTrue())
		Eventually(func() bool {
			return apierrors.IsNotFound(k8sClient.Get(ctx, client.ObjectKey{Namespace: s.namespace, Name: "stray-key"}, &corev1.Secret{}))
		}).Should(BeTrue())
		Eventually(s.eventsFor("stray-key")).Should(ContainElement(
			And(ContainSubstring("Warning Revoked"), ContainSubstring("upstream credential"))))
		Expect(countLines(decisionsAbout(s.namespace, "stray"), `"action":"Revoke"`)).To(Equal(1))
	})

	It("keeps governing a namespace while one revocation keeps failing", func() {
		s := newScenario(enforcing(nhi.RevokeRemoveBindings))
		// An admission policy elsewhere in the cluster protects one binding.
		locked := "locked-" + s.namespace
		denyUpdates(locked, rbacv1.GroupName, "rolebindings",
			"object.metadata.namespace != '"+s.namespace+"' || object.metadata.name != 'locked'",
			"this binding is managed elsewhere")
		lockedBinding := s.bindRole("locked", "stuck")
		// The API server enforces the policy once it has loaded it.
		Eventually(func() string {
			probe := &rbacv1.RoleBinding{}
			Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(lockedBinding), probe)).To(Succeed())
			probe.Labels = map[string]string{"probe": probe.ResourceVersion}
			err := k8sClient.Update(ctx, probe)
			if err == nil {
				return ""
			}
			return err.Error()
		}).Should(ContainSubstring("this binding is managed elsewhere"))

		s.serviceAccount("stuck")
		s.serviceAccount("stray")
		s.serviceAccount("api")
		s.ownership("api", []nhi.IdentityReference{sa("api")})

		Eventually(s.findingLabel(sa("stray"))).Should(Equal("revoked"))
		Eventually(s.stateOf(sa("api"))).Should(Equal("Owned"))
		Eventually(s.stateOf(sa("stuck"))).Should(Equal("Unowned"))
		Consistently(s.findingLabel(sa("stuck"))).WithTimeout(2 * time.Second).ShouldNot(Equal("revoked"))
		record := revocationRecord(s.namespace, sa("stuck"))()
		Expect(record).NotTo(BeNil())
		Expect(record.RevokedAt).To(BeNil(),
			"the failed revocation stays recorded in progress, to be finished without being counted again")
	})

	It("stops at the blast-radius cap, sets EnforcementHalted and keeps reporting", func() {
		s := newScenario(enforcing(nhi.RevokeRemoveBindings), func(spec *nhi.OwnershipPolicySpec) {
			spec.Revocation.MaxRevocationsPerHour = ptr.To[int32](2)
			spec.Revocation.MaxRevocationsPerNamespacePerHour = ptr.To[int32](2)
		})
		for _, name := range []string{"a", "b", "c", "d"} {
			s.serviceAccount(name)
		}
		revoked := func() int {
			n := 0
			for _, name := range []string{"a", "b", "c", "d"} {
				if s.findingLabel(sa(name))() == "revoked" {
					n++
				}
			}
			return n
		}
		Eventually(revoked).Should(Equal(2))
		Eventually(conditionOf(s.policy, nhi.ConditionEnforcementHalted)).Should(
			haveCondition(metav1.ConditionTrue, nhi.ReasonRevocationCapReached))
		Expect(s.policy.Status.RevocationsInWindow).To(BeEquivalentTo(2))
		Consistently(revoked).WithTimeout(2 * time.Second).Should(Equal(2))
		halted := 0
		for _, name := range []string{"a", "b", "c", "d"} {
			if metadataOf(s.namespace, sa(name))().Labels[governance.LabelWouldRevoke] == "true" {
				halted++
				Eventually(s.eventsFor(name)).Should(ContainElement(ContainSubstring("Warning RevocationHalted")))
			}
		}
		Expect(halted).To(Equal(2))
	})

	It("finishes a revocation interrupted by a restart without counting it again", func() {
		s := newScenario(enforcing(nhi.RevokeRemoveBindings), func(spec *nhi.OwnershipPolicySpec) {
			spec.Revocation.MaxRevocationsPerHour = ptr.To[int32](0)
		})
		// The state a crash between "counted and recorded" and "revoked"
		// leaves: a record in progress in the ledger.
		binding := s.bindRole("reader", "interrupted")
		account := s.serviceAccount("interrupted")
		s.serviceAccount("fresh")
		// A tenant's forged in-progress mark is nobody's record.
		forger := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "forger", Namespace: s.namespace,
			Annotations: map[string]string{"steward.dev/revoking": time.Now().UTC().Format(time.RFC3339)}}}
		Expect(k8sClient.Create(ctx, forger)).To(Succeed())
		ledger := &nhi.Ledger{}
		key := client.ObjectKey{Namespace: stewardNamespace, Name: nhi.LedgerPrefixNamespace + s.namespace}
		Eventually(func() error { return k8sClient.Get(ctx, key, ledger) }).Should(Succeed())
		patch, err := json.Marshal(map[string]any{"status": map[string]any{"revocations": map[string]any{
			string(account.UID): nhi.RevocationRecord{Kind: nhi.KindServiceAccount, Name: "interrupted", ID: "test",
				Policy: s.policy.Name, ReservedAt: metav1.NewTime(time.Now().Truncate(time.Second))},
		}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(k8sClient.Status().Patch(ctx, ledger, client.RawPatch(types.MergePatchType, patch))).To(Succeed())
		// Events in the namespace, so it is evaluated again. This process
		// remembers the ledger as it last wrote it (only Steward writes
		// it); its next write returns the record patched in above, as a
		// restart's first read would.
		s.serviceAccount("nudge")
		Eventually(s.findingLabel(sa("nudge"))).Should(Equal("unowned"))
		s.serviceAccount("nudge-again")

		Eventually(s.findingLabel(sa("interrupted"))).Should(Equal("revoked"))
		Eventually(subjectsOf(binding)).Should(BeEmpty())
		Eventually(func() map[string]string { return metadataOf(s.namespace, sa("fresh"))().Labels }).Should(
			HaveKeyWithValue(governance.LabelWouldRevoke, "true"), "a cap of 0 forbids any new revocation")
		Expect(s.findingLabel(sa("fresh"))()).To(Equal("unowned"))
		Expect(s.findingLabel(sa("forger"))()).To(Equal("unowned"), "a forged mark does not get past the cap")
	})

	It("revokes through the same path when a review decides Revoke", func() {
		s := newScenario(enforcing(nhi.RevokeRemoveBindings))
		s.serviceAccount("retired")
		binding := s.bindRole("reader", "retired")
		s.ownership("retired", []nhi.IdentityReference{sa("retired")})
		Eventually(s.stateOf(sa("retired"))).Should(Equal("Owned"))
		Expect(subjectsOf(binding)()).To(ConsistOf("ServiceAccount/retired"))

		review := &nhi.OwnershipReview{
			ObjectMeta: metav1.ObjectMeta{Name: "retire", Namespace: s.namespace},
			Spec: nhi.OwnershipReviewSpec{OwnershipRef: nhi.LocalObjectReference{Name: "retired"},
				Reviewer: "dave@example.com", Decision: nhi.DecisionRevoke},
		}
		Expect(k8sClient.Create(ctx, review)).To(Succeed())
		Eventually(s.findingLabel(sa("retired"))).Should(Equal("revoked"))
		Eventually(subjectsOf(binding)).Should(BeEmpty())
		Eventually(func() []nhi.RemediationAction { s.get(review)(); return review.Status.Actions }).Should(ContainElement(
			And(HaveField("Name", "retired"), HaveField("Action", "Revoked"))))
	})
})
