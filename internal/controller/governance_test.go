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
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/governance"
)

var _ = Describe("Governing identities", func() {
	It("flags an unowned ServiceAccount and Secret, with an Event and a decision-log line", func() {
		s := newScenario()
		s.serviceAccount("orphan")
		s.secret("orphan-key", corev1.SecretTypeOpaque)

		Eventually(s.findingLabel(sa("orphan"))).Should(Equal("unowned"))
		Eventually(s.findingLabel(secretRef("orphan-key"))).Should(Equal("unowned"))
		Eventually(s.eventsFor("orphan")).Should(ContainElement(
			"Warning Unowned: ServiceAccount orphan is Unowned: no IdentityOwnership covers it"))
		Eventually(func() []string { return decisionsAbout(s.namespace, "orphan") }).Should(ContainElement(
			And(ContainSubstring(`"type":"transition"`), ContainSubstring(`"to":"Unowned"`))))
		Expect(metadataOf(s.namespace, sa("orphan"))().Annotations).To(HaveKey(governance.AnnotationFindingSince))
	})

	It("leaves excluded and never-governed identities alone", func() {
		s := newScenario()
		s.serviceAccount("orphan")
		s.secret("release", "helm.sh/release.v1")
		Eventually(s.findingLabel(sa("orphan"))).Should(Equal("unowned"))

		Expect(metadataOf(s.namespace, sa("default"))().Annotations).NotTo(HaveKey(governance.AnnotationState))
		Expect(metadataOf(s.namespace, secretRef("release"))().Annotations).NotTo(HaveKey(governance.AnnotationState))
	})

	It("never governs protected namespaces, even under a policy selecting every namespace", func() {
		catchAll := &nhi.OwnershipPolicy{ObjectMeta: metav1.ObjectMeta{Name: "catch-all"}}
		Expect(k8sClient.Create(ctx, catchAll)).To(Succeed())
		DeferCleanup(func() { Expect(k8sClient.Delete(ctx, catchAll)).To(Succeed()) })
		for _, ns := range []string{"kube-system", stewardNamespace} {
			Expect(k8sClient.Create(ctx, &corev1.ServiceAccount{
				ObjectMeta: metav1.ObjectMeta{Name: "system-bot", Namespace: ns}})).To(Succeed())
		}
		Eventually(conditionOf(catchAll, nhi.ConditionReady)).Should(haveCondition(metav1.ConditionTrue, nhi.ReasonReconciled))

		for _, ns := range []string{"kube-system", stewardNamespace} {
			Consistently(metadataOf(ns, sa("system-bot"))).WithTimeout(time.Second).
				Should(HaveField("Annotations", Not(HaveKey(governance.AnnotationState))))
		}
	})

	It("annotates an owned identity and reports it in the ownership's status", func() {
		s := newScenario()
		s.serviceAccount("api")
		s.secret("api-key", corev1.SecretTypeOpaque, "app", "api")
		o := s.ownership("api", []nhi.IdentityReference{sa("api")}, func(o *nhi.IdentityOwnership) {
			o.Spec.Selector = &nhi.IdentitySelector{Kinds: []nhi.IdentityKind{nhi.KindSecret},
				MatchLabels: map[string]string{"app": "api"}}
		})

		Eventually(s.stateOf(sa("api"))).Should(Equal("Owned"))
		Eventually(s.stateOf(secretRef("api-key"))).Should(Equal("Owned"))
		annotations := metadataOf(s.namespace, sa("api"))().Annotations
		Expect(annotations).To(HaveKeyWithValue(governance.AnnotationOwnership, "api"))
		Expect(annotations).To(HaveKeyWithValue(governance.AnnotationOwnerTeam, "payments"))
		Expect(annotations).To(HaveKeyWithValue(governance.AnnotationApprovedBy, "carol@example.com"))
		Expect(annotations).To(HaveKeyWithValue(governance.AnnotationExpiresAt, o.Spec.ExpiresAt.UTC().Format(time.RFC3339)))
		Expect(metadataOf(s.namespace, sa("api"))().Labels).NotTo(HaveKey(governance.LabelFinding))

		Eventually(conditionOf(o, nhi.ConditionReady)).Should(haveCondition(metav1.ConditionTrue, nhi.ReasonReconciled))
		Expect(o.Status.ObservedGeneration).To(Equal(o.Generation))
		Expect(o.Status.IdentityCount).To(BeEquivalentTo(2))
		Expect(o.Status.Identities).To(ConsistOf(
			And(HaveField("Kind", nhi.KindSecret), HaveField("Name", "api-key"), HaveField("State", nhi.StateOwned)),
			And(HaveField("Kind", nhi.KindServiceAccount), HaveField("Name", "api"), HaveField("State", nhi.StateOwned)),
		))
	})

	It("reaches a steady state with zero writes", func() {
		s := newScenario()
		s.serviceAccount("api")
		s.serviceAccount("orphan")
		o := s.ownership("api", []nhi.IdentityReference{sa("api")})
		Eventually(s.stateOf(sa("api"))).Should(Equal("Owned"))
		Eventually(s.findingLabel(sa("orphan"))).Should(Equal("unowned"))
		Eventually(conditionOf(o, nhi.ConditionReady)).Should(haveCondition(metav1.ConditionTrue, nhi.ReasonReconciled))

		versions := func() []string {
			var out []string
			for _, ref := range []nhi.IdentityReference{sa("api"), sa("orphan")} {
				out = append(out, metadataOf(s.namespace, ref)().ResourceVersion)
			}
			Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(o), o)).To(Succeed())
			return append(out, o.ResourceVersion)
		}
		before := versions()

		By("making Steward re-evaluate the namespace: a new identity appears")
		s.serviceAccount("newcomer")
		Eventually(s.findingLabel(sa("newcomer"))).Should(Equal("unowned"))
		Expect(versions()).To(Equal(before), "re-evaluating an unchanged namespace wrote to its objects")
	})

	It("flags an ownership's identities within 2 s of its expiry", func() {
		s := newScenario()
		s.serviceAccount("batch")
		expiresAt := time.Now().Add(3 * time.Second).Truncate(time.Second).Add(time.Second)
		o := s.ownership("batch", []nhi.IdentityReference{sa("batch")}, func(o *nhi.IdentityOwnership) {
			o.Spec.ExpiresAt = metav1.NewTime(expiresAt)
		})
		Eventually(s.stateOf(sa("batch"))).Should(Equal("Owned"))

		observeBy(expiresAt, s.findingLabel(sa("batch")), "expired")
		Eventually(conditionOf(o, nhi.ConditionExpired)).Should(haveCondition(metav1.ConditionTrue, nhi.ReasonExpiresAtPassed))
		Eventually(conditionOf(o, nhi.ConditionReady)).Should(haveCondition(metav1.ConditionFalse, nhi.ReasonExpiresAtPassed))
		Expect(o.Status.History).To(ContainElement(And(
			HaveField("Type", "Transition"), HaveField("Name", "batch"), HaveField("Reason", "Expired"))))
		Eventually(s.eventsFor("batch")).Should(ContainElement(ContainSubstring("Warning Expired")))
	})

	It("flags an overdue review at its due time, and a Recertify review resets the clock", func() {
		s := newScenario()
		s.serviceAccount("reporter")
		approvedAt := time.Now().Truncate(time.Second)
		interval := nhi.Duration("4s")
		o := s.ownership("reporting", []nhi.IdentityReference{sa("reporter")}, func(o *nhi.IdentityOwnership) {
			o.Spec.Approval.ApprovedAt = metav1.NewTime(approvedAt)
			o.Spec.ReviewInterval = &interval
		})
		Eventually(s.stateOf(sa("reporter"))).Should(Equal("Owned"))
		Eventually(func() *metav1.Time { s.get(o)(); return o.Status.NextReviewBy }).
			Should(HaveField("Time", BeTemporally("==", approvedAt.Add(4*time.Second))))

		observeBy(approvedAt.Add(4*time.Second), s.findingLabel(sa("reporter")), "review-overdue")
		Expect(conditionOf(o, nhi.ConditionReviewDue)()).To(haveCondition(metav1.ConditionTrue, nhi.ReasonReviewOverdue))

		By("recertifying")
		review := &nhi.OwnershipReview{
			ObjectMeta: metav1.ObjectMeta{Name: "q4", Namespace: s.namespace},
			Spec: nhi.OwnershipReviewSpec{OwnershipRef: nhi.LocalObjectReference{Name: "reporting"},
				Reviewer: "dave@example.com", Decision: nhi.DecisionRecertify, Notes: "still needed"},
		}
		Expect(k8sClient.Create(ctx, review)).To(Succeed())
		Eventually(s.stateOf(sa("reporter"))).Should(Equal("Owned"))
		Eventually(s.findingLabel(sa("reporter"))).Should(BeEmpty())
		Eventually(conditionOf(review, nhi.ConditionCompleted)).Should(haveCondition(metav1.ConditionTrue, nhi.ReasonDecisionApplied))
		Expect(review.Status.CompletedAt).NotTo(BeNil())
		Expect(review.Status.OwnershipGeneration).To(Equal(o.Generation))
		Expect(review.Status.OwnershipUID).To(Equal(string(o.UID)))
		Eventually(func() *nhi.ReviewSummary { s.get(o)(); return o.Status.LastReview }).Should(And(
			Not(BeNil()), HaveField("Name", "q4"), HaveField("Reviewer", nhi.Person("dave@example.com"))))
		Expect(o.Status.NextReviewBy.Time).To(BeTemporally(">", approvedAt.Add(4*time.Second)))
	})

	It("rejects a review by one of the owner's own contacts", func() {
		s := newScenario()
		s.serviceAccount("api")
		s.ownership("api", []nhi.IdentityReference{sa("api")})
		review := &nhi.OwnershipReview{
			ObjectMeta: metav1.ObjectMeta{Name: "self", Namespace: s.namespace},
			Spec: nhi.OwnershipReviewSpec{OwnershipRef: nhi.LocalObjectReference{Name: "api"},
				Reviewer: "Alice@Example.com", Decision: nhi.DecisionRecertify},
		}
		Expect(k8sClient.Create(ctx, review)).To(Succeed())
		Eventually(conditionOf(review, nhi.ConditionCompleted)).Should(haveCondition(metav1.ConditionFalse, nhi.ReasonSelfReview))
		Expect(review.Status.CompletedAt).To(BeNil())
	})

	It("reports WouldRevoke for a Revoke review in DryRun, changing nothing else", func() {
		s := newScenario()
		s.serviceAccount("legacy")
		o := s.ownership("legacy", []nhi.IdentityReference{sa("legacy")})
		Eventually(s.stateOf(sa("legacy"))).Should(Equal("Owned"))

		review := &nhi.OwnershipReview{
			ObjectMeta: metav1.ObjectMeta{Name: "decommission", Namespace: s.namespace},
			Spec: nhi.OwnershipReviewSpec{OwnershipRef: nhi.LocalObjectReference{Name: "legacy"},
				Reviewer: "dave@example.com", Decision: nhi.DecisionRevoke, Notes: "service retired"},
		}
		Expect(k8sClient.Create(ctx, review)).To(Succeed())

		Eventually(func() map[string]string { return metadataOf(s.namespace, sa("legacy"))().Labels }).Should(And(
			HaveKeyWithValue(governance.LabelFinding, "unowned"), HaveKeyWithValue(governance.LabelWouldRevoke, "true")))
		Eventually(conditionOf(o, nhi.ConditionReady)).Should(haveCondition(metav1.ConditionFalse, "RevokedByReview"))
		Expect(o.Status.RevokedAt).NotTo(BeNil())
		Eventually(func() []nhi.RemediationAction { s.get(review)(); return review.Status.Actions }).Should(ContainElement(
			And(HaveField("Name", "legacy"), HaveField("Action", "WouldRevoke"))))
		Eventually(s.eventsFor("legacy")).Should(ContainElement(ContainSubstring("Warning WouldRevoke")))
		Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: s.namespace, Name: "legacy"}, &corev1.ServiceAccount{})).
			To(Succeed(), "DryRun must not delete anything")
	})

	It("reports WouldRevoke when a Revoke rule's grace ends in DryRun", func() {
		grace := nhi.Duration("3s")
		s := newScenario(func(spec *nhi.OwnershipPolicySpec) {
			spec.Rules = []nhi.PolicyRule{{Finding: nhi.FindingUnowned, Action: nhi.ActionRevoke, RevokeAfter: &grace}}
		})
		s.serviceAccount("stray")
		Eventually(s.findingLabel(sa("stray"))).Should(Equal("unowned"))
		since, err := time.Parse(time.RFC3339, metadataOf(s.namespace, sa("stray"))().Annotations[governance.AnnotationFindingSince])
		Expect(err).NotTo(HaveOccurred())
		Expect(metadataOf(s.namespace, sa("stray"))().Labels).NotTo(HaveKey(governance.LabelWouldRevoke))

		observeBy(since.Add(3*time.Second), func() string {
			return metadataOf(s.namespace, sa("stray"))().Labels[governance.LabelWouldRevoke]
		}, "true")
		Eventually(func() []string { return decisionsAbout(s.namespace, "stray") }).Should(ContainElement(
			And(ContainSubstring(`"type":"action"`), ContainSubstring(`"action":"WouldRevoke"`))))
		Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: s.namespace, Name: "stray"}, &corev1.ServiceAccount{})).To(Succeed())
	})

	It("waives only an exception's own findings, until the exception expires", func() {
		s := newScenario()
		s.serviceAccount("unapproved")
		s.ownership("draft", []nhi.IdentityReference{sa("unapproved")}, func(o *nhi.IdentityOwnership) {
			o.Spec.Approval = nil
		})
		Eventually(s.findingLabel(sa("unapproved"))).Should(Equal("unapproved"))

		By("an exception for an unrelated finding changes nothing")
		unrelated := &nhi.OwnershipException{
			ObjectMeta: metav1.ObjectMeta{Name: "unrelated", Namespace: s.namespace},
			Spec: nhi.OwnershipExceptionSpec{Identities: []nhi.IdentityReference{sa("unapproved")},
				Findings: []nhi.Finding{nhi.FindingRotationOverdue}, RiskAcceptedBy: "carol@example.com",
				Justification: "n/a", ExpiresAt: metav1.NewTime(time.Now().Add(time.Hour))},
		}
		Expect(k8sClient.Create(ctx, unrelated)).To(Succeed())
		Eventually(conditionOf(unrelated, nhi.ConditionActive)).Should(haveCondition(metav1.ConditionTrue, nhi.ReasonExceptionActive))
		Expect(s.stateOf(sa("unapproved"))()).To(Equal("Unapproved"))

		By("an exception for the finding waives it until it expires")
		expiresAt := time.Now().Add(4 * time.Second).Truncate(time.Second).Add(time.Second)
		waiver := &nhi.OwnershipException{
			ObjectMeta: metav1.ObjectMeta{Name: "waiver", Namespace: s.namespace},
			Spec: nhi.OwnershipExceptionSpec{Identities: []nhi.IdentityReference{sa("unapproved")},
				Findings: []nhi.Finding{nhi.FindingUnapproved}, RiskAcceptedBy: "carol@example.com",
				Justification: "approval ticket in flight", ExpiresAt: metav1.NewTime(expiresAt)},
		}
		Expect(k8sClient.Create(ctx, waiver)).To(Succeed())
		Eventually(s.stateOf(sa("unapproved"))).Should(Equal("Excepted"))
		Expect(s.findingLabel(sa("unapproved"))()).To(BeEmpty())
		Expect(metadataOf(s.namespace, sa("unapproved"))().Annotations).To(And(
			HaveKeyWithValue(governance.AnnotationFindings, "Unapproved"),
			HaveKeyWithValue(governance.AnnotationExceptedBy, "waiver")))
		Eventually(func() []nhi.IdentityReference { s.get(waiver)(); return waiver.Status.Identities }).
			Should(ConsistOf(sa("unapproved")))

		observeBy(expiresAt, s.findingLabel(sa("unapproved")), "unapproved")
		Eventually(conditionOf(waiver, nhi.ConditionActive)).Should(haveCondition(metav1.ConditionFalse, nhi.ReasonExceptionExpired))
		Expect(waiver.Status.ExpiredAt).NotTo(BeNil())
	})

	It("gives a contested identity to the older ownership and marks the newer one in conflict", func() {
		s := newScenario()
		s.serviceAccount("shared")
		// Ties in creation time (one-second precision) go to the first name.
		older := s.ownership("alpha", []nhi.IdentityReference{sa("shared")})
		Eventually(s.stateOf(sa("shared"))).Should(Equal("Owned"))
		newer := s.ownership("beta", []nhi.IdentityReference{sa("shared")}, func(o *nhi.IdentityOwnership) {
			o.Spec.Owner.Team = "platform"
		})

		Eventually(conditionOf(newer, nhi.ConditionConflict)).Should(haveCondition(metav1.ConditionTrue, nhi.ReasonOlderClaimExists))
		Expect(conflictMessage(newer)).To(ContainSubstring("IdentityOwnership alpha"))
		Expect(conditionOf(newer, nhi.ConditionReady)()).To(haveCondition(metav1.ConditionFalse, nhi.ReasonOlderClaimExists))
		Expect(conditionOf(older, nhi.ConditionConflict)()).To(haveCondition(metav1.ConditionFalse, nhi.ReasonNoConflict))
		Expect(metadataOf(s.namespace, sa("shared"))().Annotations).To(HaveKeyWithValue(governance.AnnotationOwnerTeam, "payments"))
	})

	It("flags a Secret due for rotation, and clears it once rotated", func() {
		s := newScenario()
		s.secret("db-password", corev1.SecretTypeBasicAuth)
		maxAge := nhi.Duration("4s")
		s.ownership("db", []nhi.IdentityReference{secretRef("db-password")}, func(o *nhi.IdentityOwnership) {
			o.Spec.Rotation = &nhi.Rotation{MaxAge: maxAge}
		})
		Eventually(s.stateOf(secretRef("db-password"))).Should(Equal("Owned"))
		created := metadataOf(s.namespace, secretRef("db-password"))().CreationTimestamp.Time

		observeBy(created.Add(4*time.Second), s.findingLabel(secretRef("db-password")), "rotation-overdue")

		secret := &corev1.Secret{}
		Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: s.namespace, Name: "db-password"}, secret)).To(Succeed())
		secret.Annotations[governance.AnnotationRotatedAt] = time.Now().UTC().Format(time.RFC3339)
		Expect(k8sClient.Update(ctx, secret)).To(Succeed())
		Eventually(s.stateOf(secretRef("db-password"))).Should(Equal("Owned"))
	})

	It("flags a legacy token Secret unused for longer than staleAfter", func() {
		staleAfter := nhi.Duration("720h")
		s := newScenario(func(spec *nhi.OwnershipPolicySpec) {
			spec.StaleAfter = &staleAfter
			spec.Rules = append(spec.Rules, nhi.PolicyRule{Finding: nhi.FindingStale, Action: nhi.ActionFlag})
		})
		s.serviceAccount("ci")
		token := &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: "ci-token", Namespace: s.namespace,
				Annotations: map[string]string{corev1.ServiceAccountNameKey: "ci"},
				Labels:      map[string]string{governance.LabelLegacyTokenLastUsed: "2026-01-15"}},
			Type: corev1.SecretTypeServiceAccountToken,
		}
		Expect(k8sClient.Create(ctx, token)).To(Succeed())
		s.ownership("ci", []nhi.IdentityReference{sa("ci"), secretRef("ci-token")})

		Eventually(s.findingLabel(secretRef("ci-token"))).Should(Equal("stale"))
		Expect(s.stateOf(sa("ci"))()).To(Equal("Owned"))
	})

	It("marks identities OwnerDeparted when every contact left the owner directory", func() {
		directory := &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{GenerateName: "people-", Namespace: stewardNamespace,
				Labels: map[string]string{"steward.dev/owner-directory": "true"}},
			Data: map[string]string{"active": "alice@example.com\nbob@example.com\ncarol@example.com\ndave@example.com\n"},
		}
		Expect(k8sClient.Create(ctx, directory)).To(Succeed())
		s := newScenario(func(spec *nhi.OwnershipPolicySpec) {
			spec.OwnerDirectory = &nhi.OwnerDirectory{Key: "active", MaxShrinkPercent: 50,
				ConfigMapRef: nhi.NamespacedName{Namespace: stewardNamespace, Name: directory.Name}}
			spec.Rules = append(spec.Rules, nhi.PolicyRule{Finding: nhi.FindingOwnerDeparted, Action: nhi.ActionFlag})
		})
		s.serviceAccount("api")
		o := s.ownership("api", []nhi.IdentityReference{sa("api")}, func(o *nhi.IdentityOwnership) {
			o.Spec.Owner.Contacts = []nhi.Person{"alice@example.com", "bob@example.com"}
		})
		Eventually(s.stateOf(sa("api"))).Should(Equal("Owned"))
		Eventually(conditionOf(s.policy, nhi.ConditionDirectoryUnavailable)).Should(haveCondition(metav1.ConditionFalse, nhi.ReasonDirectoryReadable))

		By("one contact leaves: a warning, nothing flagged")
		directory.Data["active"] = "alice@example.com\ncarol@example.com\ndave@example.com\n"
		Expect(k8sClient.Update(ctx, directory)).To(Succeed())
		Eventually(conditionOf(o, nhi.ConditionOwnerDeparted)).Should(haveCondition(metav1.ConditionTrue, nhi.ReasonSomeContactsDeparted))
		Expect(s.stateOf(sa("api"))()).To(Equal("Owned"))

		Eventually(func() *nhi.OwnerDeparture { s.get(o)(); return o.Status.Departure }).Should(And(Not(BeNil()),
			HaveField("DepartedContacts", ConsistOf(nhi.Person("bob@example.com"))), HaveField("AllDepartedAt", BeNil())))
		firstSeen := o.Status.Departure.FirstSeen

		By("the last contact leaves: the identity is OwnerDeparted, with the timeline recorded")
		directory.Data["active"] = "carol@example.com\ndave@example.com\n"
		Expect(k8sClient.Update(ctx, directory)).To(Succeed())
		Eventually(s.findingLabel(sa("api"))).Should(Equal("owner-departed"))
		Eventually(func() *nhi.OwnerDeparture { s.get(o)(); return o.Status.Departure }).Should(And(
			HaveField("FirstSeen", firstSeen), HaveField("AllDepartedAt", Not(BeNil()))))

		By("a mover: the ownership is transferred to a current employee, and the history says from whom to whom")
		s.get(o)()
		o.Spec.Owner = nhi.Owner{Team: "platform", Contacts: []nhi.Person{"dave@example.com"}}
		// A new owner needs a new approval: the approver records it.
		o.Spec.Approval.ApprovedAt = metav1.NewTime(time.Now().Truncate(time.Second))
		Expect(k8sClient.Update(ctx, o)).To(Succeed())
		Eventually(s.stateOf(sa("api"))).Should(Equal("Owned"))
		Eventually(func() []nhi.HistoryEntry { s.get(o)(); return o.Status.History }).Should(ContainElement(And(
			HaveField("Reason", "OwnershipTransferred"),
			HaveField("Message", "ownership transferred from team payments (alice@example.com, bob@example.com) to team platform (dave@example.com)"))))
		Expect(o.Status.Departure).To(BeNil())

		By("dave leaves too")
		directory.Data["active"] = "carol@example.com\n"
		Expect(k8sClient.Update(ctx, directory)).To(Succeed())
		Eventually(s.findingLabel(sa("api"))).Should(Equal("owner-departed"))

		By("an unreadable directory changes no state and is reported on the policy")
		Expect(k8sClient.Delete(ctx, directory)).To(Succeed())
		Eventually(conditionOf(s.policy, nhi.ConditionDirectoryUnavailable)).Should(haveCondition(metav1.ConditionTrue, nhi.ReasonDirectoryUnreadable))
		Consistently(s.findingLabel(sa("api"))).WithTimeout(2 * time.Second).Should(Equal("owner-departed"))
		Expect(conditionOf(o, nhi.ConditionOwnerDeparted)()).To(And(
			haveCondition(metav1.ConditionTrue, nhi.ReasonAllContactsDeparted),
			HaveField("Message", ContainSubstring("the owner directory is unavailable"))))
	})

	It("aggregates totals and violations on the policy, and reports a newer conflicting policy", func() {
		s := newScenario()
		s.serviceAccount("api")
		s.serviceAccount("orphan")
		s.ownership("api", []nhi.IdentityReference{sa("api")})
		Eventually(func() []int32 {
			s.get(s.policy)()
			status := s.policy.Status
			return []int32{status.GovernedNamespaces, status.TotalIdentities, status.TotalViolations}
		}).Should(Equal([]int32{1, 2, 1}))
		Expect(s.policy.Status.Totals).To(ConsistOf(
			nhi.StateCount{Kind: nhi.KindServiceAccount, State: nhi.StateUnowned, Count: 1},
			nhi.StateCount{Kind: nhi.KindServiceAccount, State: nhi.StateOwned, Count: 1}))
		Expect(s.policy.Status.Violations).To(ConsistOf(And(
			HaveField("Namespace", s.namespace), HaveField("Name", "orphan"), HaveField("State", nhi.StateUnowned),
			HaveField("Action", "Flag"))))

		rival := &nhi.OwnershipPolicy{ObjectMeta: metav1.ObjectMeta{Name: s.namespace + "-rival"},
			Spec: nhi.OwnershipPolicySpec{NamespaceSelector: s.policy.Spec.NamespaceSelector}}
		Expect(k8sClient.Create(ctx, rival)).To(Succeed())
		DeferCleanup(func() { Expect(k8sClient.Delete(ctx, rival)).To(Succeed()) })
		Eventually(conditionOf(rival, nhi.ConditionConflict)).Should(haveCondition(metav1.ConditionTrue, nhi.ReasonOlderClaimExists))
		Expect(conditionOf(s.policy, nhi.ConditionConflict)()).To(haveCondition(metav1.ConditionFalse, nhi.ReasonNoConflict))
	})

	It("makes a deleted ownership's identities Unowned", func() {
		s := newScenario()
		s.serviceAccount("api")
		o := s.ownership("api", []nhi.IdentityReference{sa("api")})
		Eventually(s.stateOf(sa("api"))).Should(Equal("Owned"))
		Expect(k8sClient.Delete(ctx, o)).To(Succeed())
		Eventually(s.findingLabel(sa("api"))).Should(Equal("unowned"))
		Expect(metadataOf(s.namespace, sa("api"))().Annotations).NotTo(HaveKey(governance.AnnotationOwnership))
	})
})

// conflictMessage is the Conflict condition's message of an ownership.
func conflictMessage(o *nhi.IdentityOwnership) string {
	c := conditionOf(o, nhi.ConditionConflict)()
	if c == nil {
		return ""
	}
	return c.Message
}
