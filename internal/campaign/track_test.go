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

package campaign

import (
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

func started(reviewers ...nhi.Person) *nhi.AccessReviewCampaign {
	s := metav1.NewTime(start.Add(time.Second))
	return &nhi.AccessReviewCampaign{
		ObjectMeta: metav1.ObjectMeta{CreationTimestamp: metav1.NewTime(start)},
		Spec:       nhi.AccessReviewCampaignSpec{DueBy: metav1.NewTime(due), Reviewers: reviewers},
		Status: nhi.AccessReviewCampaignStatus{StartedAt: &s, Items: []nhi.CampaignItem{
			{Namespace: "pay", Ownership: "api", OwnershipUID: "u1", OwnershipGeneration: 2, Contacts: []nhi.Person{"alice@example.com"}},
			{Namespace: "pay", Ownership: "batch", OwnershipUID: "u2", OwnershipGeneration: 2, Contacts: []nhi.Person{"bob@example.com"}},
		}},
	}
}

type reviewOpt func(*nhi.OwnershipReview)

// frozenUIDs are the UIDs of the ownerships the campaign froze, by name.
var frozenUIDs = map[string]string{"api": "u1", "batch": "u2"}

func review(name, ownership string, reviewer nhi.Person, decision nhi.ReviewDecision, created, completed time.Time,
	seq int64, opts ...reviewOpt) nhi.OwnershipReview {
	at := metav1.NewTime(completed)
	r := nhi.OwnershipReview{ObjectMeta: metav1.ObjectMeta{Namespace: "pay", Name: name, CreationTimestamp: metav1.NewTime(created)},
		Spec: nhi.OwnershipReviewSpec{OwnershipRef: nhi.LocalObjectReference{Name: ownership}, Reviewer: reviewer, Decision: decision},
		Status: nhi.OwnershipReviewStatus{CompletedAt: &at, OwnershipGeneration: 2, OwnershipUID: frozenUIDs[ownership],
			DecisionSequence: seq,
			Conditions:       []metav1.Condition{{Type: nhi.ConditionCompleted, Status: metav1.ConditionTrue, Reason: nhi.ReasonDecisionApplied}}}}
	for _, o := range opts {
		o(&r)
	}
	return r
}

var (
	sameOwnerships = Current{{Namespace: "pay", Name: "api"}: "u1", {Namespace: "pay", Name: "batch"}: "u2"}
	later          = start.Add(time.Hour)
)

func TestTrackDecides(t *testing.T) {
	recreated := Current{{Namespace: "pay", Name: "api"}: "u9", {Namespace: "pay", Name: "batch"}: "u2"}
	deleted := Current{{Namespace: "pay", Name: "batch"}: "u2"}
	dave := func(name string, opts ...reviewOpt) []nhi.OwnershipReview {
		return []nhi.OwnershipReview{review(name, "api", "dave@example.com", nhi.DecisionRecertify, later, later, 1, opts...)}
	}
	tests := []struct {
		name      string
		reviewers []nhi.Person
		reviews   []nhi.OwnershipReview
		current   Current
		want      string // the review deciding item api; empty: none
		// wantDeleted: the item is closed because its ownership is gone.
		wantDeleted bool
		// wantReviewed is the generation recorded as reviewed; 0: unchecked.
		wantReviewed int64
	}{
		{name: "a completed review filed after the campaign decides", reviews: dave("r1"), want: "r1", wantReviewed: 2},
		{name: "filed in the campaign's creation second does not",
			reviews: []nhi.OwnershipReview{review("r1", "api", "dave@example.com", nhi.DecisionRecertify, start, later, 1)}},
		{name: "filed before the campaign does not",
			reviews: []nhi.OwnershipReview{review("r1", "api", "dave@example.com", nhi.DecisionRecertify, start.Add(-time.Second), later, 1)}},
		{name: "not completed (a self review, say) does not",
			reviews: dave("r1", func(r *nhi.OwnershipReview) { r.Status.Conditions[0].Status = metav1.ConditionFalse })},
		{name: "another namespace does not", reviews: dave("r1", func(r *nhi.OwnershipReview) { r.Namespace = "shop" })},
		{name: "a reviewer not in spec.reviewers does not", reviewers: []nhi.Person{"dave@example.com"},
			reviews: []nhi.OwnershipReview{review("r1", "api", "erin@example.com", nhi.DecisionRecertify, later, later, 1)}},
		{name: "spec.reviewers compares case-insensitively", reviewers: []nhi.Person{"Dave@Example.com"}, reviews: dave("r1"), want: "r1"},
		{name: "a contact when the scope was frozen does not, even after leaving the contacts and being accepted by Steward",
			reviews: []nhi.OwnershipReview{review("r1", "api", "ALICE@example.com", nhi.DecisionRecertify, later, later, 1)}},
		{name: "the first completed decides, whatever the names",
			reviews: []nhi.OwnershipReview{review("b", "api", "dave@example.com", nhi.DecisionRevoke, later, later, 2),
				review("z", "api", "dave@example.com", nhi.DecisionRecertify, later, later, 1)}, want: "z"},
		{name: "applied to a namesake does not, and the replaced ownership's item is closed", current: recreated,
			reviews: dave("r1", func(r *nhi.OwnershipReview) { r.Status.OwnershipUID = "u9" }), wantDeleted: true},
		{name: "applied to a namesake since deleted does not", current: deleted,
			reviews: dave("r1", func(r *nhi.OwnershipReview) { r.Status.OwnershipUID = "u9" }), wantDeleted: true},
		{name: "applied to the frozen ownership before it was deleted decides", current: deleted, reviews: dave("r1"), want: "r1"},
		{name: "the ownership deleted with no review: the item is closed", current: deleted, wantDeleted: true},
		{name: "a review with no ownership UID recorded does not",
			reviews: dave("r1", func(r *nhi.OwnershipReview) { r.Status.OwnershipUID = "" })},
		{name: "applied to a generation older than the frozen one does not",
			reviews: dave("r1", func(r *nhi.OwnershipReview) { r.Status.OwnershipGeneration = 1 })},
		{name: "applied to a later generation decides, and records it",
			reviews: dave("r1", func(r *nhi.OwnershipReview) { r.Status.OwnershipGeneration = 3 }), want: "r1", wantReviewed: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			current := tt.current
			if current == nil {
				current = sameOwnerships
			}
			got := Track(started(tt.reviewers...), tt.reviews, current, later)
			item := got.Status.Items[0]
			if item.Review != tt.want {
				t.Fatalf("decided by %q, want %q", item.Review, tt.want)
			}
			if deleted := item.OwnershipDeletedAt != nil; deleted != tt.wantDeleted || deleted != (len(got.Deleted) == 1) {
				t.Fatalf("closed as deleted: %v (pass closed %v), want %v", deleted, got.Deleted, tt.wantDeleted)
			}
			if tt.wantReviewed != 0 && item.ReviewedGeneration != tt.wantReviewed {
				t.Fatalf("reviewed generation %d, want %d", item.ReviewedGeneration, tt.wantReviewed)
			}
		})
	}
}

// counts are a status's figures, compared at once.
type counts struct {
	total, decided, recertified, revoked, outstanding, overdue, percent int32
	progress                                                            string
}

func countsOf(s nhi.AccessReviewCampaignStatus) counts {
	return counts{s.Total, s.Decided, s.Recertified, s.Revoked, s.Outstanding, s.Overdue, s.PercentComplete, s.Progress}
}

// hasCondition says whether conditions hold conditionType True with reason.
func hasCondition(conditions []metav1.Condition, conditionType, reason string) bool {
	c := meta.FindStatusCondition(conditions, conditionType)
	return c != nil && c.Status == metav1.ConditionTrue && c.Reason == reason
}

func TestTrackStatus(t *testing.T) {
	revoke := review("retire", "batch", "dave@example.com", nhi.DecisionRevoke, later, later, 1,
		func(r *nhi.OwnershipReview) {
			r.Status.Actions = []nhi.RemediationAction{{Kind: nhi.KindServiceAccount, Name: "batch", Action: "RevocationDue"}}
		})
	c := started()

	first := Track(c, []nhi.OwnershipReview{revoke}, sameOwnerships, later)
	s := first.Status
	if got, want := countsOf(s), (counts{2, 1, 0, 1, 1, 0, 50, "1/2"}); got != want {
		t.Fatalf("counts = %+v, want %+v", got, want)
	}
	if len(first.Decided) != 1 || !first.NextDeadline.Equal(due) || s.CompletedAt != nil {
		t.Fatalf("decided %v, next deadline %v, completed %v", first.Decided, first.NextDeadline, s.CompletedAt)
	}
	if len(s.FirstOutstanding) != 1 || s.FirstOutstanding[0].Ownership != "api" || len(s.Remediations) != 1 {
		t.Fatalf("outstanding %v, remediations %v", s.FirstOutstanding, s.Remediations)
	}
	if !hasCondition(first.Conditions, nhi.ConditionReconciling, nhi.ReasonItemsOutstanding) {
		t.Fatalf("conditions = %+v", first.Conditions)
	}

	// Later: the revocation progressed, a later review would say otherwise,
	// the deciding review is gone, and dueBy passed.
	c.Status = s
	revoke.Status.Actions = append(revoke.Status.Actions, nhi.RemediationAction{Kind: nhi.KindServiceAccount, Name: "batch", Action: "Revoked"})
	overdue := Track(c, []nhi.OwnershipReview{revoke,
		review("again", "batch", "dave@example.com", nhi.DecisionRecertify, later, later, 2)}, sameOwnerships, due)
	s = overdue.Status
	if s.Items[1].Review != "retire" || len(overdue.Decided) != 0 || len(s.Remediations) != 2 || s.Remediations[1].Action != "Revoked" {
		t.Fatalf("items %+v, remediations %+v", s.Items, s.Remediations)
	}
	if s.Overdue != 1 || !overdue.NextDeadline.IsZero() || !hasCondition(overdue.Conditions, nhi.ConditionStalled, nhi.ReasonItemsOverdue) {
		t.Fatalf("status %+v, conditions %+v", s, overdue.Conditions)
	}
	c.Status = s
	gone := Track(c, nil, sameOwnerships, due)
	if len(gone.Status.Remediations) != 2 || gone.Status.Items[1].Decision != nhi.DecisionRevoke {
		t.Fatalf("a deleted review took its record: %+v", gone.Status)
	}

	done := Track(c, []nhi.OwnershipReview{review("api-ok", "api", "dave@example.com", nhi.DecisionRecertify, later, due.Add(time.Hour), 1)},
		sameOwnerships, due.Add(2*time.Hour))
	s = done.Status
	if got, want := countsOf(s), (counts{2, 2, 1, 1, 0, 0, 100, "2/2"}); got != want {
		t.Fatalf("counts = %+v, want %+v", got, want)
	}
	if s.CompletedAt == nil || !s.CompletedAt.Time.Equal(due.Add(time.Hour)) ||
		!hasCondition(done.Conditions, nhi.ConditionReady, nhi.ReasonAllItemsDecided) ||
		!hasCondition(done.Conditions, nhi.ConditionCompleted, nhi.ReasonAllItemsDecided) {
		t.Fatalf("status %+v, conditions %+v", s, done.Conditions)
	}

	empty := &nhi.AccessReviewCampaign{Spec: c.Spec, Status: nhi.AccessReviewCampaignStatus{StartedAt: c.Status.StartedAt}}
	if e := Track(empty, nil, nil, later).Status; e.PercentComplete != 100 || e.Progress != "0/0" || e.CompletedAt == nil {
		t.Fatalf("empty scope: %+v", e)
	}
}

// TestTrackDeletedOwnership: an item whose ownership was deleted before a
// decision is closed, counted apart, and lets the campaign complete.
func TestTrackDeletedOwnership(t *testing.T) {
	got := Track(started(), []nhi.OwnershipReview{review("b", "batch", "dave@example.com", nhi.DecisionRecertify, later, later, 1)},
		Current{{Namespace: "pay", Name: "batch"}: "u2"}, later)
	s := got.Status
	if want := (counts{2, 1, 1, 0, 0, 0, 100, "2/2, 1 deleted"}); countsOf(s) != want || s.Deleted != 1 {
		t.Fatalf("counts = %+v (deleted %d), want %+v and 1 deleted", countsOf(s), s.Deleted, want)
	}
	if s.Items[0].OwnershipDeletedAt == nil || s.Items[0].Decision != "" || s.CompletedAt == nil ||
		!hasCondition(got.Conditions, nhi.ConditionCompleted, nhi.ReasonAllItemsDecided) {
		t.Fatalf("item %+v, completed %v, conditions %+v", s.Items[0], s.CompletedAt, got.Conditions)
	}
	// Closed once: the ownership re-created later does not reopen the item.
	c := started()
	c.Status = s
	again := Track(c, nil, sameOwnerships, later.Add(time.Hour))
	if len(again.Deleted) != 0 || !again.Status.Items[0].OwnershipDeletedAt.Equal(s.Items[0].OwnershipDeletedAt) {
		t.Fatalf("closed again: %+v", again)
	}
}
