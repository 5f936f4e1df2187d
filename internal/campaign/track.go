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
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/governance"
)

// Bounds of the campaign's status lists (the CRD's MaxItems).
const (
	FirstOutstandingLimit = 50
	RemediationLimit      = 500
)

// Current are the UIDs of the ownerships the cache holds now, by namespace
// and name: an item whose ownership is gone, or is a namesake, is closed.
type Current map[types.NamespacedName]types.UID

// Tracked is a campaign's new status and what changed in it.
type Tracked struct {
	Status nhi.AccessReviewCampaignStatus
	// Conditions are the campaign's conditions for that status, without
	// their times: the caller merges them into those recorded.
	Conditions []metav1.Condition
	// Decided are the indexes of the items this pass decided, and Deleted
	// those it closed because their ownership is gone.
	Decided, Deleted []int
	// NextDeadline is when the status changes with no other event (dueBy,
	// while items are outstanding before it); zero when none.
	NextDeadline time.Time
}

// Track records the decisions of a started campaign. reviews are the
// OwnershipReviews of the items' namespaces; current the ownerships now in
// the cache. A decision, once recorded, is never rewritten: only
// outstanding items are decided, or closed when their ownership is gone.
func Track(c *nhi.AccessReviewCampaign, reviews []nhi.OwnershipReview, current Current, now time.Time) Tracked {
	status := *c.Status.DeepCopy()
	out := Tracked{}
	byItem := map[types.NamespacedName][]*nhi.OwnershipReview{}
	for i := range reviews {
		r := &reviews[i]
		key := types.NamespacedName{Namespace: r.Namespace, Name: r.Spec.OwnershipRef.Name}
		byItem[key] = append(byItem[key], r)
	}
	stamp := metav1.NewTime(now.Truncate(time.Second))
	for i := range status.Items {
		item := &status.Items[i]
		if !Outstanding(item) {
			continue
		}
		key := types.NamespacedName{Namespace: item.Namespace, Name: item.Ownership}
		if r := decidingReview(c, item, byItem[key]); r != nil {
			completed := *r.Status.CompletedAt
			item.Decision, item.Reviewer, item.Review, item.DecidedAt = r.Spec.Decision, r.Spec.Reviewer, r.Name, &completed
			item.ReviewedGeneration = r.Status.OwnershipGeneration
			out.Decided = append(out.Decided, i)
			continue
		}
		if uid, exists := current[key]; !exists || string(uid) != item.OwnershipUID {
			item.OwnershipDeletedAt = stamp.DeepCopy()
			out.Deleted = append(out.Deleted, i)
		}
	}
	status.Remediations = remediations(status.Remediations, status.Items, reviews)
	count(&status, c.Spec.DueBy.Time, now)
	out.Conditions = conditions(c, &status, now)
	if status.Outstanding > 0 && now.Before(c.Spec.DueBy.Time) {
		out.NextDeadline = c.Spec.DueBy.Time
	}
	out.Status = status
	return out
}

// decidingReview is the review that decides an outstanding item, if any:
// of the reviews that qualify, the first Steward completed.
func decidingReview(c *nhi.AccessReviewCampaign, item *nhi.CampaignItem, reviews []*nhi.OwnershipReview) *nhi.OwnershipReview {
	var qualifying []*nhi.OwnershipReview
	for _, r := range reviews {
		if Decides(c, item, r) == "" {
			qualifying = append(qualifying, r)
		}
	}
	if len(qualifying) == 0 {
		return nil
	}
	return slices.MinFunc(qualifying, func(a, b *nhi.OwnershipReview) int {
		return cmp.Or(cmp.Compare(a.Status.DecisionSequence, b.Status.DecisionSequence),
			a.Status.CompletedAt.Compare(b.Status.CompletedAt.Time), cmp.Compare(a.Name, b.Name))
	})
}

// Decides says why a review does not decide an item; empty when it does.
// Every fact it reads is Steward's own or the API server's: the review's
// completion and the UID and generation of the ownership it applied to
// (Steward's, in the review's status; Steward also refuses a review by an
// ownership's current contact), the creation times of the review and the
// campaign (the API server's clock), the reviewer (authenticated at
// admission), and the item's frozen contacts (the campaign's status).
func Decides(c *nhi.AccessReviewCampaign, item *nhi.CampaignItem, r *nhi.OwnershipReview) string {
	switch {
	case r.Namespace != item.Namespace || r.Spec.OwnershipRef.Name != item.Ownership:
		return "reviews another ownership"
	case !meta.IsStatusConditionTrue(r.Status.Conditions, nhi.ConditionCompleted) || r.Status.CompletedAt == nil:
		return "not completed"
	case r.Status.OwnershipUID == "" || r.Status.OwnershipUID != item.OwnershipUID:
		return "applied to another ownership of the same name"
	case r.Status.OwnershipGeneration < item.OwnershipGeneration:
		return "applied to a generation older than the frozen one"
	case c.Status.StartedAt == nil || !r.CreationTimestamp.After(c.CreationTimestamp.Time):
		return "filed before the campaign"
	case governance.IsOneOf(item.Contacts, r.Spec.Reviewer):
		return "filed by a contact of the ownership when the scope was frozen"
	case !AllowedReviewer(c, r.Spec.Reviewer):
		return "reviewer not in spec.reviewers"
	}
	return ""
}

// AllowedReviewer says whether the campaign's spec.reviewers lets reviewer
// decide its items: anyone when it is empty.
func AllowedReviewer(c *nhi.AccessReviewCampaign, reviewer nhi.Person) bool {
	return len(c.Spec.Reviewers) == 0 || governance.IsOneOf(c.Spec.Reviewers, reviewer)
}

// Outstanding says whether an item still awaits a decision: neither
// decided nor closed because its ownership was deleted.
func Outstanding(item *nhi.CampaignItem) bool {
	return item.Decision == "" && item.OwnershipDeletedAt == nil
}

// remediations adds, after those already recorded, the actions each
// deciding Revoke review lists now: they progress (RevocationDue, then
// Revoked) after the decision. Recorded entries are kept even if their
// review is gone; at most RemediationLimit are kept, the oldest.
func remediations(existing []nhi.CampaignRemediation, items []nhi.CampaignItem,
	reviews []nhi.OwnershipReview) []nhi.CampaignRemediation {
	out := slices.Clone(existing)
	type key struct{ namespace, ownership, review, kind, name, action string }
	seen := map[key]bool{}
	for _, r := range out {
		seen[key{r.Namespace, r.Ownership, r.Review, string(r.Kind), r.Name, r.Action}] = true
	}
	byName := map[types.NamespacedName]*nhi.OwnershipReview{}
	for i := range reviews {
		byName[types.NamespacedName{Namespace: reviews[i].Namespace, Name: reviews[i].Name}] = &reviews[i]
	}
	for _, item := range items {
		if item.Decision != nhi.DecisionRevoke {
			continue
		}
		r := byName[types.NamespacedName{Namespace: item.Namespace, Name: item.Review}]
		if r == nil {
			continue
		}
		for _, a := range r.Status.Actions {
			k := key{item.Namespace, item.Ownership, item.Review, string(a.Kind), a.Name, a.Action}
			if seen[k] || len(out) >= RemediationLimit {
				continue
			}
			seen[k] = true
			out = append(out, nhi.CampaignRemediation{Namespace: item.Namespace, Ownership: item.Ownership,
				Review: item.Review, RemediationAction: a})
		}
	}
	return out
}

// count fills the counts, the progress and the first outstanding items.
func count(status *nhi.AccessReviewCampaignStatus, dueBy, now time.Time) {
	status.Total, status.Decided, status.Recertified, status.Revoked, status.Deleted = int32(len(status.Items)), 0, 0, 0, 0
	status.FirstOutstanding = nil
	var lastDone *metav1.Time
	done := func(at *metav1.Time) {
		if lastDone == nil || at.After(lastDone.Time) {
			lastDone = at
		}
	}
	for i := range status.Items {
		item := &status.Items[i]
		switch {
		case item.Decision == nhi.DecisionRecertify:
			status.Recertified++
		case item.Decision == nhi.DecisionRevoke:
			status.Revoked++
		case item.OwnershipDeletedAt != nil:
			status.Deleted++
			done(item.OwnershipDeletedAt)
			continue
		default:
			if len(status.FirstOutstanding) < FirstOutstandingLimit {
				status.FirstOutstanding = append(status.FirstOutstanding,
					nhi.CampaignItemReference{Namespace: item.Namespace, Ownership: item.Ownership, Team: item.Team})
			}
			continue
		}
		status.Decided++
		done(item.DecidedAt)
	}
	slices.SortFunc(status.FirstOutstanding, func(a, b nhi.CampaignItemReference) int {
		return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Ownership, b.Ownership))
	})
	status.Outstanding = status.Total - status.Decided - status.Deleted
	status.Overdue = 0
	if !now.Before(dueBy) {
		status.Overdue = status.Outstanding
	}
	status.PercentComplete = 100
	if status.Total > 0 {
		status.PercentComplete = (status.Decided + status.Deleted) * 100 / status.Total
	}
	status.Progress = fmt.Sprintf("%d/%d", status.Decided+status.Deleted, status.Total)
	if status.Deleted > 0 {
		status.Progress += fmt.Sprintf(", %d deleted", status.Deleted)
	}
	if status.Outstanding == 0 && status.CompletedAt == nil {
		completed := status.StartedAt
		if lastDone != nil && lastDone.After(completed.Time) {
			completed = lastDone
		}
		status.CompletedAt = completed.DeepCopy()
	}
}

// conditions are the campaign's kstatus conditions for its counts.
func conditions(c *nhi.AccessReviewCampaign, status *nhi.AccessReviewCampaignStatus, now time.Time) []metav1.Condition {
	due := governance.Timestamp(c.Spec.DueBy.Time)
	switch {
	case status.Outstanding == 0:
		return kstatus(completed, nhi.ReasonAllItemsDecided,
			fmt.Sprintf("all %d items done: %d recertified, %d revoked, %d ownerships deleted before a decision",
				status.Total, status.Recertified, status.Revoked, status.Deleted))
	case now.Before(c.Spec.DueBy.Time):
		return kstatus(reconciling, nhi.ReasonItemsOutstanding,
			fmt.Sprintf("%d of %d items outstanding, due by %s", status.Outstanding, status.Total, due))
	default:
		return kstatus(stalled, nhi.ReasonItemsOverdue,
			fmt.Sprintf("%d of %d items overdue since %s", status.Overdue, status.Total, due))
	}
}

// Refused are the conditions of a campaign whose scope was not frozen.
func Refused(refusal *Refusal) []metav1.Condition {
	return kstatus(stalled, refusal.Reason, refusal.Message)
}

// Waiting are the conditions of a campaign waiting for Steward to evaluate
// the ownerships in its scope before freezing it.
func Waiting(pending Pending) []metav1.Condition {
	shown := pending[:min(len(pending), 5)]
	return kstatus(reconciling, nhi.ReasonScopePending,
		fmt.Sprintf("waiting for Steward to evaluate %d ownerships before freezing the scope: %s",
			len(pending), strings.Join(shown, ", ")))
}

// phase is which of a campaign's kstatus conditions is True.
type phase int

const (
	reconciling phase = iota
	stalled
	completed
)

// kstatus are the four conditions of a campaign in a phase, all with the
// same reason and message: Completed and Ready when completed, otherwise
// Reconciling or Stalled.
func kstatus(p phase, reason, message string) []metav1.Condition {
	return []metav1.Condition{
		cond(nhi.ConditionCompleted, p == completed, reason, message),
		cond(nhi.ConditionReconciling, p == reconciling, reason, message),
		cond(nhi.ConditionStalled, p == stalled, reason, message),
		cond(nhi.ConditionReady, p == completed, reason, message),
	}
}

var cond = governance.Condition
