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
	"maps"
	"testing"
	"time"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

// forgedKeys are every steward.dev/ key a tenant could write on an identity
// to postpone, fake or undo a decision (docs/security.md, attacks T1–T4).
func forgedKeys() identityOpt {
	return func(i *Identity) {
		maps.Copy(i.Annotations, map[string]string{
			AnnotationState: "Owned", AnnotationFindingSince: "2999-01-01T00:00:00Z", AnnotationFindings: "",
			AnnotationOwnership: "payments", AnnotationOwnerTeam: "payments", AnnotationExpiresAt: "2999-01-01T00:00:00Z",
			AnnotationApprovedBy: "bob@example.com", AnnotationExceptedBy: "x", AnnotationRevokedAt: "2026-01-01T00:00:00Z",
			AnnotationRemovedBindings: `[{"kind":"ClusterRoleBinding","name":"cluster-admin"}]`,
			"steward.dev/revoking":    "2026-01-01T00:00:00Z",
		})
		i.Labels[LabelFinding] = "owned"
	}
}

// TestForgedKeysAreIgnored: Steward decides from its ledger record, never
// from labels or annotations on the identity.
func TestForgedKeysAreIgnored(t *testing.T) {
	grace := policy(enforce(), revokeRule(nhi.FindingUnowned, "20s"))
	runIdentityCases(t, []identityCase{
		{
			name:     "a forged state and a far-future finding-since do not postpone: the ledger's clock runs",
			snapshot: build(grace, ids(sa("orphan", forgedKeys(), recorded(nhi.StateUnowned, ref.Add(-time.Minute))))),
			want: want{
				state: nhi.StateUnowned, findings: findings(nhi.FindingUnowned), action: ActionRevoke, reason: "Unowned",
				labels: map[string]string{LabelFinding: "unowned"}, since: ref.Add(-time.Minute),
				revokeAt: ref.Add(-40 * time.Second),
				ann:      map[string]string{AnnotationFindingSince: "2026-11-01T11:59:00Z", AnnotationRevokedAt: absent},
			},
		},
		{
			name:     "a forged revoked-at does not make an identity Revoked (so nothing is deleted or restored)",
			snapshot: build(ids(sa("orphan", forgedKeys()))),
			want: want{
				state: nhi.StateUnowned, findings: findings(nhi.FindingUnowned), action: ActionAnnotate, reason: "Unowned",
				ann: map[string]string{AnnotationRevokedAt: absent, AnnotationRemovedBindings: absent,
					AnnotationOwnership: absent, AnnotationApprovedBy: absent},
			},
		},
		{
			name:     "an owned identity with forged keys gets its true annotations back",
			snapshot: build(ids(sa("api", forgedKeys())), owns(payments(covers(saRef("api"))))),
			want: want{
				state: nhi.StateOwned, ownership: "payments", next: ownershipExpiry,
				ann: map[string]string{AnnotationExpiresAt: "2027-06-01T00:00:00Z", AnnotationRevokedAt: absent},
			},
		},
		{
			name:     "a ledger instant in the future is not trusted either",
			snapshot: build(grace, ids(sa("orphan", recorded(nhi.StateUnowned, ref.Add(24*time.Hour))))),
			want: want{
				state: nhi.StateUnowned, findings: findings(nhi.FindingUnowned), action: ActionFlag, reason: "Unowned",
				labels: map[string]string{LabelFinding: "unowned"}, revokeAt: ref.Add(20 * time.Second),
				next: ref.Add(20 * time.Second),
			},
		},
		{
			name: "a rotated-at in the future does not postpone rotation",
			snapshot: build(ids(opaque("db", createdAt(mustTime("2026-01-01T00:00:00Z")),
				annotate(AnnotationRotatedAt, "2999-01-01T00:00:00Z"))),
				owns(payments(covers(secretRef("db")), rotateEvery("720h")))),
			want: want{
				state: nhi.StateRotationOverdue, findings: findings(nhi.FindingRotationOverdue), ownership: "payments",
				action: ActionAnnotate, reason: "RotationOverdue", next: ownershipExpiry,
			},
		},
		{
			name: "a legacy-token last-used date in the future does not postpone Stale",
			snapshot: build(policy(staleAfter("720h")), ids(secret("legacy", legacyToken,
				createdAt(mustTime("2026-01-01T00:00:00Z")), label(LabelLegacyTokenLastUsed, "2999-01-01")))),
			want: want{
				state: nhi.StateUnowned, findings: findings(nhi.FindingUnowned, nhi.FindingStale),
				action: ActionAnnotate, reason: "Unowned",
			},
		},
	})
}

// TestApprovalCoversWhatWasApproved: an approval stands for the identities,
// selector, owner and expiry it was given for, and from no later than when
// Steward first saw it.
func TestApprovalCoversWhatWasApproved(t *testing.T) {
	first := evaluate(t, build(ids(sa("api"), sa("db")), owns(payments(covers(saRef("api"))))))
	record := first.Ownerships["payments"].ApprovalRecord
	if record == nil {
		t.Fatal("no approval record for an approved ownership")
	}
	equalTime(t, "FirstSeen", record.FirstSeen.Time, ref)
	withRecord := func(o *nhi.IdentityOwnership) { o.Status.ApprovalRecord = record.DeepCopy() }

	cases := []struct {
		name      string
		ownership nhi.IdentityOwnership
		state     nhi.IdentityState
		reason    string
	}{
		{"unchanged: still approved", payments(covers(saRef("api")), withRecord), nhi.StateOwned, nhi.ReasonApproved},
		{"identities changed under the same approval", payments(covers(saRef("api"), saRef("db")), withRecord),
			nhi.StateUnapproved, nhi.ReasonApprovalOutdated},
		{"expiry extended under the same approval", payments(covers(saRef("api")), expires(ownershipExpiry.Add(time.Hour)), withRecord),
			nhi.StateUnapproved, nhi.ReasonApprovalOutdated},
		{"owner changed under the same approval", payments(covers(saRef("api")), contacts(dave), withRecord),
			nhi.StateUnapproved, nhi.ReasonApprovalOutdated},
		{"re-approved (a new approvedAt) after the change", payments(covers(saRef("api"), saRef("db")),
			approved(ref.Add(-time.Minute)), withRecord), nhi.StateOwned, nhi.ReasonApproved},
		{"approvedAt in the future counts as no approval", payments(covers(saRef("api")), approved(ref.Add(time.Hour))),
			nhi.StateUnapproved, nhi.ReasonApprovalInFuture},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := evaluate(t, build(ids(sa("api"), sa("db")), owns(tc.ownership)))
			api := identityResult(t, res, nhi.KindServiceAccount, "api")
			equal(t, "state", api.State, tc.state)
			status := condFalse
			if tc.state == nhi.StateOwned {
				status = condTrue
			}
			checkConditions(t, "ownership", res.Ownerships["payments"].Conditions,
				cond(nhi.ConditionApproved, status, tc.reason))
		})
	}

	t.Run("a future-dated approvedAt does not postpone the review", func(t *testing.T) {
		// Seen at ref with approvedAt a year ahead; a year later, the review
		// clock counts from when Steward first saw it, not from approvedAt.
		seen := evaluate(t, build(owns(payments(covers(saRef("api")), approved(ref.Add(365*24*time.Hour)),
			reviewEvery("720h"))), ids(sa("api"))))
		rec := seen.Ownerships["payments"].ApprovalRecord
		later := evaluate(t, build(now(ref.Add(366*24*time.Hour)), ids(sa("api")), owns(payments(covers(saRef("api")),
			approved(ref.Add(365*24*time.Hour)), reviewEvery("720h"),
			func(o *nhi.IdentityOwnership) { o.Status.ApprovalRecord = rec })))).Identities[0]
		equal(t, "findings", later.Findings, findings(nhi.FindingExpired, nhi.FindingReviewOverdue))
	})
}

// TestSelfAcceptedException: an owner's contact cannot accept the risk of
// the ownership's own identities.
func TestSelfAcceptedException(t *testing.T) {
	expired := payments(covers(saRef("api")), expires(ref.Add(-time.Hour)))
	byOwner := newException("x", findings(nhi.FindingExpired), ref.Add(-time.Hour), ref.Add(day), saRef("api"))
	byOwner.Spec.RiskAcceptedBy = alice
	byOther := newException("y", findings(nhi.FindingExpired), ref.Add(-time.Hour), ref.Add(day), saRef("api"))
	for _, tc := range []struct {
		name      string
		exception nhi.OwnershipException
		state     nhi.IdentityState
	}{
		{"accepted by the owner's contact: not waived", byOwner, nhi.StateExpired},
		{"accepted by someone independent: waived", byOther, nhi.StateExcepted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := evaluate(t, build(ids(sa("api")), owns(expired), excepts(tc.exception))).Identities[0]
			equal(t, "state", r.State, tc.state)
		})
	}
}

// TestReviewOrderIsTheOrderOfDecisions: creation times have one-second
// resolution and names are the filer's choice; a pending review is judged
// after every decision already taken, and the latest decision wins
// (docs/security.md, A21, A22).
func TestReviewOrderIsTheOrderOfDecisions(t *testing.T) {
	second := ref.Add(-time.Minute)
	completedAs := func(sequence int64) reviewOpt {
		return func(r *nhi.OwnershipReview) {
			alreadyCompleted(second, 3)(r)
			r.Status.DecisionSequence = sequence
		}
	}
	cases := []struct {
		name     string
		reviews  []nhi.OwnershipReview
		decided  string
		state    nhi.IdentityState
		rejected string
	}{
		{
			name: "a Recertify filed in the same second after a completed Revoke, named to sort first, is not applied",
			reviews: []nhi.OwnershipReview{
				newReview("zz-revoke", "payments", carol, nhi.DecisionRevoke, second, completedAs(1)),
				newReview("aa-recertify", "payments", carol, nhi.DecisionRecertify, second),
			},
			decided: "zz-revoke", state: nhi.StateUnowned, rejected: "aa-recertify",
		},
		{
			name: "a Revoke filed in the same second after a completed Recertify, named to sort first, decides",
			reviews: []nhi.OwnershipReview{
				newReview("zz-recertify", "payments", carol, nhi.DecisionRecertify, second, completedAs(1)),
				newReview("aa-revoke", "payments", carol, nhi.DecisionRevoke, second),
			},
			decided: "aa-revoke", state: nhi.StateUnowned,
		},
		{
			name: "completed reviews keep the order of their sequence, not of their names",
			reviews: []nhi.OwnershipReview{
				newReview("aa-revoke", "payments", carol, nhi.DecisionRevoke, second, completedAs(2)),
				newReview("zz-recertify", "payments", carol, nhi.DecisionRecertify, second, completedAs(1)),
			},
			decided: "aa-revoke", state: nhi.StateUnowned,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := evaluate(t, build(ids(sa("api")), owns(payments(covers(saRef("api")))), reviews(tc.reviews...)))
			equal(t, "lastReview", res.Ownerships["payments"].LastReview.Name, tc.decided)
			equal(t, "state", res.Identities[0].State, tc.state)
			if tc.rejected != "" {
				checkConditions(t, tc.rejected, res.Reviews[tc.rejected].Conditions,
					cond(nhi.ConditionCompleted, condFalse, nhi.ReasonRevokeNotOverturned))
			}
			for name, r := range res.Reviews {
				if r.Completed && r.DecisionSequence == 0 {
					t.Errorf("completed review %s has no decision sequence", name)
				}
			}
		})
	}
}
