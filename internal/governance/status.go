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

package governance

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

// ReasonNotGoverned: no OwnershipPolicy governs the object's namespace.
const ReasonNotGoverned = "NotGoverned"

// ReasonRevokedByReview: the latest completed review decided Revoke.
const ReasonRevokedByReview = "RevokedByReview"

// Condition builds a condition with a boolean status; the caller sets
// observedGeneration and lastTransitionTime.
func Condition(conditionType string, status bool, reason, message string) metav1.Condition {
	s := metav1.ConditionFalse
	if status {
		s = metav1.ConditionTrue
	}
	return metav1.Condition{Type: conditionType, Status: s, Reason: reason, Message: message}
}

// evaluateReviews decides every review's completion and returns the
// completed ones per ownership, oldest first. A review, once completed,
// stays completed: it is evidence of what was decided at the time.
func (e *evaluation) evaluateReviews(out map[string]*ReviewResult) map[string][]*nhi.OwnershipReview {
	byName := map[string]*nhi.IdentityOwnership{}
	for i := range e.s.Ownerships {
		byName[e.s.Ownerships[i].Name] = &e.s.Ownerships[i]
	}
	// Reviews completed earlier come first, in the order they were
	// completed (decisionSequence); reviews still pending are judged after
	// them, oldest first. So a pending review never slips before a decision
	// already taken, whatever its name or creation time.
	reviews := make([]*nhi.OwnershipReview, 0, len(e.s.Reviews))
	for i := range e.s.Reviews {
		reviews = append(reviews, &e.s.Reviews[i])
	}
	slices.SortFunc(reviews, func(a, b *nhi.OwnershipReview) int {
		aDone := meta.IsStatusConditionTrue(a.Status.Conditions, nhi.ConditionCompleted)
		bDone := meta.IsStatusConditionTrue(b.Status.Conditions, nhi.ConditionCompleted)
		switch {
		case aDone && !bDone:
			return -1
		case !aDone && bDone:
			return 1
		case aDone && a.Status.DecisionSequence != b.Status.DecisionSequence:
			return cmp.Compare(a.Status.DecisionSequence, b.Status.DecisionSequence)
		}
		return olderFirst(&a.ObjectMeta, &b.ObjectMeta)
	})
	sequence := map[string]int64{}

	completed := map[string][]*nhi.OwnershipReview{}
	for _, review := range reviews {
		res := &ReviewResult{OwnershipGeneration: review.Status.OwnershipGeneration,
			OwnershipUID: review.Status.OwnershipUID, DecisionSequence: review.Status.DecisionSequence}
		out[review.Name] = res
		ownership := byName[review.Spec.OwnershipRef.Name]
		alreadyCompleted := meta.IsStatusConditionTrue(review.Status.Conditions, nhi.ConditionCompleted)
		switch {
		case alreadyCompleted:
			res.Completed = true
			res.Conditions = []metav1.Condition{*meta.FindStatusCondition(review.Status.Conditions, nhi.ConditionCompleted)}
		case ownership == nil:
			res.Conditions = []metav1.Condition{Condition(nhi.ConditionCompleted, false, nhi.ReasonOwnershipNotFound,
				fmt.Sprintf("IdentityOwnership %q does not exist in this namespace", review.Spec.OwnershipRef.Name))}
		case isContact(ownership, review.Spec.Reviewer):
			res.Conditions = []metav1.Condition{Condition(nhi.ConditionCompleted, false, nhi.ReasonSelfReview,
				fmt.Sprintf("%s is a contact of IdentityOwnership %s and cannot review it; ask someone independent",
					review.Spec.Reviewer, ownership.Name))}
		case review.Spec.Decision == nhi.DecisionRecertify && !review.Spec.OverturnsRevoke &&
			lastDecision(completed[ownership.Name]) == nhi.DecisionRevoke:
			res.Conditions = []metav1.Condition{Condition(nhi.ConditionCompleted, false, nhi.ReasonRevokeNotOverturned,
				fmt.Sprintf("OwnershipReview %s decided Revoke on IdentityOwnership %s; a Recertify overturns it only "+
					"with spec.overturnsRevoke, which needs the verb overturn on ownershipreviews",
					completed[ownership.Name][len(completed[ownership.Name])-1].Name, ownership.Name))}
		default:
			res.Completed = true
			res.OwnershipGeneration, res.OwnershipUID = ownership.Generation, string(ownership.UID)
			res.Conditions = []metav1.Condition{Condition(nhi.ConditionCompleted, true, nhi.ReasonDecisionApplied,
				fmt.Sprintf("%s applied to IdentityOwnership %s generation %d",
					review.Spec.Decision, ownership.Name, ownership.Generation))}
		}
		ready := res.Conditions[0]
		ready.Type = nhi.ConditionReady
		res.Conditions = append(res.Conditions, ready)
		if res.Completed && ownership != nil {
			name := ownership.Name
			if res.DecisionSequence <= sequence[name] {
				res.DecisionSequence = sequence[name] + 1
			}
			sequence[name] = res.DecisionSequence
			completed[name] = append(completed[name], review)
		}
	}
	return completed
}

// lastDecision is the decision of the latest completed review; empty when
// there is none.
func lastDecision(completed []*nhi.OwnershipReview) nhi.ReviewDecision {
	if len(completed) == 0 {
		return ""
	}
	return completed[len(completed)-1].Spec.Decision
}

// exceptionStatus decides whether an exception is in force.
func exceptionStatus(x *nhi.OwnershipException, s *Snapshot) *ExceptionResult {
	res := &ExceptionResult{}
	expiresAt := x.Spec.ExpiresAt.Time
	res.Expired = !s.Now.Before(expiresAt)
	var active metav1.Condition
	switch {
	case s.Policy == nil:
		active = Condition(nhi.ConditionActive, false, ReasonNotGoverned, "no OwnershipPolicy governs this namespace")
	case res.Expired:
		active = Condition(nhi.ConditionActive, false, nhi.ReasonExceptionExpired,
			fmt.Sprintf("expired at %s; enforcement of %s resumed", formatTime(expiresAt), joinFindings(x.Spec.Findings)))
	default:
		maxDuration := ParseDuration(s.Policy.Spec.MaxExceptionDuration)
		if maxDuration > 0 && expiresAt.Sub(x.CreationTimestamp.Time) > maxDuration {
			active = Condition(nhi.ConditionActive, false, nhi.ReasonExceptionTooLong,
				fmt.Sprintf("spec.expiresAt is more than the policy's maxExceptionDuration (%s) after the exception's "+
					"creation; shorten it to take effect", maxDuration))
		} else {
			res.Active = true
			active = Condition(nhi.ConditionActive, true, nhi.ReasonExceptionActive,
				fmt.Sprintf("waives %s until %s, risk accepted by %s", joinFindings(x.Spec.Findings),
					formatTime(expiresAt), x.Spec.RiskAcceptedBy))
		}
	}
	expired := Condition(nhi.ConditionExpired, res.Expired, nhi.ReasonNotExpired, "")
	if res.Expired {
		expired.Reason, expired.Message = nhi.ReasonExpiresAtPassed, active.Message
	}
	ready := active
	ready.Type = nhi.ConditionReady
	if res.Expired {
		// An expired exception has done its job; it is not an error.
		ready.Status = metav1.ConditionTrue
	}
	res.Conditions = []metav1.Condition{ready, active, expired}
	return res
}

// ownershipResults builds every ownership's status from its facts and the
// evaluated identities.
func (e *evaluation) ownershipResults(identities []IdentityResult, out map[string]*OwnershipResult,
	byOwnership map[string][]int) {
	conflicts := e.conflicts(identities)
	for i, o := range e.ownerships {
		f := e.facts[i]
		res := &OwnershipResult{Revoked: f.revoked, ConflictsWith: conflicts[o.Name],
			DepartedContacts: f.departedContacts, AllDeparted: f.allDeparted, DepartureFrozen: f.departureFrozen,
			ApprovalRecord: f.approvalRecord}
		res.Identities, res.IdentityCount = statusRows(identities, byOwnership[o.Name])
		TrimContext(res.Identities, StatusContextBudget)
		if !f.reviewDue.IsZero() {
			due := f.reviewDue
			res.NextReviewBy = &due
		}
		if r := f.lastReview; r != nil {
			completedAt := r.CreationTimestamp
			if r.Status.CompletedAt != nil {
				completedAt = *r.Status.CompletedAt
			}
			res.LastReview = &nhi.ReviewSummary{Name: r.Name, Reviewer: r.Spec.Reviewer, Decision: r.Spec.Decision, CompletedAt: completedAt}
		}
		res.Conditions = e.ownershipConditions(f, res)
		out[o.Name] = res
	}
}

// statusRows are the rows of the first identities of covered (indices
// into identities) in status order, and how many covered holds: status
// holds no more than nhi.MaxStatusIdentities, and a namespace may hold
// tens of thousands.
func statusRows(identities []IdentityResult, covered []int) ([]nhi.IdentityStatus, int) {
	if len(covered) == 0 {
		return nil, 0
	}
	sorted := slices.Clone(covered) // covered keeps the snapshot's order for review actions
	slices.SortFunc(sorted, func(a, b int) int {
		x, y := identities[a].Identity, identities[b].Identity
		return compareIdentities(x.Kind, x.Name, y.Kind, y.Name)
	})
	sorted = sorted[:min(len(sorted), nhi.MaxStatusIdentities)]
	rows := make([]nhi.IdentityStatus, len(sorted))
	since := make([]metav1.Time, len(sorted)) // one allocation for every row's Since
	for k, j := range sorted {
		since[k] = metav1.NewTime(identities[j].Since)
		rows[k] = identityStatus(&identities[j], &since[k])
	}
	return rows, len(covered)
}

// conflicts maps each ownership that lost a claim to the older ownership
// that won it.
func (e *evaluation) conflicts(identities []IdentityResult) map[string]string {
	// winner[loser] is the oldest ownership that beat it on any identity, so
	// the answer does not depend on the order identities are listed in.
	winner := map[int]int{}
	for i := range identities {
		r := &identities[i]
		if !r.Governed {
			continue
		}
		for _, loser := range r.claims[min(1, len(r.claims)):] {
			if w, seen := winner[loser]; !seen || r.claims[0] < w {
				winner[loser] = r.claims[0]
			}
		}
	}
	conflicts := make(map[string]string, len(winner))
	for loser, w := range winner {
		conflicts[e.ownerships[loser].Name] = e.ownerships[w].Name
	}
	return conflicts
}

func (e *evaluation) ownershipConditions(f *ownershipFacts, res *OwnershipResult) []metav1.Condition {
	o := f.ownership
	var conds []metav1.Condition

	approved := Condition(nhi.ConditionApproved, o.Spec.Approval != nil, nhi.ReasonApproved, "")
	switch {
	case o.Spec.Approval != nil && f.approvalOutdated:
		approved.Status, approved.Reason = metav1.ConditionFalse, nhi.ReasonApprovalOutdated
		approved.Message = fmt.Sprintf("the approval by %s at %s (%s) was given for other identities, selector, owner "+
			"or expiry; it needs a new approval: the approver records a new spec.approval.approvedAt",
			o.Spec.Approval.ApprovedBy, formatTime(o.Spec.Approval.ApprovedAt.Time), o.Spec.Approval.Reference)
	case o.Spec.Approval != nil && f.approvalInFuture:
		approved.Status, approved.Reason = metav1.ConditionFalse, nhi.ReasonApprovalInFuture
		approved.Message = fmt.Sprintf("spec.approval.approvedAt %s is in the future; it counts as no approval until then",
			formatTime(o.Spec.Approval.ApprovedAt.Time))
	case o.Spec.Approval != nil:
		approved.Message = fmt.Sprintf("approved by %s at %s (%s)", o.Spec.Approval.ApprovedBy,
			formatTime(o.Spec.Approval.ApprovedAt.Time), o.Spec.Approval.Reference)
		if f.validityClamped {
			approved.Reason = nhi.ReasonValidityTooLong
			approved.Message += fmt.Sprintf("; the policy's maxValidity ends it at %s, before spec.expiresAt",
				formatTime(f.expiry))
		}
	case f.approvalRequired:
		approved.Reason, approved.Message = nhi.ReasonApprovalMissing, "the policy requires spec.approval"
	default:
		approved.Status, approved.Reason, approved.Message = metav1.ConditionTrue, nhi.ReasonApprovalNotRequired,
			"the policy does not require an approval"
	}
	conds = append(conds, approved)

	expired := Condition(nhi.ConditionExpired, f.expired, nhi.ReasonNotExpired, "expires at "+formatTime(f.expiry))
	if f.expired {
		expired.Reason, expired.Message = nhi.ReasonExpiresAtPassed, "expired at "+formatTime(f.expiry)
	}
	if f.validityClamped {
		expired.Message += "; the policy's maxValidity ends it before spec.expiresAt"
	}
	conds = append(conds, expired)

	reviewDue := Condition(nhi.ConditionReviewDue, f.reviewOverdue, nhi.ReasonReviewCurrent, "no periodic review required")
	if !f.reviewDue.IsZero() {
		reviewDue.Message = "next review due by " + formatTime(f.reviewDue)
		if f.reviewOverdue {
			reviewDue.Reason, reviewDue.Message = nhi.ReasonReviewOverdue, "review was due by "+formatTime(f.reviewDue)
		}
	}
	conds = append(conds, reviewDue)

	conflict := Condition(nhi.ConditionConflict, res.ConflictsWith != "", nhi.ReasonNoConflict, "")
	if res.ConflictsWith != "" {
		conflict.Reason = nhi.ReasonOlderClaimExists
		conflict.Message = fmt.Sprintf("IdentityOwnership %s is older and already covers some of these identities; "+
			"they are governed by it, not by this one", res.ConflictsWith)
	}
	conds = append(conds, conflict)

	departed := Condition(nhi.ConditionOwnerDeparted, len(f.departedContacts) > 0, nhi.ReasonContactsActive, "")
	switch {
	case f.allDeparted:
		departed.Reason = nhi.ReasonAllContactsDeparted
		departed.Message = "every contact has left the owner directory: " + strings.Join(f.departedContacts, ", ")
	case len(f.departedContacts) > 0:
		departed.Reason = nhi.ReasonSomeContactsDeparted
		departed.Message = "left the owner directory: " + strings.Join(f.departedContacts, ", ") +
			"; add a current contact before the others leave"
	}
	if f.departureFrozen {
		departed.Message += " (as last recorded: the owner directory is unavailable)"
	}
	conds = append(conds, departed, e.ownershipWarning(f))

	stalled := Condition(nhi.ConditionStalled, res.ConflictsWith != "", nhi.ReasonReconciled, "")
	if res.ConflictsWith != "" {
		stalled.Reason, stalled.Message = conflict.Reason, conflict.Message
	}
	conds = append(conds, stalled)

	return append(conds, e.readyCondition(f, res, conds))
}

// readyCondition summarises the ownership: True only when it is in force and
// nothing about it needs a human. Its message names no count: the count is
// status.identityCount, and a condition that changed with every identity
// created in the cover would make each one an urgent status write
// (statusBatch in the controller).
func (e *evaluation) readyCondition(f *ownershipFacts, res *OwnershipResult, conds []metav1.Condition) metav1.Condition {
	notReady := func(reason, message string) metav1.Condition {
		return Condition(nhi.ConditionReady, false, reason, message)
	}
	find := func(t string) metav1.Condition { return *meta.FindStatusCondition(conds, t) }
	switch {
	case e.s.Policy == nil:
		return notReady(ReasonNotGoverned, "no OwnershipPolicy governs this namespace; its identities are not evaluated")
	case res.ConflictsWith != "":
		c := find(nhi.ConditionConflict)
		return notReady(c.Reason, c.Message)
	case f.revoked:
		return notReady(ReasonRevokedByReview, fmt.Sprintf("OwnershipReview %s decided Revoke", f.lastReview.Name))
	case f.unapproved:
		c := find(nhi.ConditionApproved)
		return notReady(c.Reason, c.Message)
	case f.expired:
		c := find(nhi.ConditionExpired)
		return notReady(c.Reason, c.Message)
	case f.allDeparted:
		c := find(nhi.ConditionOwnerDeparted)
		return notReady(c.Reason, c.Message)
	case f.reviewOverdue:
		c := find(nhi.ConditionReviewDue)
		return notReady(c.Reason, c.Message)
	}
	return Condition(nhi.ConditionReady, true, nhi.ReasonReconciled,
		"in force, and nothing about it needs attention; status.identities lists what it covers")
}

// reviewActions lists, on each completed review, what its decision does to
// the ownership's identities. Entries already recorded keep their time.
func (e *evaluation) reviewActions(identities []IdentityResult, out map[string]*ReviewResult, byOwnership map[string][]int) {
	for i := range e.s.Reviews {
		review := &e.s.Reviews[i]
		res := out[review.Name]
		if !res.Completed {
			continue
		}
		res.Actions = slices.Clone(review.Status.Actions)
		for _, j := range byOwnership[review.Spec.OwnershipRef.Name] {
			r := &identities[j]
			action := "Recertified"
			if review.Spec.Decision == nhi.DecisionRecertify && review.Status.CompletedAt != nil {
				// Recertification covers what existed when it completed.
				continue
			}
			if review.Spec.Decision == nhi.DecisionRevoke {
				switch {
				case r.State == nhi.StateRevoked:
					action = "Revoked"
				case r.Action == ActionWouldRevoke:
					action = "WouldRevoke"
				case r.Action == ActionRevoke:
					action = "RevocationDue"
				default:
					continue
				}
			}
			entry := nhi.RemediationAction{Kind: r.Identity.Kind, Name: r.Identity.Name, Action: action,
				Time: metav1.NewTime(e.s.Now.Truncate(time.Second))}
			if !slices.ContainsFunc(res.Actions, func(a nhi.RemediationAction) bool {
				return a.Kind == entry.Kind && a.Name == entry.Name && a.Action == entry.Action
			}) && len(res.Actions) < 256 {
				res.Actions = append(res.Actions, entry)
			}
		}
	}
}

// identitiesByOwnership indexes the governed identities by the ownership
// covering them, in the snapshot's order.
func identitiesByOwnership(identities []IdentityResult) map[string][]int {
	index := map[string][]int{}
	for i := range identities {
		if r := &identities[i]; r.Governed && r.Ownership != "" {
			index[r.Ownership] = append(index[r.Ownership], i)
		}
	}
	return index
}

// compareIdentities orders identities by kind, then name: the order of
// every list of identities in status.
func compareIdentities(kindA nhi.IdentityKind, nameA string, kindB nhi.IdentityKind, nameB string) int {
	if kindA != kindB {
		return strings.Compare(string(kindA), string(kindB))
	}
	return strings.Compare(nameA, nameB)
}

// IdentityStatusOf is an identity's row in its ownership's status: its
// state, and the context a reviewer certifies (who uses it, what it can
// do, the cloud identities it is linked to) and the deadlines ahead.
func IdentityStatusOf(r *IdentityResult) nhi.IdentityStatus {
	since := metav1.NewTime(r.Since)
	return identityStatus(r, &since)
}

// identityStatus is IdentityStatusOf with the row's Since stored by the
// caller.
func identityStatus(r *IdentityResult, since *metav1.Time) nhi.IdentityStatus {
	row := nhi.IdentityStatus{
		Kind: r.Identity.Kind, Name: r.Identity.Name, UID: string(r.Identity.UID),
		State: r.State, Findings: r.Findings, Since: since,
		Usage: usageOf(r.Identity.Users), Access: r.Identity.Access, CloudIdentities: r.Identity.CloudIdentities,
		Warnings: r.Warnings, Held: r.Action == ActionHold,
	}
	if len(row.CloudIdentities) > nhi.MaxCloudIdentities {
		row.CloudIdentities = row.CloudIdentities[:nhi.MaxCloudIdentities]
	}
	return row
}

// StatusContextBudget bounds the bytes of context (workload names,
// namespaces, roles, cloud identities) one ownership's status rows carry,
// so that a status always fits in an object (etcd's limit is 1.5 MiB),
// however many identities and long names a tenant creates.
const StatusContextBudget = 256 << 10

// TrimContext keeps the rows' context within budget bytes: past it, the
// rows, from the last, keep only the counts and the risky permissions of
// their context, which are small; the names are dropped. explain and the
// PolicyReport still name them.
func TrimContext(rows []nhi.IdentityStatus, budget int) {
	total := 0
	for i := range rows {
		total += contextSize(&rows[i])
	}
	for i := len(rows) - 1; i >= 0 && total > budget; i-- {
		row := &rows[i]
		total -= contextSize(row)
		if row.Usage != nil {
			row.Usage = &nhi.IdentityUsage{Count: row.Usage.Count}
		}
		if row.Access != nil {
			trimmed := *row.Access
			trimmed.Namespaces, trimmed.Roles = nil, nil
			row.Access = &trimmed
		}
		row.CloudIdentities = nil
		total += contextSize(row)
	}
}

// contextSize approximates the bytes a row's context adds to its status.
func contextSize(row *nhi.IdentityStatus) int {
	size := 0
	if u := row.Usage; u != nil {
		for _, w := range u.Workloads {
			size += len(w.Kind) + len(w.Name) + 24
		}
	}
	if a := row.Access; a != nil {
		for _, n := range a.Namespaces {
			size += len(n) + 3
		}
		for _, r := range a.Roles {
			size += len(r) + 3
		}
		size += 16 * len(a.Risky)
	}
	for _, c := range row.CloudIdentities {
		size += len(c.Identity) + len(c.Annotation) + 40
	}
	for _, w := range row.Warnings {
		size += len(w.Object) + 60
	}
	return size
}

// usageOf summarises the users of an identity for status: how many, and
// the first few. nil when nothing uses it.
func usageOf(users []nhi.WorkloadReference) *nhi.IdentityUsage {
	if len(users) == 0 {
		return nil
	}
	return &nhi.IdentityUsage{Count: int32(len(users)), Workloads: slices.Clone(users[:min(len(users), nhi.MaxListedWorkloads)])}
}

func joinFindings(findings []nhi.Finding) string {
	return strings.Join(nhi.FindingNames(findings), ", ")
}
