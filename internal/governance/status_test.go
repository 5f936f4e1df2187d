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
	"fmt"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

const (
	condTrue  = metav1.ConditionTrue
	condFalse = metav1.ConditionFalse
)

func cond(condType string, status metav1.ConditionStatus, reason string) wantCond {
	return wantCond{Type: condType, Status: status, Reason: reason}
}

func remediation(ref nhi.IdentityReference, action string, at time.Time) nhi.RemediationAction {
	return nhi.RemediationAction{Kind: ref.Kind, Name: ref.Name, Action: action, Time: metav1.NewTime(at)}
}

// ---- reviews ----

type reviewWant struct {
	completed  bool
	conds      []wantCond // Completed and Ready
	generation int64
	actions    []nhi.RemediationAction
}

type ownershipWant struct {
	revoked    bool
	ready      wantCond
	lastReview *nhi.ReviewSummary
}

func TestReviews(t *testing.T) {
	api := sa("api")
	coversAPI := covers(saRef("api"))
	completedOK := []wantCond{cond(nhi.ConditionCompleted, condTrue, nhi.ReasonDecisionApplied),
		cond(nhi.ConditionReady, condTrue, nhi.ReasonDecisionApplied)}
	selfReview := []wantCond{cond(nhi.ConditionCompleted, condFalse, nhi.ReasonSelfReview),
		cond(nhi.ConditionReady, condFalse, nhi.ReasonSelfReview)}
	readyOwnership := cond(nhi.ConditionReady, condTrue, nhi.ReasonReconciled)
	revokedOwnership := cond(nhi.ConditionReady, condFalse, ReasonRevokedByReview)
	summary := func(name string, reviewer nhi.Person, d nhi.ReviewDecision, at time.Time) *nhi.ReviewSummary {
		return &nhi.ReviewSummary{Name: name, Reviewer: reviewer, Decision: d, CompletedAt: metav1.NewTime(at)}
	}
	revokeAt := ref.Add(-time.Hour)
	revoke := func(opts ...reviewOpt) nhi.OwnershipReview {
		return newReview("r-revoke", "payments", carol, nhi.DecisionRevoke, revokeAt, opts...)
	}
	owned := want{state: nhi.StateOwned, ownership: "payments", next: ownershipExpiry}
	wouldRevoke := want{
		state: nhi.StateUnowned, findings: findings(nhi.FindingUnowned), ownership: "payments",
		action: ActionWouldRevoke, reason: "ReviewDecidedRevoke", revokeAt: ref, next: ownershipExpiry,
		labels: map[string]string{LabelFinding: "unowned", LabelWouldRevoke: "true"},
	}

	cases := []struct {
		name       string
		snapshot   Snapshot
		review     string
		want       reviewWant
		ownership  ownershipWant
		identities map[nhi.IdentityReference]want
	}{
		{
			name:     "an independent Recertify completes and records Recertified",
			snapshot: build(ids(api), owns(payments(coversAPI)), reviews(newReview("r1", "payments", carol, nhi.DecisionRecertify, revokeAt))),
			review:   "r1",
			want: reviewWant{completed: true, conds: completedOK, generation: 3,
				actions: []nhi.RemediationAction{remediation(saRef("api"), "Recertified", ref)}},
			ownership:  ownershipWant{ready: readyOwnership, lastReview: summary("r1", carol, nhi.DecisionRecertify, revokeAt)},
			identities: map[nhi.IdentityReference]want{saRef("api"): owned},
		},
		{
			name: "a Recertify already recorded keeps its condition, generation and adds nothing",
			snapshot: build(ids(api), owns(payments(coversAPI)), reviews(newReview("r1", "payments", carol,
				nhi.DecisionRecertify, revokeAt, alreadyCompleted(ref.Add(-30*time.Minute), 2)))),
			review:    "r1",
			want:      reviewWant{completed: true, conds: completedOK, generation: 2},
			ownership: ownershipWant{ready: readyOwnership, lastReview: summary("r1", carol, nhi.DecisionRecertify, ref.Add(-30*time.Minute))},
		},
		{
			name:      "self-review: the reviewer is the owner's contact",
			snapshot:  build(ids(api), owns(payments(coversAPI)), reviews(newReview("r1", "payments", alice, nhi.DecisionRecertify, revokeAt))),
			review:    "r1",
			want:      reviewWant{conds: selfReview},
			ownership: ownershipWant{ready: readyOwnership},
		},
		{
			name: "self-review: contacts are compared case-insensitively",
			snapshot: build(ids(api), owns(payments(coversAPI)),
				reviews(newReview("r1", "payments", "Alice@Example.COM", nhi.DecisionRecertify, revokeAt))),
			review:    "r1",
			want:      reviewWant{conds: selfReview},
			ownership: ownershipWant{ready: readyOwnership},
		},
		{
			name: "self-review: any contact, not only the first",
			snapshot: build(ids(api), owns(payments(coversAPI, contacts(alice, dave))),
				reviews(newReview("r1", "payments", dave, nhi.DecisionRevoke, revokeAt))),
			review:     "r1",
			want:       reviewWant{conds: selfReview},
			ownership:  ownershipWant{ready: readyOwnership},
			identities: map[nhi.IdentityReference]want{saRef("api"): owned},
		},
		{
			name:     "the reviewed ownership does not exist",
			snapshot: build(ids(api), owns(payments(coversAPI)), reviews(newReview("r1", "ghost", carol, nhi.DecisionRecertify, revokeAt))),
			review:   "r1",
			want: reviewWant{conds: []wantCond{cond(nhi.ConditionCompleted, condFalse, nhi.ReasonOwnershipNotFound),
				cond(nhi.ConditionReady, condFalse, nhi.ReasonOwnershipNotFound)}},
			ownership: ownershipWant{ready: readyOwnership},
		},
		{
			name: "a completed review stays completed although its reviewer became a contact",
			snapshot: build(ids(api), owns(payments(coversAPI)), reviews(newReview("r1", "payments", alice,
				nhi.DecisionRecertify, revokeAt, alreadyCompleted(ref.Add(-30*time.Minute), 2)))),
			review:    "r1",
			want:      reviewWant{completed: true, conds: completedOK, generation: 2},
			ownership: ownershipWant{ready: readyOwnership, lastReview: summary("r1", alice, nhi.DecisionRecertify, ref.Add(-30*time.Minute))},
		},
		{
			name: "a completed review stays completed after its ownership is gone",
			snapshot: build(ids(api), owns(payments(coversAPI)), reviews(newReview("r1", "ghost", carol,
				nhi.DecisionRevoke, revokeAt, alreadyCompleted(ref.Add(-30*time.Minute), 7)))),
			review:     "r1",
			want:       reviewWant{completed: true, conds: completedOK, generation: 7},
			ownership:  ownershipWant{ready: readyOwnership},
			identities: map[nhi.IdentityReference]want{saRef("api"): owned},
		},
		{
			name: "Revoke in DryRun: ownership revoked, identities Unowned and WouldRevoke at once",
			snapshot: build(policy(rule(nhi.FindingUnowned, nhi.ActionAnnotate)),
				ids(api, opaque("db", createdAt(mustTime("2026-01-01T00:00:00Z")))),
				owns(payments(covers(saRef("api"), secretRef("db")), rotateEvery("720h"))), reviews(revoke())),
			review: "r-revoke",
			want: reviewWant{completed: true, conds: completedOK, generation: 3, actions: []nhi.RemediationAction{
				remediation(saRef("api"), "WouldRevoke", ref), remediation(secretRef("db"), "WouldRevoke", ref)}},
			ownership: ownershipWant{revoked: true, ready: revokedOwnership,
				lastReview: summary("r-revoke", carol, nhi.DecisionRevoke, revokeAt)},
			identities: map[nhi.IdentityReference]want{
				saRef("api"): wouldRevoke,
				// A revoked ownership vouches for nothing: rotation is no longer evaluated.
				secretRef("db"): wouldRevoke,
			},
		},
		{
			name:     "Revoke under Enforce: the revocation is due",
			snapshot: build(policy(enforce()), ids(api), owns(payments(coversAPI)), reviews(revoke())),
			review:   "r-revoke",
			want: reviewWant{completed: true, conds: completedOK, generation: 3,
				actions: []nhi.RemediationAction{remediation(saRef("api"), "RevocationDue", ref)}},
			ownership: ownershipWant{revoked: true, ready: revokedOwnership,
				lastReview: summary("r-revoke", carol, nhi.DecisionRevoke, revokeAt)},
			identities: map[nhi.IdentityReference]want{saRef("api"): {
				state: nhi.StateUnowned, findings: findings(nhi.FindingUnowned), ownership: "payments",
				action: ActionRevoke, reason: "ReviewDecidedRevoke", revokeAt: ref, next: ownershipExpiry,
				labels: map[string]string{LabelFinding: "unowned"},
			}},
		},
		{
			name: "Revoke after the revocation happened: Revoked",
			snapshot: build(policy(enforce()), ids(sa("api", revoked(refStamp))),
				owns(payments(coversAPI)), reviews(revoke())),
			review: "r-revoke",
			want: reviewWant{completed: true, conds: completedOK, generation: 3,
				actions: []nhi.RemediationAction{remediation(saRef("api"), "Revoked", ref)}},
			ownership: ownershipWant{revoked: true, ready: revokedOwnership,
				lastReview: summary("r-revoke", carol, nhi.DecisionRevoke, revokeAt)},
			identities: map[nhi.IdentityReference]want{saRef("api"): {
				state: nhi.StateRevoked, findings: findings(nhi.FindingUnowned), ownership: "payments",
				labels: map[string]string{LabelFinding: "revoked"}, next: ownershipExpiry,
			}},
		},
		{
			name: "Revoke: recorded actions keep their time and are not duplicated",
			snapshot: build(ids(api), owns(payments(coversAPI)), reviews(revoke(alreadyCompleted(revokeAt, 3),
				func(r *nhi.OwnershipReview) {
					r.Status.Actions = []nhi.RemediationAction{remediation(saRef("api"), "WouldRevoke", revokeAt)}
				}))),
			review: "r-revoke",
			want: reviewWant{completed: true, conds: completedOK, generation: 3,
				actions: []nhi.RemediationAction{remediation(saRef("api"), "WouldRevoke", revokeAt)}},
			ownership: ownershipWant{revoked: true, ready: revokedOwnership,
				lastReview: summary("r-revoke", carol, nhi.DecisionRevoke, revokeAt)},
			identities: map[nhi.IdentityReference]want{saRef("api"): wouldRevoke},
		},
		{
			name: "a later Recertify does not overturn an earlier Revoke without overturnsRevoke",
			snapshot: build(ids(api), owns(payments(coversAPI)), reviews(
				newReview("r2", "payments", carol, nhi.DecisionRecertify, ref.Add(-30*time.Minute)), revoke())),
			review: "r2",
			want: reviewWant{conds: []wantCond{cond(nhi.ConditionCompleted, condFalse, nhi.ReasonRevokeNotOverturned),
				cond(nhi.ConditionReady, condFalse, nhi.ReasonRevokeNotOverturned)}},
			ownership: ownershipWant{revoked: true, ready: revokedOwnership,
				lastReview: summary("r-revoke", carol, nhi.DecisionRevoke, revokeAt)},
			identities: map[nhi.IdentityReference]want{saRef("api"): wouldRevoke},
		},
		{
			name: "a later Recertify with overturnsRevoke supersedes an earlier Revoke",
			snapshot: build(ids(api), owns(payments(coversAPI)), reviews(
				newReview("r2", "payments", carol, nhi.DecisionRecertify, ref.Add(-30*time.Minute), overturns()), revoke())),
			review: "r-revoke",
			want:   reviewWant{completed: true, conds: completedOK, generation: 3},
			ownership: ownershipWant{ready: readyOwnership,
				lastReview: summary("r2", carol, nhi.DecisionRecertify, ref.Add(-30*time.Minute))},
			identities: map[nhi.IdentityReference]want{saRef("api"): owned},
		},
		{
			name: "a later Revoke supersedes an earlier Recertify",
			snapshot: build(ids(api), owns(payments(coversAPI)), reviews(revoke(),
				newReview("r0", "payments", carol, nhi.DecisionRecertify, ref.Add(-2*time.Hour)))),
			review: "r-revoke",
			want: reviewWant{completed: true, conds: completedOK, generation: 3,
				actions: []nhi.RemediationAction{remediation(saRef("api"), "WouldRevoke", ref)}},
			ownership: ownershipWant{revoked: true, ready: revokedOwnership,
				lastReview: summary("r-revoke", carol, nhi.DecisionRevoke, revokeAt)},
			identities: map[nhi.IdentityReference]want{saRef("api"): wouldRevoke},
		},
		{
			name: "Revoke: an exception waiving Unowned stops the revocation",
			snapshot: build(ids(api), owns(payments(coversAPI)), reviews(revoke()),
				excepts(newException("x", findings(nhi.FindingUnowned), ref.Add(-day), ref.Add(day), saRef("api")))),
			review:    "r-revoke",
			want:      reviewWant{completed: true, conds: completedOK, generation: 3},
			ownership: ownershipWant{revoked: true, ready: revokedOwnership, lastReview: summary("r-revoke", carol, nhi.DecisionRevoke, revokeAt)},
			identities: map[nhi.IdentityReference]want{saRef("api"): {
				state: nhi.StateExcepted, findings: findings(nhi.FindingUnowned), waived: findings(nhi.FindingUnowned),
				excepted: []string{"x"}, ownership: "payments", next: ref.Add(day),
			}},
		},
		{
			// The review's revocation answers the Unowned finding; when an
			// exception waives Unowned, another open finding must follow
			// its own rule instead of triggering the review's revocation.
			name: "Revoke: with Unowned waived, a remaining Stale finding follows its own rule",
			snapshot: build(policy(staleAfter("720h")),
				ids(secret("legacy", legacyToken, createdAt(mustTime("2026-01-01T00:00:00Z")))),
				owns(payments(covers(secretRef("legacy")))), reviews(revoke()),
				excepts(newException("x", findings(nhi.FindingUnowned), ref.Add(-day), ref.Add(day), secretRef("legacy")))),
			review:    "r-revoke",
			want:      reviewWant{completed: true, conds: completedOK, generation: 3},
			ownership: ownershipWant{revoked: true, ready: revokedOwnership, lastReview: summary("r-revoke", carol, nhi.DecisionRevoke, revokeAt)},
			identities: map[nhi.IdentityReference]want{secretRef("legacy"): {
				state: nhi.StateStale, findings: findings(nhi.FindingUnowned, nhi.FindingStale),
				waived: findings(nhi.FindingUnowned), excepted: []string{"x"}, ownership: "payments",
				action: ActionAnnotate, reason: "Stale", next: ref.Add(day),
			}},
		},
		{
			name: "Revoke reaches selector-matched identities but not ungoverned ones",
			snapshot: build(ids(sa("web", label("app", "web")), sa("default", label("app", "web"))),
				owns(payments(selects(nhi.IdentitySelector{MatchLabels: map[string]string{"app": "web"}}))),
				reviews(revoke())),
			review: "r-revoke",
			want: reviewWant{completed: true, conds: completedOK, generation: 3,
				actions: []nhi.RemediationAction{remediation(saRef("web"), "WouldRevoke", ref)}},
			ownership: ownershipWant{revoked: true, ready: revokedOwnership,
				lastReview: summary("r-revoke", carol, nhi.DecisionRevoke, revokeAt)},
			identities: map[nhi.IdentityReference]want{saRef("web"): wouldRevoke},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := Evaluate(tc.snapshot)
			rv := res.Reviews[tc.review]
			if rv == nil {
				t.Fatalf("no result for review %s", tc.review)
			}
			equal(t, "Completed", rv.Completed, tc.want.completed)
			equal(t, "condition count", len(rv.Conditions), 2)
			checkConditions(t, "review", rv.Conditions, tc.want.conds...)
			equal(t, "OwnershipGeneration", rv.OwnershipGeneration, tc.want.generation)
			equal(t, "Actions", rv.Actions, tc.want.actions)

			o := res.Ownerships["payments"]
			equal(t, "ownership Revoked", o.Revoked, tc.ownership.revoked)
			checkConditions(t, "ownership", o.Conditions, tc.ownership.ready)
			equal(t, "ownership LastReview", o.LastReview, tc.ownership.lastReview)

			for ref, w := range tc.identities {
				checkIdentity(t, identityResult(t, res, ref.Kind, ref.Name), w)
			}
		})
	}
}

// TestReviewConditionMessages: the messages name the people and objects an
// auditor needs.
func TestReviewConditionMessages(t *testing.T) {
	res := evaluate(t, build(ids(sa("api")), owns(payments(covers(saRef("api"))), newOwnership("other")),
		reviews(newReview("self", "payments", alice, nhi.DecisionRecertify, ref),
			newReview("ok", "payments", carol, nhi.DecisionRevoke, ref),
			newReview("lost", "ghost", carol, nhi.DecisionRevoke, ref))))
	cases := []struct{ review, contains string }{
		{"self", "alice@example.com is a contact of IdentityOwnership payments"},
		{"ok", "Revoke applied to IdentityOwnership payments generation 3"},
		{"lost", `IdentityOwnership "ghost" does not exist`},
	}
	for _, tc := range cases {
		t.Run(tc.review, func(t *testing.T) {
			c := findCondition(t, res.Reviews[tc.review].Conditions, nhi.ConditionCompleted)
			if !strings.Contains(c.Message, tc.contains) {
				t.Errorf("message %q does not contain %q", c.Message, tc.contains)
			}
			equal(t, "Ready message", findCondition(t, res.Reviews[tc.review].Conditions, nhi.ConditionReady).Message, c.Message)
		})
	}
}

// ---- ownership status ----

func TestOwnershipStatus(t *testing.T) {
	api := sa("api")
	coversAPI := covers(saRef("api"))
	healthy := []wantCond{
		cond(nhi.ConditionApproved, condTrue, nhi.ReasonApproved),
		cond(nhi.ConditionExpired, condFalse, nhi.ReasonNotExpired),
		cond(nhi.ConditionReviewDue, condFalse, nhi.ReasonReviewCurrent),
		cond(nhi.ConditionConflict, condFalse, nhi.ReasonNoConflict),
		cond(nhi.ConditionOwnerDeparted, condFalse, nhi.ReasonContactsActive),
		cond(nhi.ConditionExpiringSoon, condFalse, nhi.ReasonNoDeadlineNear),
		cond(nhi.ConditionStalled, condFalse, nhi.ReasonReconciled),
		cond(nhi.ConditionReady, condTrue, nhi.ReasonReconciled),
	}
	with := func(base []wantCond, changes ...wantCond) []wantCond {
		out := append([]wantCond(nil), base...)
		for _, c := range changes {
			for i := range out {
				if out[i].Type == c.Type {
					out[i] = c
				}
			}
		}
		return out
	}
	tp := func(t time.Time) *time.Time { return &t }

	cases := []struct {
		name         string
		snapshot     Snapshot
		conds        []wantCond
		nextReviewBy *time.Time
		rows         []nhi.IdentityStatus
		message      map[string]string // condition type => substring of its message
	}{
		{
			name:     "healthy ownership: Ready, one row per covered identity",
			snapshot: build(ids(opaque("db"), api, sa("default")), owns(payments(coversAPI, covers(secretRef("db"), saRef("default"))))),
			conds:    healthy,
			rows: []nhi.IdentityStatus{
				{Kind: nhi.KindSecret, Name: "db", UID: "uid-db", State: nhi.StateOwned, Since: new(metav1.NewTime(ref))},
				{Kind: nhi.KindServiceAccount, Name: "api", UID: "uid-api", State: nhi.StateOwned, Since: new(metav1.NewTime(ref))},
			},
			message: map[string]string{nhi.ConditionReady: "in force, and nothing about it needs attention; status.identities lists what it covers",
				nhi.ConditionApproved: "approved by bob@example.com at 2026-06-01T00:00:00Z (JIRA-1)"},
		},
		{
			name:     "unapproved under requireApproval",
			snapshot: build(ids(api), owns(payments(coversAPI, unapproved()))),
			conds: with(healthy, cond(nhi.ConditionApproved, condFalse, nhi.ReasonApprovalMissing),
				cond(nhi.ConditionReady, condFalse, nhi.ReasonApprovalMissing)),
			rows: []nhi.IdentityStatus{{Kind: nhi.KindServiceAccount, Name: "api", UID: "uid-api",
				State: nhi.StateUnapproved, Findings: findings(nhi.FindingUnapproved), Since: new(metav1.NewTime(ref))}},
		},
		{
			name:     "unapproved, approval not required",
			snapshot: build(policy(requireApproval(false)), ids(api), owns(payments(coversAPI, unapproved()))),
			conds:    with(healthy, cond(nhi.ConditionApproved, condTrue, nhi.ReasonApprovalNotRequired)),
			rows: []nhi.IdentityStatus{{Kind: nhi.KindServiceAccount, Name: "api", UID: "uid-api",
				State: nhi.StateOwned, Since: new(metav1.NewTime(ref))}},
		},
		{
			name:     "expired",
			snapshot: build(ids(api), owns(payments(coversAPI, expires(ref)))),
			conds: with(healthy, cond(nhi.ConditionExpired, condTrue, nhi.ReasonExpiresAtPassed),
				cond(nhi.ConditionReady, condFalse, nhi.ReasonExpiresAtPassed)),
			rows: []nhi.IdentityStatus{{Kind: nhi.KindServiceAccount, Name: "api", UID: "uid-api",
				State: nhi.StateExpired, Findings: findings(nhi.FindingExpired), Since: new(metav1.NewTime(ref))}},
			message: map[string]string{nhi.ConditionExpired: "expired at " + refStamp},
		},
		{
			name:     "expiry clamped by maxValidity says so",
			snapshot: build(policy(maxValidity("2160h")), owns(payments())),
			conds: with(healthy, cond(nhi.ConditionExpired, condTrue, nhi.ReasonExpiresAtPassed),
				cond(nhi.ConditionApproved, condTrue, nhi.ReasonValidityTooLong),
				cond(nhi.ConditionReady, condFalse, nhi.ReasonExpiresAtPassed)),
			message: map[string]string{
				nhi.ConditionExpired:  "expired at 2026-08-30T00:00:00Z; the policy's maxValidity",
				nhi.ConditionApproved: "the policy's maxValidity ends it at 2026-08-30T00:00:00Z, before spec.expiresAt",
			},
		},
		{
			name:         "review overdue, NextReviewBy in the past",
			snapshot:     build(owns(payments(reviewEvery("720h")))),
			conds:        with(healthy, cond(nhi.ConditionReviewDue, condTrue, nhi.ReasonReviewOverdue), cond(nhi.ConditionReady, condFalse, nhi.ReasonReviewOverdue)),
			nextReviewBy: tp(mustTime("2026-07-01T00:00:00Z")),
			message:      map[string]string{nhi.ConditionReviewDue: "review was due by 2026-07-01T00:00:00Z"},
		},
		{
			name:         "review current, NextReviewBy supplied by maxReviewInterval",
			snapshot:     build(policy(maxReviewInterval("4380h")), owns(payments())),
			conds:        healthy,
			nextReviewBy: tp(mustTime("2026-11-30T12:00:00Z")),
			message:      map[string]string{nhi.ConditionReviewDue: "next review due by 2026-11-30T12:00:00Z"},
		},
		{
			name:     "every contact departed",
			snapshot: build(dir(directory(carol)), owns(payments(contacts(alice, dave)))),
			conds: with(healthy, cond(nhi.ConditionOwnerDeparted, condTrue, nhi.ReasonAllContactsDeparted),
				cond(nhi.ConditionReady, condFalse, nhi.ReasonAllContactsDeparted)),
			message: map[string]string{nhi.ConditionOwnerDeparted: "alice@example.com, dave@example.com"},
		},
		{
			name:     "some contacts departed: OwnerDeparted=True SomeContactsDeparted, still Ready",
			snapshot: build(dir(directory(dave)), owns(payments(contacts(alice, dave)))),
			conds:    with(healthy, cond(nhi.ConditionOwnerDeparted, condTrue, nhi.ReasonSomeContactsDeparted)),
			message:  map[string]string{nhi.ConditionOwnerDeparted: "left the owner directory: alice@example.com;"},
		},
		{
			name:     "unavailable directory: no departure",
			snapshot: build(dir(&Directory{}), owns(payments(contacts(alice, dave)))),
			conds:    healthy,
		},
		{
			name:     "no governing policy: Ready=False NotGoverned, no rows",
			snapshot: build(noPolicy(), ids(api), owns(payments(coversAPI, unapproved()))),
			conds: with(healthy, cond(nhi.ConditionApproved, condTrue, nhi.ReasonApprovalNotRequired),
				cond(nhi.ConditionReady, condFalse, ReasonNotGoverned)),
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := Evaluate(tc.snapshot).Ownerships["payments"]
			if o == nil {
				t.Fatal("no result for ownership payments")
			}
			equal(t, "condition count", len(o.Conditions), len(tc.conds))
			checkConditions(t, "ownership", o.Conditions, tc.conds...)
			equal(t, "NextReviewBy", o.NextReviewBy, tc.nextReviewBy)
			equal(t, "Identities", o.Identities, tc.rows)
			for condType, sub := range tc.message {
				if m := findCondition(t, o.Conditions, condType).Message; !strings.Contains(m, sub) {
					t.Errorf("%s message %q does not contain %q", condType, m, sub)
				}
			}
		})
	}
}

// ---- conflicts ----

func TestOwnershipConflicts(t *testing.T) {
	api := sa("api")
	coversAPI := covers(saRef("api"))
	feb, mar := mustTime("2026-02-01T00:00:00Z"), mustTime("2026-03-01T00:00:00Z")
	webSelector := selects(nhi.IdentitySelector{MatchLabels: map[string]string{"app": "web"}})
	conflicted := []wantCond{
		cond(nhi.ConditionConflict, condTrue, nhi.ReasonOlderClaimExists),
		cond(nhi.ConditionStalled, condTrue, nhi.ReasonOlderClaimExists),
		cond(nhi.ConditionReady, condFalse, nhi.ReasonOlderClaimExists),
	}
	clean := []wantCond{
		cond(nhi.ConditionConflict, condFalse, nhi.ReasonNoConflict),
		cond(nhi.ConditionStalled, condFalse, nhi.ReasonReconciled),
		cond(nhi.ConditionReady, condTrue, nhi.ReasonReconciled),
	}

	cases := []struct {
		name      string
		snapshot  Snapshot
		target    nhi.IdentityReference
		winner    string
		loser     string // "" when there is no conflict
		other     string // the second ownership when there is no conflict
		state     nhi.IdentityState
		winnerRow []string
	}{
		{
			name:     "the older creationTimestamp wins, whatever the order",
			snapshot: build(ids(api), owns(newOwnership("alpha", ownershipCreatedAt(mar), coversAPI), newOwnership("beta", ownershipCreatedAt(feb), coversAPI))),
			target:   saRef("api"), winner: "beta", loser: "alpha", state: nhi.StateOwned, winnerRow: []string{"api"},
		},
		{
			name:     "same creationTimestamp: the name decides",
			snapshot: build(ids(api), owns(newOwnership("beta", coversAPI), newOwnership("alpha", coversAPI))),
			target:   saRef("api"), winner: "alpha", loser: "beta", state: nhi.StateOwned, winnerRow: []string{"api"},
		},
		{
			name: "an older named claim beats a newer selector",
			snapshot: build(ids(sa("web", label("app", "web"))),
				owns(newOwnership("sel", ownershipCreatedAt(mar), webSelector), newOwnership("named", ownershipCreatedAt(feb), covers(saRef("web"))))),
			target: saRef("web"), winner: "named", loser: "sel", state: nhi.StateOwned, winnerRow: []string{"web"},
		},
		{
			name: "an older selector beats a newer named claim",
			snapshot: build(ids(sa("web", label("app", "web"))),
				owns(newOwnership("sel", ownershipCreatedAt(feb), webSelector), newOwnership("named", ownershipCreatedAt(mar), covers(saRef("web"))))),
			target: saRef("web"), winner: "sel", loser: "named", state: nhi.StateOwned, winnerRow: []string{"web"},
		},
		{
			name: "the older claim's findings apply even when the newer one is valid",
			snapshot: build(ids(api), owns(newOwnership("old", ownershipCreatedAt(feb), coversAPI, expires(mar)),
				newOwnership("new", ownershipCreatedAt(mar), coversAPI))),
			target: saRef("api"), winner: "old", loser: "new", state: nhi.StateExpired, winnerRow: []string{"api"},
		},
		{
			name: "a claim on an ungoverned identity is no conflict",
			snapshot: build(ids(sa("default")), owns(newOwnership("alpha", ownershipCreatedAt(feb), covers(saRef("default"))),
				newOwnership("beta", ownershipCreatedAt(mar), covers(saRef("default"))))),
			target: saRef("default"), winner: "alpha", other: "beta",
		},
		{
			name: "disjoint claims do not conflict",
			snapshot: build(ids(api, sa("worker")), owns(newOwnership("alpha", ownershipCreatedAt(feb), coversAPI),
				newOwnership("beta", ownershipCreatedAt(mar), covers(saRef("worker"))))),
			target: saRef("api"), winner: "alpha", other: "beta", state: nhi.StateOwned, winnerRow: []string{"api"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := Evaluate(tc.snapshot)
			id := identityResult(t, res, tc.target.Kind, tc.target.Name)
			if id.Governed {
				equal(t, "identity Ownership", id.Ownership, tc.winner)
				equal(t, "identity State", id.State, tc.state)
			}
			w := res.Ownerships[tc.winner]
			equal(t, "winner ConflictsWith", w.ConflictsWith, "")
			checkConditions(t, "winner", w.Conditions, clean[:2]...)
			var rows []string
			for _, r := range w.Identities {
				rows = append(rows, r.Name)
			}
			equal(t, "winner rows", rows, tc.winnerRow)
			if tc.loser == "" {
				o := res.Ownerships[tc.other]
				equal(t, "other ConflictsWith", o.ConflictsWith, "")
				checkConditions(t, "other", o.Conditions, clean[:2]...)
				return
			}
			l := res.Ownerships[tc.loser]
			equal(t, "loser ConflictsWith", l.ConflictsWith, tc.winner)
			checkConditions(t, "loser", l.Conditions, conflicted...)
			equal(t, "loser rows", len(l.Identities), 0)
			if m := findCondition(t, l.Conditions, nhi.ConditionConflict).Message; !strings.Contains(m, "IdentityOwnership "+tc.winner+" is older") {
				t.Errorf("Conflict message %q does not name %s", m, tc.winner)
			}
		})
	}
}

// ---- selector coverage ----

func TestSelectorCoverage(t *testing.T) {
	expr := func(key string, op metav1.LabelSelectorOperator, values ...string) metav1.LabelSelectorRequirement {
		return metav1.LabelSelectorRequirement{Key: key, Operator: op, Values: values}
	}
	web := map[string]string{"app": "web"}
	cases := []struct {
		name     string
		selector nhi.IdentitySelector
		identity Identity
		covered  bool
	}{
		{"matchLabels matches", nhi.IdentitySelector{MatchLabels: web}, sa("x", label("app", "web")), true},
		{"matchLabels with another value", nhi.IdentitySelector{MatchLabels: web}, sa("x", label("app", "db")), false},
		{"matchLabels on an unlabelled identity", nhi.IdentitySelector{MatchLabels: web}, sa("x"), false},
		{"every matchLabels pair is required", nhi.IdentitySelector{MatchLabels: map[string]string{"app": "web", "tier": "a"}},
			sa("x", label("app", "web")), false},
		{"every matchLabels pair present", nhi.IdentitySelector{MatchLabels: map[string]string{"app": "web", "tier": "a"}},
			sa("x", label("app", "web"), label("tier", "a"), label("extra", "1")), true},
		{"matchExpressions In", nhi.IdentitySelector{MatchExpressions: []metav1.LabelSelectorRequirement{
			expr("app", metav1.LabelSelectorOpIn, "web", "api")}}, opaque("x", label("app", "api")), true},
		{"matchExpressions In, not listed", nhi.IdentitySelector{MatchExpressions: []metav1.LabelSelectorRequirement{
			expr("app", metav1.LabelSelectorOpIn, "web", "api")}}, opaque("x", label("app", "db")), false},
		{"matchExpressions NotIn", nhi.IdentitySelector{MatchExpressions: []metav1.LabelSelectorRequirement{
			expr("app", metav1.LabelSelectorOpNotIn, "web")}}, opaque("x", label("app", "db")), true},
		{"matchExpressions Exists", nhi.IdentitySelector{MatchExpressions: []metav1.LabelSelectorRequirement{
			expr("owner", metav1.LabelSelectorOpExists)}}, sa("x", label("owner", "")), true},
		{"matchExpressions DoesNotExist", nhi.IdentitySelector{MatchExpressions: []metav1.LabelSelectorRequirement{
			expr("owner", metav1.LabelSelectorOpDoesNotExist)}}, sa("x", label("owner", "me")), false},
		{"matchLabels AND matchExpressions, both hold", nhi.IdentitySelector{MatchLabels: web,
			MatchExpressions: []metav1.LabelSelectorRequirement{expr("tier", metav1.LabelSelectorOpIn, "a")}},
			sa("x", label("app", "web"), label("tier", "a")), true},
		{"matchLabels AND matchExpressions, expression fails", nhi.IdentitySelector{MatchLabels: web,
			MatchExpressions: []metav1.LabelSelectorRequirement{expr("tier", metav1.LabelSelectorOpIn, "a")}},
			sa("x", label("app", "web"), label("tier", "b")), false},
		{"kinds [Secret] excludes a ServiceAccount", nhi.IdentitySelector{Kinds: []nhi.IdentityKind{nhi.KindSecret}, MatchLabels: web},
			sa("x", label("app", "web")), false},
		{"kinds [Secret] includes a Secret", nhi.IdentitySelector{Kinds: []nhi.IdentityKind{nhi.KindSecret}, MatchLabels: web},
			opaque("x", label("app", "web")), true},
		{"kinds [ServiceAccount] with an expression excludes a Secret", nhi.IdentitySelector{
			Kinds:            []nhi.IdentityKind{nhi.KindServiceAccount},
			MatchExpressions: []metav1.LabelSelectorRequirement{expr("app", metav1.LabelSelectorOpExists)}},
			opaque("x", label("app", "web")), false},
		{"matchExpressions In, another requirement fails", nhi.IdentitySelector{MatchExpressions: []metav1.LabelSelectorRequirement{
			expr("app", metav1.LabelSelectorOpIn, "web"), expr("tier", metav1.LabelSelectorOpExists)}},
			sa("x", label("app", "web")), false},
		{"matchExpressions In, a value listed twice", nhi.IdentitySelector{MatchExpressions: []metav1.LabelSelectorRequirement{
			expr("app", metav1.LabelSelectorOpIn, "web", "web")}}, sa("x", label("app", "web")), true},
		{"matchExpressions NotIn before In", nhi.IdentitySelector{MatchExpressions: []metav1.LabelSelectorRequirement{
			expr("tier", metav1.LabelSelectorOpNotIn, "b"), expr("app", metav1.LabelSelectorOpIn, "web")}},
			sa("x", label("app", "web"), label("tier", "b")), false},
		{"an empty selector claims nothing", nhi.IdentitySelector{}, sa("x", label("app", "web")), false},
		{"an invalid selector claims nothing", nhi.IdentitySelector{MatchExpressions: []metav1.LabelSelectorRequirement{
			expr("app", "Bogus", "web")}}, sa("x", label("app", "web")), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := evaluate(t, build(ids(tc.identity), owns(newOwnership("sel", selects(tc.selector)))))
			got := res.Identities[0]
			wantOwnership, wantState := "", nhi.StateUnowned
			if tc.covered {
				wantOwnership, wantState = "sel", nhi.StateOwned
			}
			equal(t, "Ownership", got.Ownership, wantOwnership)
			equal(t, "State", got.State, wantState)
			equal(t, "rows", len(res.Ownerships["sel"].Identities), map[bool]int{true: 1, false: 0}[tc.covered])
		})
	}
}

// TestCoveringIndex checks the index every evaluation asks which claimants
// cover an identity: the answer is ascending and distinct however the
// claims were found (by name, by a matchLabels pair, by an In expression or
// by scanning), since the first is the one that wins.
func TestCoveringIndex(t *testing.T) {
	in := func(key string, values ...string) *nhi.IdentitySelector {
		return &nhi.IdentitySelector{MatchExpressions: []metav1.LabelSelectorRequirement{
			{Key: key, Operator: metav1.LabelSelectorOpIn, Values: values}}}
	}
	exists := &nhi.IdentitySelector{MatchExpressions: []metav1.LabelSelectorRequirement{
		{Key: "app", Operator: metav1.LabelSelectorOpExists}}}
	x := sa("x", label("app", "web"), label("team", "a"))
	idx := newCoverageIndex([]target{
		0:  {selector: &nhi.IdentitySelector{MatchLabels: map[string]string{"team": "a"}}},
		1:  {identities: []nhi.IdentityReference{x.Ref(), x.Ref()}}, // listed twice
		2:  {selector: exists},
		3:  {selector: in("app", "web", "api")},
		4:  {identities: []nhi.IdentityReference{{Kind: nhi.KindSecret, Name: "x"}}}, // another kind
		5:  {selector: &nhi.IdentitySelector{MatchLabels: map[string]string{"app": "web"}}},
		6:  {identities: []nhi.IdentityReference{x.Ref()}, selector: &nhi.IdentitySelector{MatchLabels: map[string]string{"app": "web"}}},
		7:  {selector: in("team", "b")},
		8:  {identities: []nhi.IdentityReference{saRef("z"), saRef("w")}},
		9:  {identities: []nhi.IdentityReference{saRef("z"), saRef("v")}},
		10: {identities: []nhi.IdentityReference{saRef("z"), saRef("z")}}, // a third claimant, listed twice
	})
	equal(t, "covering", idx.covering(&x), []int{0, 1, 2, 3, 5, 6})
	z, w, v := sa("z"), sa("w"), sa("v")
	equal(t, "covering a name three claim", idx.covering(&z), []int{8, 9, 10})
	equal(t, "covering a name one claims", idx.covering(&w), []int{8})
	// The one-claimant answer is shared: appending to it must not write
	// into the next claimant's.
	_ = append(idx.covering(&w), 99)
	equal(t, "covering a name one claims, after an append", idx.covering(&w), []int{8})
	equal(t, "covering the next claimant's name, after an append", idx.covering(&v), []int{9})
	equal(t, "covering a name three claim, after an append", idx.covering(&z), []int{8, 9, 10})
	only := sa("y")
	equal(t, "covering an unlabelled, unnamed identity", len(idx.covering(&only)), 0)
	named := opaque("x")
	equal(t, "covering by name and kind", idx.covering(&named), []int{4})
}

// ---- exceptions ----

func TestExceptionStatus(t *testing.T) {
	created := ref.Add(-10 * day)
	x := func(expiresAt time.Time, refs ...nhi.IdentityReference) nhi.OwnershipException {
		return newException("x", findings(nhi.FindingUnowned), created, expiresAt, refs...)
	}
	active := []wantCond{cond(nhi.ConditionReady, condTrue, nhi.ReasonExceptionActive),
		cond(nhi.ConditionActive, condTrue, nhi.ReasonExceptionActive), cond(nhi.ConditionExpired, condFalse, nhi.ReasonNotExpired)}
	expired := []wantCond{cond(nhi.ConditionReady, condTrue, nhi.ReasonExceptionExpired),
		cond(nhi.ConditionActive, condFalse, nhi.ReasonExceptionExpired), cond(nhi.ConditionExpired, condTrue, nhi.ReasonExpiresAtPassed)}
	tooLong := []wantCond{cond(nhi.ConditionReady, condFalse, nhi.ReasonExceptionTooLong),
		cond(nhi.ConditionActive, condFalse, nhi.ReasonExceptionTooLong), cond(nhi.ConditionExpired, condFalse, nhi.ReasonNotExpired)}

	cases := []struct {
		name       string
		snapshot   Snapshot
		active     bool
		expired    bool
		conds      []wantCond
		identities []nhi.IdentityReference
		message    string
	}{
		{
			name:     "active until expiresAt; lists the governed identities it targets, sorted",
			snapshot: build(ids(sa("zeta"), opaque("db"), sa("default"), sa("api")), excepts(x(ref.Add(day), saRef("zeta"), saRef("api"), secretRef("db"), saRef("default")))),
			active:   true, conds: active,
			identities: []nhi.IdentityReference{secretRef("db"), saRef("api"), saRef("zeta")},
			message:    "waives Unowned until 2026-11-02T12:00:00Z, risk accepted by carol@example.com",
		},
		{
			name:     "1ns before expiresAt: still active",
			snapshot: build(now(ref.Add(-time.Nanosecond)), ids(sa("api")), excepts(x(ref, saRef("api")))),
			active:   true, conds: active, identities: []nhi.IdentityReference{saRef("api")},
		},
		{
			name:     "at expiresAt: expired, enforcement resumes, Ready stays True",
			snapshot: build(ids(sa("api")), excepts(x(ref, saRef("api")))),
			expired:  true, conds: expired, identities: []nhi.IdentityReference{saRef("api")},
			message: "expired at " + refStamp + "; enforcement of Unowned resumed",
		},
		{
			name:     "longer than maxExceptionDuration: inactive",
			snapshot: build(policy(maxExceptionDuration("240h")), ids(sa("api")), excepts(x(created.Add(240*time.Hour+time.Second), saRef("api")))),
			conds:    tooLong, identities: []nhi.IdentityReference{saRef("api")},
			message: "maxExceptionDuration (240h0m0s)",
		},
		{
			name:     "exactly maxExceptionDuration: active",
			snapshot: build(policy(maxExceptionDuration("480h")), ids(sa("api")), excepts(x(created.Add(480*time.Hour), saRef("api")))),
			active:   true, conds: active, identities: []nhi.IdentityReference{saRef("api")},
		},
		{
			name:     "expired and too long: expiry wins",
			snapshot: build(policy(maxExceptionDuration("1h")), excepts(x(ref.Add(-time.Hour)))),
			expired:  true, conds: expired,
		},
		{
			name:     "no governing policy: inactive, nothing governed to list",
			snapshot: build(noPolicy(), ids(sa("api")), excepts(x(ref.Add(day), saRef("api")))),
			conds: []wantCond{cond(nhi.ConditionReady, condFalse, ReasonNotGoverned),
				cond(nhi.ConditionActive, condFalse, ReasonNotGoverned), cond(nhi.ConditionExpired, condFalse, nhi.ReasonNotExpired)},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := Evaluate(tc.snapshot).Exceptions["x"]
			if r == nil {
				t.Fatal("no result for exception x")
			}
			equal(t, "Active", r.Active, tc.active)
			equal(t, "Expired", r.Expired, tc.expired)
			equal(t, "condition count", len(r.Conditions), 4)
			checkConditions(t, "exception", r.Conditions, tc.conds...)
			equal(t, "Identities", r.Identities, tc.identities)
			equal(t, "IdentityCount", r.IdentityCount, len(tc.identities))
			if m := findCondition(t, r.Conditions, nhi.ConditionActive).Message; !strings.Contains(m, tc.message) {
				t.Errorf("Active message %q does not contain %q", m, tc.message)
			}
		})
	}

	t.Run("status lists at most MaxStatusIdentities, and counts them all", func(t *testing.T) {
		identities := make([]Identity, 0, nhi.MaxStatusIdentities+1)
		refs := make([]nhi.IdentityReference, 0, nhi.MaxStatusIdentities+1)
		for i := range nhi.MaxStatusIdentities + 1 {
			name := fmt.Sprintf("sa-%04d", i)
			identities = append(identities, sa(name))
			refs = append(refs, saRef(name))
		}
		r := evaluate(t, build(ids(identities...), excepts(x(ref.Add(day), refs...)))).Exceptions["x"]
		equal(t, "listed", len(r.Identities), nhi.MaxStatusIdentities)
		equal(t, "IdentityCount", r.IdentityCount, nhi.MaxStatusIdentities+1)
		equal(t, "first listed", r.Identities[0], saRef("sa-0000"))
	})

	t.Run("a deleting exception is ignored", func(t *testing.T) {
		xd := x(ref.Add(day), saRef("orphan"))
		d := metav1.NewTime(ref)
		xd.DeletionTimestamp = &d
		res := evaluate(t, build(ids(sa("orphan")), excepts(xd)))
		if _, ok := res.Exceptions["x"]; ok {
			t.Error("a deleting exception has a result")
		}
		equal(t, "State", res.Identities[0].State, nhi.StateUnowned)
	})
}
