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
	"os"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/report"
)

// campaignCondition reads a condition of a campaign.
func campaignCondition(c *nhi.AccessReviewCampaign, conditionType string) func() *metav1.Condition {
	return func() *metav1.Condition {
		if err := k8sClient.Get(ctx, client.ObjectKeyFromObject(c), c); err != nil {
			return nil
		}
		return meta.FindStatusCondition(c.Status.Conditions, conditionType)
	}
}

func campaignStatus(c *nhi.AccessReviewCampaign) func() nhi.AccessReviewCampaignStatus {
	return func() nhi.AccessReviewCampaignStatus {
		_ = k8sClient.Get(ctx, client.ObjectKeyFromObject(c), c)
		return c.Status
	}
}

func itemOf(c *nhi.AccessReviewCampaign, ownership string) func() nhi.CampaignItem {
	return func() nhi.CampaignItem {
		for _, item := range campaignStatus(c)().Items {
			if item.Ownership == ownership {
				return item
			}
		}
		return nhi.CampaignItem{}
	}
}

// evidencePack runs `kubectl steward report -o json ARGS` and reads it.
func evidencePack(args ...string) report.Report {
	GinkgoHelper()
	out, err := runPlugin(append([]string{"report", "-o", "json"}, args...)...)
	Expect(err).NotTo(HaveOccurred(), out)
	var pack report.Report
	Expect(json.Unmarshal([]byte(out), &pack)).To(Succeed(), out)
	return pack
}

func (s *scenario) review(name, ownership string, reviewer nhi.Person, decision nhi.ReviewDecision) *nhi.OwnershipReview {
	review := &nhi.OwnershipReview{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: s.namespace},
		Spec: nhi.OwnershipReviewSpec{OwnershipRef: nhi.LocalObjectReference{Name: ownership},
			Reviewer: reviewer, Decision: decision},
	}
	Expect(k8sClient.Create(ctx, review)).To(Succeed())
	return review
}

var _ = Describe("An access review campaign", func() {
	It("freezes its scope, records each decision once, follows the revocations and completes", func() {
		// Budget enough for every revocation of the spec: the identities are
		// Unowned (and revoked) until their ownerships exist, and the deleted
		// ownership's identity is revoked too.
		s := newScenario(enforcing(nhi.RevokeRemoveBindings), func(spec *nhi.OwnershipPolicySpec) {
			spec.Revocation.MaxRevocationsPerHour = ptr.To[int32](100)
		})
		for _, name := range []string{"api", "batch", "cron", "temp"} {
			s.serviceAccount(name)
		}
		binding := s.bindRole("reader", "batch")
		for _, name := range []string{"api", "batch", "cron", "temp"} {
			s.ownership(name, []nhi.IdentityReference{sa(name)})
			Eventually(s.stateOf(sa(name))).Should(Equal("Owned"))
		}

		By("starting a campaign over the policy: the scope is frozen")
		dueBy := metav1.NewTime(time.Now().Add(20 * time.Second).Truncate(time.Second))
		c := &nhi.AccessReviewCampaign{
			ObjectMeta: metav1.ObjectMeta{Name: s.namespace + "-q4"},
			Spec: nhi.AccessReviewCampaignSpec{
				Scope:       nhi.CampaignScope{Policy: s.policy.Name},
				DueBy:       dueBy,
				Reviewers:   []nhi.Person{"Dave@Example.com"},
				Description: "Q4 access review",
			},
		}
		Expect(k8sClient.Create(ctx, c)).To(Succeed())
		DeferCleanup(func() { Expect(client.IgnoreNotFound(k8sClient.Delete(ctx, c))).To(Succeed()) })
		Eventually(func() int32 { return campaignStatus(c)().Total }).Should(BeEquivalentTo(4))
		Expect(c.Status.StartedAt).NotTo(BeNil())
		Expect(c.Status.Items).To(HaveExactElements(
			And(HaveField("Ownership", "api"), HaveField("Identities", ConsistOf(sa("api"))), HaveField("IdentityCount", BeEquivalentTo(1)),
				HaveField("Team", "payments"), HaveField("Decision", BeEmpty())),
			And(HaveField("Ownership", "batch"), HaveField("Identities", ConsistOf(sa("batch")))),
			And(HaveField("Ownership", "cron"), HaveField("Identities", ConsistOf(sa("cron")))),
			And(HaveField("Ownership", "temp"), HaveField("Identities", ConsistOf(sa("temp")))),
		))
		Expect(c.Status.Progress).To(Equal("0/4"))
		Expect(campaignCondition(c, nhi.ConditionReconciling)()).To(haveCondition(metav1.ConditionTrue, nhi.ReasonItemsOutstanding))
		Expect(countLines(decisionsAbout(s.namespace, "api"), `"type":"campaign"`, `"action":"ItemFrozen"`,
			`"identities":["ServiceAccount/api"]`)).To(Equal(1))

		By("not taking in an ownership created after the start")
		s.serviceAccount("late")
		s.ownership("late", []nhi.IdentityReference{sa("late")})

		By("an ownership deleted before any decision: its item is closed, not left to stall the campaign")
		Expect(k8sClient.Delete(ctx, &nhi.IdentityOwnership{ObjectMeta: metav1.ObjectMeta{Name: "temp", Namespace: s.namespace}})).To(Succeed())
		s.ownership("temp", []nhi.IdentityReference{sa("temp")}) // a namesake: not the frozen ownership
		Eventually(itemOf(c, "temp")).Should(And(HaveField("OwnershipDeletedAt", Not(BeNil())), HaveField("Decision", BeEmpty())))
		s.review("temp-q4", "temp", "dave@example.com", nhi.DecisionRecertify)
		Consistently(func() nhi.ReviewDecision { return itemOf(c, "temp")().Decision }).WithTimeout(time.Second).Should(BeEmpty(),
			"a review of the namesake decided the frozen ownership's item")
		Expect(countLines(decisionsAbout(s.namespace, "temp"), `"type":"campaign"`, `"action":"ItemDeleted"`)).To(Equal(1))

		By("a Recertify by an allowed reviewer deciding item 1")
		s.review("api-q4", "api", "dave@example.com", nhi.DecisionRecertify)
		Eventually(itemOf(c, "api")).Should(And(HaveField("Decision", nhi.DecisionRecertify),
			HaveField("Reviewer", nhi.Person("dave@example.com")), HaveField("Review", "api-q4"), HaveField("DecidedAt", Not(BeNil()))))

		By("a review by someone not in spec.reviewers not deciding item 2, then a Revoke by an allowed one deciding it")
		other := s.review("batch-erin", "batch", "erin@example.com", nhi.DecisionRecertify)
		Eventually(conditionOf(other, nhi.ConditionCompleted)).Should(haveCondition(metav1.ConditionTrue, nhi.ReasonDecisionApplied))
		Consistently(func() nhi.ReviewDecision { return itemOf(c, "batch")().Decision }).WithTimeout(time.Second).Should(BeEmpty())
		s.review("batch-q4", "batch", "dave@example.com", nhi.DecisionRevoke)
		Eventually(itemOf(c, "batch")).Should(And(HaveField("Decision", nhi.DecisionRevoke), HaveField("Review", "batch-q4")))

		By("the revocation under Enforce following, and appearing in the remediations")
		Eventually(s.findingLabel(sa("batch"))).WithTimeout(30*time.Second).Should(Equal("revoked"), func() string { return strings.Join(decisionsAbout(s.namespace, "batch"), "\n") })
		Eventually(subjectsOf(binding)).Should(BeEmpty())
		Eventually(func() []nhi.CampaignRemediation { return campaignStatus(c)().Remediations }).Should(ContainElement(
			And(HaveField("Ownership", "batch"), HaveField("Review", "batch-q4"), HaveField("Name", "batch"),
				HaveField("Action", "Revoked"))))
		Expect(countLines(decisionsAbout(s.namespace, "batch"), `"type":"campaign"`, `"action":"ItemDecided"`,
			`"reason":"Revoke"`, `"reviewer":"dave@example.com"`)).To(Equal(1))

		By("item 3 left undecided past dueBy: Stalled, ItemsOverdue")
		Eventually(campaignCondition(c, nhi.ConditionStalled)).WithTimeout(time.Until(dueBy.Time) + 10*time.Second).
			Should(haveCondition(metav1.ConditionTrue, nhi.ReasonItemsOverdue))
		Expect(c.Status.Overdue).To(BeEquivalentTo(1))
		Expect(c.Status.FirstOutstanding).To(HaveExactElements(HaveField("Ownership", "cron")))
		Expect(campaignCondition(c, nhi.ConditionReady)()).To(haveCondition(metav1.ConditionFalse, nhi.ReasonItemsOverdue))

		By("ownerships changed or deleted after their decision keeping it")
		api := &nhi.IdentityOwnership{}
		Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: s.namespace, Name: "api"}, api)).To(Succeed())
		api.Spec.Purpose = "Serves the public API"
		Expect(k8sClient.Update(ctx, api)).To(Succeed())
		Expect(k8sClient.Delete(ctx, &nhi.IdentityOwnership{ObjectMeta: metav1.ObjectMeta{Name: "batch", Namespace: s.namespace}})).To(Succeed())

		By("deciding item 3: Completed, Ready")
		s.review("cron-q4", "cron", "dave@example.com", nhi.DecisionRecertify)
		Eventually(campaignCondition(c, nhi.ConditionReady)).Should(haveCondition(metav1.ConditionTrue, nhi.ReasonAllItemsDecided))
		Expect(campaignCondition(c, nhi.ConditionCompleted)()).To(haveCondition(metav1.ConditionTrue, nhi.ReasonAllItemsDecided))
		Expect(c.Status.Total).To(BeEquivalentTo(4), "an ownership created after the start is not in scope")
		Expect(c.Status.PercentComplete).To(BeEquivalentTo(100))
		Expect(c.Status.Progress).To(Equal("4/4, 1 deleted"))
		Expect(c.Status.Deleted).To(BeEquivalentTo(1))
		Expect(c.Status.CompletedAt).NotTo(BeNil())
		Expect(itemOf(c, "api")()).To(HaveField("Decision", nhi.DecisionRecertify))
		Expect(itemOf(c, "batch")()).To(And(HaveField("Decision", nhi.DecisionRevoke), HaveField("Review", "batch-q4")))
		Expect(c.Status.Recertified).To(BeEquivalentTo(2))
		Expect(c.Status.Revoked).To(BeEquivalentTo(1))

		By("the evidence pack, from the cluster and the decision log")
		logFile := filepath.Join(GinkgoT().TempDir(), "decisions.jsonl")
		logged := decisions.String()
		Expect(os.WriteFile(logFile, []byte(logged[:strings.LastIndex(logged, "\n")+1]), 0o600)).To(Succeed())
		pack := evidencePack("--campaign", c.Name, "--log", logFile)
		Expect(pack.Campaigns).To(HaveExactElements(And(HaveField("Name", c.Name), HaveField("Record", report.RecordCampaignStatus),
			HaveField("Status", nhi.ConditionCompleted), HaveField("Decided", 3), HaveField("Total", 4),
			HaveField("Deleted", 1), HaveField("Revoked", 1), HaveField("Overdue", 0))))
		Expect(pack.Revocations).To(ContainElement(And(HaveField("Namespace", s.namespace), HaveField("Name", "batch"),
			HaveField("Review", "batch-q4"), HaveField("Campaign", c.Name), HaveField("Enforcement", "Enforce"),
			HaveField("Records", ContainElements(report.RecordDecisionLog, report.RecordCampaign)))))
		Expect(pack.Integrity.DecisionLog).To(And(Not(BeNil()), HaveField("Intact", true)))
		Expect(pack.Integrity.Digest).To(MatchRegexp("^[0-9a-f]{64}$"))

		By("the campaign deleted after its quarter: the log still holds it")
		Expect(k8sClient.Delete(ctx, c)).To(Succeed())
		Eventually(func() bool { return apierrors.IsNotFound(k8sClient.Get(ctx, client.ObjectKeyFromObject(c), c)) }).Should(BeTrue())
		fromLog := evidencePack("--campaign", c.Name, "--log", logFile)
		Expect(fromLog.Campaigns).To(ContainElement(And(HaveField("Name", c.Name), HaveField("Record", report.RecordDecisionLog),
			HaveField("Status", nhi.ConditionCompleted), HaveField("Decided", 3), HaveField("Recertified", 2),
			HaveField("Deleted", 1), HaveField("Revoked", 1), HaveField("Decisions", ContainElement(And(HaveField("Ownership", "batch"),
				HaveField("Decision", "Revoke"), HaveField("Reviewer", "dave@example.com"), HaveField("Review", "batch-q4")))))))
	})
})
