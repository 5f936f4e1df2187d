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
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

// ---- snapshot options ----

type snapOpt func(*Snapshot)

// build is the default snapshot (default policy, no objects, Now = ref)
// changed by opts.
func build(opts ...snapOpt) Snapshot {
	s := snap()
	for _, o := range opts {
		o(&s)
	}
	return s
}

func ids(ids ...Identity) snapOpt {
	return func(s *Snapshot) { s.Identities = append(s.Identities, ids...) }
}

func owns(os ...nhi.IdentityOwnership) snapOpt {
	return func(s *Snapshot) { s.Ownerships = append(s.Ownerships, os...) }
}

func excepts(xs ...nhi.OwnershipException) snapOpt {
	return func(s *Snapshot) { s.Exceptions = append(s.Exceptions, xs...) }
}

func reviews(rs ...nhi.OwnershipReview) snapOpt {
	return func(s *Snapshot) { s.Reviews = append(s.Reviews, rs...) }
}

func policy(opts ...policyOpt) snapOpt { return func(s *Snapshot) { s.Policy = newPolicy(opts...) } }

func noPolicy() snapOpt { return func(s *Snapshot) { s.Policy = nil } }

func dir(d *Directory) snapOpt { return func(s *Snapshot) { s.Directory = d } }

func now(t time.Time) snapOpt { return func(s *Snapshot) { s.Now = t } }

// payments is the default ownership covering the given identities by name.
func payments(opts ...ownershipOpt) nhi.IdentityOwnership { return newOwnership("payments", opts...) }

// ---- identity expectations ----

// want is the expected evaluation of one identity. A zero since means ref
// (the identity entered its state now); nil labels means no Steward label.
type want struct {
	state     nhi.IdentityState
	findings  []nhi.Finding
	waived    []nhi.Finding
	excepted  []string
	action    Action
	reason    string
	labels    map[string]string
	ann       map[string]string // a subset; absent = must not be set
	ownership string
	since     time.Time
	revokeAt  time.Time
	next      time.Time
}

type identityCase struct {
	name     string
	snapshot Snapshot
	// target is the identity checked; the first of the snapshot when empty.
	target nhi.IdentityReference
	want   want
}

func runIdentityCases(t *testing.T, cases []identityCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := evaluate(t, tc.snapshot)
			target := tc.target
			if target.Name == "" {
				target = tc.snapshot.Identities[0].Ref()
			}
			got := identityResult(t, res, target.Kind, target.Name)
			checkIdentity(t, got, tc.want)
			equalTime(t, "NextDeadline", res.NextDeadline, tc.want.next)
		})
	}
}

func checkIdentity(t *testing.T, got IdentityResult, w want) {
	t.Helper()
	if !got.Governed {
		t.Fatalf("identity %s/%s is not governed", got.Identity.Kind, got.Identity.Name)
	}
	equal(t, "State", got.State, w.state)
	equal(t, "Findings", got.Findings, w.findings)
	equal(t, "Waived", got.Waived, w.waived)
	equal(t, "Exceptions", got.Exceptions, w.excepted)
	equal(t, "Action", got.Action, w.action)
	equal(t, "ActionReason", got.ActionReason, w.reason)
	equal(t, "Ownership", got.Ownership, w.ownership)
	wantLabels := w.labels
	if wantLabels == nil {
		wantLabels = map[string]string{}
	}
	equal(t, "Labels", got.Labels, wantLabels)
	equal(t, "state annotation", got.Annotations[AnnotationState], string(w.state))
	checkAnnotations(t, got.Annotations, w.ann)
	since := w.since
	if since.IsZero() {
		since = ref
	}
	equalTime(t, "Since", got.Since, since)
	equalTime(t, "RevokeAt", got.RevokeAt, w.revokeAt)
}

const refStamp = "2026-11-01T12:00:00Z" // formatTime(ref)

// TestEvaluateStates produces every identity state of SPEC §2.
func TestEvaluateStates(t *testing.T) {
	api := sa("api")
	coversAPI := covers(saRef("api"))
	oldSecret := createdAt(mustTime("2026-01-01T00:00:00Z"))

	runIdentityCases(t, []identityCase{
		{
			name:     "Owned: approved, unexpired, no review or rotation required",
			snapshot: build(ids(api), owns(payments(coversAPI))),
			want: want{
				state: nhi.StateOwned, ownership: "payments", next: ownershipExpiry,
				ann: map[string]string{
					AnnotationOwnership: "payments", AnnotationOwnerTeam: "payments",
					AnnotationExpiresAt: "2027-06-01T00:00:00Z", AnnotationApprovedBy: string(bob),
					AnnotationFindings: absent, AnnotationFindingSince: absent, AnnotationExceptedBy: absent,
				},
			},
		},
		{
			name:     "Unowned: nothing covers it, no rule means annotate only",
			snapshot: build(ids(sa("orphan"))),
			want: want{
				state: nhi.StateUnowned, findings: findings(nhi.FindingUnowned),
				action: ActionAnnotate, reason: "Unowned",
				ann: map[string]string{
					AnnotationFindings: "Unowned", AnnotationFindingSince: refStamp,
					AnnotationOwnership: absent, AnnotationOwnerTeam: absent, AnnotationExpiresAt: absent,
				},
			},
		},
		{
			name:     "Unowned with a Flag rule is labelled unowned",
			snapshot: build(policy(rule(nhi.FindingUnowned, nhi.ActionFlag)), ids(sa("orphan"))),
			want: want{
				state: nhi.StateUnowned, findings: findings(nhi.FindingUnowned),
				action: ActionFlag, reason: "Unowned", labels: map[string]string{LabelFinding: "unowned"},
			},
		},
		{
			name:     "Unowned: the ownership names a ServiceAccount, not the Secret of the same name",
			snapshot: build(ids(opaque("api")), owns(payments(coversAPI))),
			want: want{
				state: nhi.StateUnowned, findings: findings(nhi.FindingUnowned),
				action: ActionAnnotate, reason: "Unowned", next: ownershipExpiry,
			},
		},
		{
			name:     "Unowned: the covering ownership is being deleted (deleting never grants)",
			snapshot: build(ids(api), owns(payments(coversAPI, deleting()))),
			want: want{
				state: nhi.StateUnowned, findings: findings(nhi.FindingUnowned),
				action: ActionAnnotate, reason: "Unowned",
			},
		},
		{
			name: "Unapproved: approval required by default and missing",
			snapshot: build(policy(rule(nhi.FindingUnapproved, nhi.ActionFlag)), ids(api),
				owns(payments(coversAPI, unapproved()))),
			want: want{
				state: nhi.StateUnapproved, findings: findings(nhi.FindingUnapproved), ownership: "payments",
				action: ActionFlag, reason: "Unapproved", labels: map[string]string{LabelFinding: "unapproved"},
				ann:  map[string]string{AnnotationApprovedBy: absent, AnnotationOwnership: "payments"},
				next: ownershipExpiry,
			},
		},
		{
			name:     "Expired: expiresAt has passed",
			snapshot: build(ids(api), owns(payments(coversAPI, expires(mustTime("2026-10-01T00:00:00Z"))))),
			want: want{
				state: nhi.StateExpired, findings: findings(nhi.FindingExpired), ownership: "payments",
				action: ActionAnnotate, reason: "Expired",
				ann: map[string]string{AnnotationExpiresAt: "2026-10-01T00:00:00Z"},
			},
		},
		{
			name:     "ReviewOverdue: approval (2026-06-01) older than the 90-day review interval",
			snapshot: build(ids(api), owns(payments(coversAPI, reviewEvery("2160h")))),
			want: want{
				state: nhi.StateReviewOverdue, findings: findings(nhi.FindingReviewOverdue), ownership: "payments",
				action: ActionAnnotate, reason: "ReviewOverdue", next: ownershipExpiry,
			},
		},
		{
			name: "ReviewOverdue: without an approval the clock starts at the ownership's creation",
			snapshot: build(policy(requireApproval(false)), ids(api),
				owns(payments(coversAPI, unapproved(), reviewEvery("720h")))),
			want: want{
				state: nhi.StateReviewOverdue, findings: findings(nhi.FindingReviewOverdue), ownership: "payments",
				action: ActionAnnotate, reason: "ReviewOverdue", next: ownershipExpiry,
			},
		},
		{
			name: "RotationOverdue: Secret created 2026-01-01 is older than rotation.maxAge 30d",
			snapshot: build(ids(opaque("db", oldSecret)),
				owns(payments(covers(secretRef("db")), rotateEvery("720h")))),
			want: want{
				state: nhi.StateRotationOverdue, findings: findings(nhi.FindingRotationOverdue),
				ownership: "payments", action: ActionAnnotate, reason: "RotationOverdue", next: ownershipExpiry,
			},
		},
		{
			name: "rotation: steward.dev/rotated-at resets the age",
			snapshot: build(ids(opaque("db", oldSecret, annotate(AnnotationRotatedAt, "2026-10-20T00:00:00Z"))),
				owns(payments(covers(secretRef("db")), rotateEvery("720h")))),
			want: want{
				state: nhi.StateOwned, ownership: "payments", next: mustTime("2026-11-19T00:00:00Z"),
			},
		},
		{
			name: "rotation: a rotated-at older than the creation is ignored",
			snapshot: build(ids(opaque("db", createdAt(mustTime("2026-10-15T00:00:00Z")),
				annotate(AnnotationRotatedAt, "2026-01-01T00:00:00Z"))),
				owns(payments(covers(secretRef("db")), rotateEvery("720h")))),
			want: want{
				state: nhi.StateOwned, ownership: "payments", next: mustTime("2026-11-14T00:00:00Z"),
			},
		},
		{
			name: "rotation: an unparsable rotated-at falls back to the creation",
			snapshot: build(ids(opaque("db", oldSecret, annotate(AnnotationRotatedAt, "last tuesday"))),
				owns(payments(covers(secretRef("db")), rotateEvery("720h")))),
			want: want{
				state: nhi.StateRotationOverdue, findings: findings(nhi.FindingRotationOverdue),
				ownership: "payments", action: ActionAnnotate, reason: "RotationOverdue", next: ownershipExpiry,
			},
		},
		{
			name:     "rotation does not apply to ServiceAccounts",
			snapshot: build(ids(sa("api", oldSecret)), owns(payments(coversAPI, rotateEvery("720h")))),
			want:     want{state: nhi.StateOwned, ownership: "payments", next: ownershipExpiry},
		},
		{
			name: "Stale: legacy token last used 2026-08-01, staleAfter 30d",
			snapshot: build(policy(staleAfter("720h")),
				ids(secret("legacy", legacyToken, oldSecret, label(LabelLegacyTokenLastUsed, "2026-08-01"))),
				owns(payments(covers(secretRef("legacy"))))),
			want: want{
				state: nhi.StateStale, findings: findings(nhi.FindingStale), ownership: "payments",
				action: ActionAnnotate, reason: "Stale", next: ownershipExpiry,
			},
		},
		{
			name: "Stale: without the last-used label, age counts from the creation",
			snapshot: build(policy(staleAfter("720h")), ids(secret("legacy", legacyToken, oldSecret)),
				owns(payments(covers(secretRef("legacy"))))),
			want: want{
				state: nhi.StateStale, findings: findings(nhi.FindingStale), ownership: "payments",
				action: ActionAnnotate, reason: "Stale", next: ownershipExpiry,
			},
		},
		{
			name: "not Stale: legacy token used on 2026-10-20 (old creation ignored)",
			snapshot: build(policy(staleAfter("720h")),
				ids(secret("legacy", legacyToken, oldSecret, label(LabelLegacyTokenLastUsed, "2026-10-20"))),
				owns(payments(covers(secretRef("legacy"))))),
			want: want{state: nhi.StateOwned, ownership: "payments", next: mustTime("2026-11-19T00:00:00Z")},
		},
		{
			name: "not Stale: only legacy token Secrets go stale",
			snapshot: build(policy(staleAfter("720h")), ids(opaque("db", oldSecret)),
				owns(payments(covers(secretRef("db"))))),
			want: want{state: nhi.StateOwned, ownership: "payments", next: ownershipExpiry},
		},
		{
			name: "not Stale: the policy has no staleAfter",
			snapshot: build(ids(secret("legacy", legacyToken, oldSecret)),
				owns(payments(covers(secretRef("legacy"))))),
			want: want{state: nhi.StateOwned, ownership: "payments", next: ownershipExpiry},
		},
		{
			name:     "OwnerDeparted: every contact is absent from an available directory",
			snapshot: build(dir(directory(carol, bob)), ids(api), owns(payments(coversAPI, contacts(alice, dave)))),
			want: want{
				state: nhi.StateOwnerDeparted, findings: findings(nhi.FindingOwnerDeparted), ownership: "payments",
				action: ActionAnnotate, reason: "OwnerDeparted", next: ownershipExpiry,
			},
		},
		{
			name:     "OwnerDeparted: only some contacts absent => still Owned",
			snapshot: build(dir(directory(dave)), ids(api), owns(payments(coversAPI, contacts(alice, dave)))),
			want:     want{state: nhi.StateOwned, ownership: "payments", next: ownershipExpiry},
		},
		{
			name:     "OwnerDeparted: contacts are compared case-insensitively",
			snapshot: build(dir(directory("ALICE@Example.COM")), ids(api), owns(payments(coversAPI))),
			want:     want{state: nhi.StateOwned, ownership: "payments", next: ownershipExpiry},
		},
		{
			name:     "OwnerDeparted: an unavailable directory departs nobody",
			snapshot: build(dir(&Directory{Available: false}), ids(api), owns(payments(coversAPI))),
			want:     want{state: nhi.StateOwned, ownership: "payments", next: ownershipExpiry},
		},
		{
			name: "Excepted: an active exception waives Unowned, the finding is still listed",
			snapshot: build(ids(sa("orphan")), excepts(newException("x-orphan", findings(nhi.FindingUnowned),
				mustTime("2026-10-01T00:00:00Z"), mustTime("2026-12-01T00:00:00Z"), saRef("orphan")))),
			want: want{
				state: nhi.StateExcepted, findings: findings(nhi.FindingUnowned),
				waived: findings(nhi.FindingUnowned), excepted: []string{"x-orphan"},
				ann: map[string]string{
					AnnotationExceptedBy: "x-orphan", AnnotationFindings: "Unowned", AnnotationFindingSince: refStamp,
				},
				next: mustTime("2026-12-01T00:00:00Z"),
			},
		},
		{
			name: "Revoked: revoked-at annotation plus an open finding",
			snapshot: build(policy(revokeRule(nhi.FindingUnowned, "")),
				ids(sa("orphan", revoked("2026-10-31T00:00:00Z")))),
			want: want{
				state: nhi.StateRevoked, findings: findings(nhi.FindingUnowned),
				labels: map[string]string{LabelFinding: "revoked"},
				ann:    map[string]string{AnnotationFindings: "Unowned", AnnotationFindingSince: refStamp},
			},
		},
		{
			name:     "revoked-at without an open finding is Owned (re-approved after revocation)",
			snapshot: build(ids(sa("api", revoked("2026-10-31T00:00:00Z"))), owns(payments(coversAPI))),
			want:     want{state: nhi.StateOwned, ownership: "payments", next: ownershipExpiry},
		},
		{
			name: "revoked-at with only waived findings is Excepted",
			snapshot: build(ids(sa("orphan", revoked("2026-10-31T00:00:00Z"))),
				excepts(newException("x-orphan", findings(nhi.FindingUnowned),
					mustTime("2026-10-01T00:00:00Z"), mustTime("2026-12-01T00:00:00Z"), saRef("orphan")))),
			want: want{
				state: nhi.StateExcepted, findings: findings(nhi.FindingUnowned),
				waived: findings(nhi.FindingUnowned), excepted: []string{"x-orphan"},
				next: mustTime("2026-12-01T00:00:00Z"),
			},
		},
	})
}

// TestEvaluateBoundaries checks every transition one nanosecond before and
// exactly at its deadline: before it NextDeadline names the instant.
func TestEvaluateBoundaries(t *testing.T) {
	api := sa("api")
	coversAPI := covers(saRef("api"))
	before := ref.Add(-time.Nanosecond)
	orphanException := func() nhi.OwnershipException {
		return newException("x-orphan", findings(nhi.FindingUnowned), ref.Add(-10*day), ref, saRef("orphan"))
	}
	// The orphan has been Unowned for 24h; Unowned is revoked after 24h.
	graceOrphan := sa("orphan", recorded(nhi.StateUnowned, ref.Add(-24*time.Hour)))
	graceSince := ref.Add(-24 * time.Hour)

	runIdentityCases(t, []identityCase{
		{
			name:     "expiry: 1ns before expiresAt is Owned, deadline is expiresAt",
			snapshot: build(now(before), ids(api), owns(payments(coversAPI, expires(ref)))),
			want:     want{state: nhi.StateOwned, ownership: "payments", since: before.Truncate(time.Second), next: ref},
		},
		{
			name:     "expiry: at expiresAt is Expired, nothing further due",
			snapshot: build(ids(api), owns(payments(coversAPI, expires(ref)))),
			want: want{
				state: nhi.StateExpired, findings: findings(nhi.FindingExpired), ownership: "payments",
				action: ActionAnnotate, reason: "Expired",
			},
		},
		{
			name: "maxValidity: 1ns before approvedAt+maxValidity is Owned",
			snapshot: build(now(before), policy(maxValidity("720h")), ids(api),
				owns(payments(coversAPI, approved(ref.Add(-720*time.Hour))))),
			want: want{state: nhi.StateOwned, ownership: "payments", since: before.Truncate(time.Second), next: ref},
		},
		{
			name: "maxValidity: at approvedAt+maxValidity is Expired",
			snapshot: build(policy(maxValidity("720h")), ids(api),
				owns(payments(coversAPI, approved(ref.Add(-720*time.Hour))))),
			want: want{
				state: nhi.StateExpired, findings: findings(nhi.FindingExpired), ownership: "payments",
				action: ActionAnnotate, reason: "Expired", ann: map[string]string{AnnotationExpiresAt: refStamp},
			},
		},
		{
			name: "review: 1ns before approvedAt+interval is Owned",
			snapshot: build(now(before), ids(api),
				owns(payments(coversAPI, approved(ref.Add(-720*time.Hour)), reviewEvery("720h")))),
			want: want{state: nhi.StateOwned, ownership: "payments", since: before.Truncate(time.Second), next: ref},
		},
		{
			name: "review: at approvedAt+interval is ReviewOverdue",
			snapshot: build(ids(api),
				owns(payments(coversAPI, approved(ref.Add(-720*time.Hour)), reviewEvery("720h")))),
			want: want{
				state: nhi.StateReviewOverdue, findings: findings(nhi.FindingReviewOverdue), ownership: "payments",
				action: ActionAnnotate, reason: "ReviewOverdue", next: ownershipExpiry,
			},
		},
		{
			name: "review: a later Recertify resets the clock (1ns before review+interval: Owned)",
			snapshot: build(now(before), ids(api),
				owns(payments(coversAPI, approved(ref.Add(-1000*time.Hour)), reviewEvery("720h"))),
				reviews(newReview("r1", "payments", carol, nhi.DecisionRecertify, ref.Add(-720*time.Hour)))),
			want: want{state: nhi.StateOwned, ownership: "payments", since: before.Truncate(time.Second), next: ref},
		},
		{
			name: "review: a later Recertify resets the clock (at review+interval: ReviewOverdue)",
			snapshot: build(ids(api),
				owns(payments(coversAPI, approved(ref.Add(-1000*time.Hour)), reviewEvery("720h"))),
				reviews(newReview("r1", "payments", carol, nhi.DecisionRecertify, ref.Add(-720*time.Hour)))),
			want: want{
				state: nhi.StateReviewOverdue, findings: findings(nhi.FindingReviewOverdue), ownership: "payments",
				action: ActionAnnotate, reason: "ReviewOverdue", next: ownershipExpiry,
			},
		},
		{
			name: "review: a Recertify older than the approval does not move the clock back",
			snapshot: build(now(before), ids(api),
				owns(payments(coversAPI, approved(ref.Add(-720*time.Hour)), reviewEvery("720h"))),
				reviews(newReview("r0", "payments", carol, nhi.DecisionRecertify, ref.Add(-1000*time.Hour)))),
			want: want{state: nhi.StateOwned, ownership: "payments", since: before.Truncate(time.Second), next: ref},
		},
		{
			name: "review: a self-review does not reset the clock",
			snapshot: build(now(before), ids(api),
				owns(payments(coversAPI, approved(ref.Add(-1000*time.Hour)), reviewEvery("720h"))),
				reviews(newReview("r1", "payments", alice, nhi.DecisionRecertify, ref.Add(-24*time.Hour)))),
			want: want{
				state: nhi.StateReviewOverdue, findings: findings(nhi.FindingReviewOverdue), ownership: "payments",
				action: ActionAnnotate, reason: "ReviewOverdue", since: before.Truncate(time.Second),
				next: ownershipExpiry,
			},
		},
		{
			name: "rotation: 1ns before creation+maxAge is Owned",
			snapshot: build(now(before), ids(opaque("db", createdAt(ref.Add(-720*time.Hour)))),
				owns(payments(covers(secretRef("db")), rotateEvery("720h")))),
			want: want{state: nhi.StateOwned, ownership: "payments", since: before.Truncate(time.Second), next: ref},
		},
		{
			name: "rotation: at creation+maxAge is RotationOverdue",
			snapshot: build(ids(opaque("db", createdAt(ref.Add(-720*time.Hour)))),
				owns(payments(covers(secretRef("db")), rotateEvery("720h")))),
			want: want{
				state: nhi.StateRotationOverdue, findings: findings(nhi.FindingRotationOverdue),
				ownership: "payments", action: ActionAnnotate, reason: "RotationOverdue", next: ownershipExpiry,
			},
		},
		{
			name: "rotation: 1ns before rotated-at+maxAge is Owned",
			snapshot: build(now(before), ids(opaque("db", createdAt(ref.Add(-2000*time.Hour)),
				annotate(AnnotationRotatedAt, formatTime(ref.Add(-720*time.Hour))))),
				owns(payments(covers(secretRef("db")), rotateEvery("720h")))),
			want: want{state: nhi.StateOwned, ownership: "payments", since: before.Truncate(time.Second), next: ref},
		},
		{
			// 2026-10-02T00:00Z + 732h (30.5 days) = ref.
			name: "stale: 1ns before last-used+staleAfter is Owned",
			snapshot: build(now(before), policy(staleAfter("732h")),
				ids(secret("legacy", legacyToken, label(LabelLegacyTokenLastUsed, "2026-10-02"))),
				owns(payments(covers(secretRef("legacy"))))),
			want: want{state: nhi.StateOwned, ownership: "payments", since: before.Truncate(time.Second), next: ref},
		},
		{
			name: "stale: at last-used+staleAfter is Stale",
			snapshot: build(policy(staleAfter("732h")),
				ids(secret("legacy", legacyToken, label(LabelLegacyTokenLastUsed, "2026-10-02"))),
				owns(payments(covers(secretRef("legacy"))))),
			want: want{
				state: nhi.StateStale, findings: findings(nhi.FindingStale), ownership: "payments",
				action: ActionAnnotate, reason: "Stale", next: ownershipExpiry,
			},
		},
		{
			name: "exception: 1ns before its expiresAt it waives, deadline is expiresAt",
			snapshot: build(now(before), policy(rule(nhi.FindingUnowned, nhi.ActionFlag)),
				ids(sa("orphan")), excepts(orphanException())),
			want: want{
				state: nhi.StateExcepted, findings: findings(nhi.FindingUnowned), waived: findings(nhi.FindingUnowned),
				excepted: []string{"x-orphan"}, since: before.Truncate(time.Second), next: ref,
			},
		},
		{
			name: "exception: at its expiresAt it is inactive and the finding returns",
			snapshot: build(policy(rule(nhi.FindingUnowned, nhi.ActionFlag)),
				ids(sa("orphan")), excepts(orphanException())),
			want: want{
				state: nhi.StateUnowned, findings: findings(nhi.FindingUnowned), action: ActionFlag, reason: "Unowned",
				labels: map[string]string{LabelFinding: "unowned"},
				ann:    map[string]string{AnnotationExceptedBy: absent},
			},
		},
		{
			name:     "revoke grace: 1ns before since+revokeAfter the Revoke rule flags",
			snapshot: build(now(before), policy(revokeRule(nhi.FindingUnowned, "24h")), ids(graceOrphan)),
			want: want{
				state: nhi.StateUnowned, findings: findings(nhi.FindingUnowned), action: ActionFlag, reason: "Unowned",
				labels: map[string]string{LabelFinding: "unowned"}, since: graceSince, revokeAt: ref, next: ref,
				ann: map[string]string{AnnotationFindingSince: "2026-10-31T12:00:00Z"},
			},
		},
		{
			name:     "revoke grace: at since+revokeAfter, DryRun => WouldRevoke",
			snapshot: build(policy(revokeRule(nhi.FindingUnowned, "24h")), ids(graceOrphan)),
			want: want{
				state: nhi.StateUnowned, findings: findings(nhi.FindingUnowned), action: ActionWouldRevoke,
				reason: "Unowned", since: graceSince, revokeAt: ref,
				labels: map[string]string{LabelFinding: "unowned", LabelWouldRevoke: "true"},
			},
		},
		{
			name:     "revoke grace: at since+revokeAfter, Enforce => Revoke",
			snapshot: build(policy(revokeRule(nhi.FindingUnowned, "24h"), enforce()), ids(graceOrphan)),
			want: want{
				state: nhi.StateUnowned, findings: findings(nhi.FindingUnowned), action: ActionRevoke,
				reason: "Unowned", since: graceSince, revokeAt: ref,
				labels: map[string]string{LabelFinding: "unowned"},
			},
		},
		{
			name:     "revoke grace: a Revoke rule without revokeAfter acts immediately",
			snapshot: build(policy(revokeRule(nhi.FindingUnowned, "")), ids(sa("orphan"))),
			want: want{
				state: nhi.StateUnowned, findings: findings(nhi.FindingUnowned), action: ActionWouldRevoke,
				reason: "Unowned", revokeAt: ref,
				labels: map[string]string{LabelFinding: "unowned", LabelWouldRevoke: "true"},
			},
		},
	})
}

// TestEvaluateSeverity: the state is the most severe open finding, every
// finding is listed most severe first, and exceptions waive only their own.
func TestEvaluateSeverity(t *testing.T) {
	oldLegacy := secret("legacy", legacyToken, createdAt(mustTime("2026-01-01T00:00:00Z")))
	everything := func(opts ...ownershipOpt) nhi.IdentityOwnership {
		return payments(append([]ownershipOpt{covers(secretRef("legacy")), unapproved(),
			expires(mustTime("2026-10-01T00:00:00Z")), reviewEvery("720h"), rotateEvery("720h")}, opts...)...)
	}
	all := findings(nhi.FindingExpired, nhi.FindingOwnerDeparted, nhi.FindingUnapproved,
		nhi.FindingReviewOverdue, nhi.FindingRotationOverdue, nhi.FindingStale)
	exception := func(fs ...nhi.Finding) nhi.OwnershipException {
		return newException("x-legacy", fs, ref.Add(-day), ref.Add(10*day), secretRef("legacy"))
	}
	xEnd := ref.Add(10 * day)

	runIdentityCases(t, []identityCase{
		{
			name: "six findings at once: state Expired, all listed most severe first",
			snapshot: build(policy(staleAfter("720h"), rule(nhi.FindingUnapproved, nhi.ActionFlag)),
				dir(directory(carol)), ids(oldLegacy), owns(everything())),
			want: want{
				state: nhi.StateExpired, findings: all, ownership: "payments",
				action: ActionFlag, reason: "Unapproved", labels: map[string]string{LabelFinding: "expired"},
				ann: map[string]string{AnnotationFindings: "Expired,OwnerDeparted,Unapproved,ReviewOverdue,RotationOverdue,Stale"},
			},
		},
		{
			name: "the most severe action wins, whichever finding it answers",
			snapshot: build(policy(staleAfter("720h"), rule(nhi.FindingExpired, nhi.ActionAnnotate),
				rule(nhi.FindingUnapproved, nhi.ActionFlag), revokeRule(nhi.FindingStale, "")),
				dir(directory(carol)), ids(oldLegacy), owns(everything())),
			want: want{
				state: nhi.StateExpired, findings: all, ownership: "payments",
				action: ActionWouldRevoke, reason: "Stale", revokeAt: ref,
				labels: map[string]string{LabelFinding: "expired", LabelWouldRevoke: "true"},
			},
		},
		{
			name:     "Unowned outranks Stale",
			snapshot: build(policy(staleAfter("720h")), ids(oldLegacy)),
			want: want{
				state: nhi.StateUnowned, findings: findings(nhi.FindingUnowned, nhi.FindingStale),
				action: ActionAnnotate, reason: "Unowned", ann: map[string]string{AnnotationFindings: "Unowned,Stale"},
			},
		},
		{
			name: "an exception waiving Expired leaves OwnerDeparted as the state",
			snapshot: build(dir(directory(carol)), ids(oldLegacy),
				owns(payments(covers(secretRef("legacy")), expires(mustTime("2026-10-01T00:00:00Z")))),
				excepts(exception(nhi.FindingExpired))),
			want: want{
				state:    nhi.StateOwnerDeparted,
				findings: findings(nhi.FindingExpired, nhi.FindingOwnerDeparted), waived: findings(nhi.FindingExpired),
				excepted: []string{"x-legacy"}, ownership: "payments", action: ActionAnnotate, reason: "OwnerDeparted",
				ann: map[string]string{AnnotationExceptedBy: "x-legacy"}, next: xEnd,
			},
		},
		{
			name: "an exception waiving every finding makes the identity Excepted",
			snapshot: build(policy(staleAfter("720h"), revokeRule(nhi.FindingExpired, "")),
				dir(directory(carol)), ids(oldLegacy), owns(everything()),
				excepts(exception(nhi.FindingExpired, nhi.FindingOwnerDeparted, nhi.FindingUnapproved,
					nhi.FindingReviewOverdue, nhi.FindingRotationOverdue, nhi.FindingStale))),
			want: want{
				state: nhi.StateExcepted, findings: all, waived: all, excepted: []string{"x-legacy"},
				ownership: "payments", next: xEnd,
			},
		},
		{
			name: "an exception for Stale leaves an Unowned identity Unowned",
			snapshot: build(policy(staleAfter("720h"), rule(nhi.FindingUnowned, nhi.ActionFlag)), ids(oldLegacy),
				excepts(exception(nhi.FindingStale))),
			want: want{
				state: nhi.StateUnowned, findings: findings(nhi.FindingUnowned, nhi.FindingStale),
				waived: findings(nhi.FindingStale), excepted: []string{"x-legacy"},
				action: ActionFlag, reason: "Unowned", labels: map[string]string{LabelFinding: "unowned"},
				next: xEnd,
			},
		},
		{
			name: "a waived finding's Revoke rule does not act",
			snapshot: build(policy(revokeRule(nhi.FindingExpired, ""), rule(nhi.FindingOwnerDeparted, nhi.ActionFlag)),
				dir(directory(carol)), ids(oldLegacy),
				owns(payments(covers(secretRef("legacy")), expires(mustTime("2026-10-01T00:00:00Z")))),
				excepts(exception(nhi.FindingExpired))),
			want: want{
				state:    nhi.StateOwnerDeparted,
				findings: findings(nhi.FindingExpired, nhi.FindingOwnerDeparted), waived: findings(nhi.FindingExpired),
				excepted: []string{"x-legacy"}, ownership: "payments", action: ActionFlag, reason: "OwnerDeparted",
				labels: map[string]string{LabelFinding: "owner-departed"}, next: xEnd,
			},
		},
		{
			name: "an exception naming another identity waives nothing here",
			snapshot: build(ids(oldLegacy), excepts(newException("x-other", findings(nhi.FindingUnowned),
				ref.Add(-day), ref.Add(10*day), secretRef("other")))),
			want: want{
				state: nhi.StateUnowned, findings: findings(nhi.FindingUnowned), action: ActionAnnotate,
				reason: "Unowned", next: xEnd,
			},
		},
		{
			name: "an exception selecting by label waives",
			snapshot: build(ids(sa("orphan", label("app", "legacy"))), excepts(func() nhi.OwnershipException {
				x := newException("x-sel", findings(nhi.FindingUnowned), ref.Add(-day), ref.Add(10*day))
				x.Spec.Selector = &nhi.IdentitySelector{MatchLabels: map[string]string{"app": "legacy"}}
				return x
			}())),
			want: want{
				state: nhi.StateExcepted, findings: findings(nhi.FindingUnowned), waived: findings(nhi.FindingUnowned),
				excepted: []string{"x-sel"}, next: xEnd,
			},
		},
		{
			name: "two active exceptions each waive their own finding",
			snapshot: build(policy(staleAfter("720h")), ids(oldLegacy), excepts(
				newException("x-b", findings(nhi.FindingStale), ref.Add(-day), ref.Add(10*day), secretRef("legacy")),
				newException("x-a", findings(nhi.FindingUnowned), ref.Add(-2*day), ref.Add(5*day), secretRef("legacy")))),
			want: want{
				state: nhi.StateExcepted, findings: findings(nhi.FindingUnowned, nhi.FindingStale),
				waived: findings(nhi.FindingUnowned, nhi.FindingStale), excepted: []string{"x-a", "x-b"},
				ann: map[string]string{AnnotationExceptedBy: "x-a,x-b"}, next: ref.Add(5 * day),
			},
		},
	})
}

// TestEvaluatePolicyRequirements covers maxValidity, maxReviewInterval,
// requireApproval and maxExceptionDuration.
func TestEvaluatePolicyRequirements(t *testing.T) {
	api := sa("api")
	coversAPI := covers(saRef("api"))
	orphanX := func(created, expiresAt time.Time) snapOpt {
		return excepts(newException("x-orphan", findings(nhi.FindingUnowned), created, expiresAt, saRef("orphan")))
	}
	clamped := approvedAt.Add(6000 * time.Hour) // 2027-02-06, before spec.expiresAt 2027-06-01

	runIdentityCases(t, []identityCase{
		{
			name:     "maxValidity clamps the expiry into the past: Expired",
			snapshot: build(policy(maxValidity("2160h")), ids(api), owns(payments(coversAPI))),
			want: want{
				state: nhi.StateExpired, findings: findings(nhi.FindingExpired), ownership: "payments",
				action: ActionAnnotate, reason: "Expired",
				ann: map[string]string{AnnotationExpiresAt: "2026-08-30T00:00:00Z"},
			},
		},
		{
			name:     "maxValidity clamps the expiry, still in the future: Owned until the clamp",
			snapshot: build(policy(maxValidity("6000h")), ids(api), owns(payments(coversAPI))),
			want: want{
				state: nhi.StateOwned, ownership: "payments", next: clamped,
				ann: map[string]string{AnnotationExpiresAt: "2027-02-06T00:00:00Z"},
			},
		},
		{
			name:     "maxValidity longer than spec.expiresAt - approvedAt changes nothing",
			snapshot: build(policy(maxValidity("17520h")), ids(api), owns(payments(coversAPI))),
			want: want{
				state: nhi.StateOwned, ownership: "payments", next: ownershipExpiry,
				ann: map[string]string{AnnotationExpiresAt: "2027-06-01T00:00:00Z"},
			},
		},
		{
			name: "maxValidity needs an approval to count from",
			snapshot: build(policy(maxValidity("720h"), requireApproval(false)), ids(api),
				owns(payments(coversAPI, unapproved()))),
			want: want{state: nhi.StateOwned, ownership: "payments", next: ownershipExpiry},
		},
		{
			name:     "maxReviewInterval caps a longer review interval",
			snapshot: build(policy(maxReviewInterval("720h")), ids(api), owns(payments(coversAPI, reviewEvery("8760h")))),
			want: want{
				state: nhi.StateReviewOverdue, findings: findings(nhi.FindingReviewOverdue), ownership: "payments",
				action: ActionAnnotate, reason: "ReviewOverdue", next: ownershipExpiry,
			},
		},
		{
			name:     "maxReviewInterval supplies the interval when the ownership sets none",
			snapshot: build(policy(maxReviewInterval("4380h")), ids(api), owns(payments(coversAPI))),
			want:     want{state: nhi.StateOwned, ownership: "payments", next: mustTime("2026-11-30T12:00:00Z")},
		},
		{
			name:     "maxReviewInterval keeps a shorter ownership interval",
			snapshot: build(policy(maxReviewInterval("8760h")), ids(api), owns(payments(coversAPI, reviewEvery("720h")))),
			want: want{
				state: nhi.StateReviewOverdue, findings: findings(nhi.FindingReviewOverdue), ownership: "payments",
				action: ActionAnnotate, reason: "ReviewOverdue", next: ownershipExpiry,
			},
		},
		{
			name:     "requireApproval=false: an unapproved ownership is Owned",
			snapshot: build(policy(requireApproval(false)), ids(api), owns(payments(coversAPI, unapproved()))),
			want: want{
				state: nhi.StateOwned, ownership: "payments", next: ownershipExpiry,
				ann: map[string]string{AnnotationApprovedBy: absent},
			},
		},
		{
			name:     "requireApproval=true explicitly: Unapproved",
			snapshot: build(policy(requireApproval(true)), ids(api), owns(payments(coversAPI, unapproved()))),
			want: want{
				state: nhi.StateUnapproved, findings: findings(nhi.FindingUnapproved), ownership: "payments",
				action: ActionAnnotate, reason: "Unapproved", next: ownershipExpiry,
			},
		},
		{
			name: "maxExceptionDuration: an exception 1ns too long is inactive",
			snapshot: build(policy(maxExceptionDuration("720h")), ids(sa("orphan")),
				orphanX(ref.Add(-day), ref.Add(-day+720*time.Hour+time.Nanosecond))),
			want: want{
				state: nhi.StateUnowned, findings: findings(nhi.FindingUnowned), action: ActionAnnotate, reason: "Unowned",
			},
		},
		{
			name: "maxExceptionDuration: an exception exactly that long is active",
			snapshot: build(policy(maxExceptionDuration("720h")), ids(sa("orphan")),
				orphanX(ref.Add(-day), ref.Add(-day+720*time.Hour))),
			want: want{
				state: nhi.StateExcepted, findings: findings(nhi.FindingUnowned), waived: findings(nhi.FindingUnowned),
				excepted: []string{"x-orphan"}, next: ref.Add(-day + 720*time.Hour),
			},
		},
	})
}

// TestGraceClock: since is read back from steward.dev/finding-since while
// the state is unchanged and resets to Now when it changes.
func TestGraceClock(t *testing.T) {
	h := time.Hour
	withRow := func(state nhi.IdentityState, since time.Time) ownershipOpt {
		return func(o *nhi.IdentityOwnership) {
			s := metav1.NewTime(since)
			o.Status.Identities = []nhi.IdentityStatus{{Kind: nhi.KindServiceAccount, Name: "api", State: state, Since: &s}}
		}
	}
	runIdentityCases(t, []identityCase{
		{
			name:     "unchanged state keeps the recorded since",
			snapshot: build(ids(sa("orphan", recorded(nhi.StateUnowned, ref.Add(-48*h))))),
			want: want{
				state: nhi.StateUnowned, findings: findings(nhi.FindingUnowned), action: ActionAnnotate, reason: "Unowned",
				since: ref.Add(-48 * h), ann: map[string]string{AnnotationFindingSince: "2026-10-30T12:00:00Z"},
			},
		},
		{
			name:     "changed state resets since to now",
			snapshot: build(ids(sa("orphan", recorded(nhi.StateExpired, ref.Add(-48*h))))),
			want: want{
				state: nhi.StateUnowned, findings: findings(nhi.FindingUnowned), action: ActionAnnotate, reason: "Unowned",
				ann: map[string]string{AnnotationFindingSince: refStamp},
			},
		},
		{
			name:     "a record with no instant restarts the clock",
			snapshot: build(ids(sa("orphan", recorded(nhi.StateUnowned, time.Time{})))),
			want: want{
				state: nhi.StateUnowned, findings: findings(nhi.FindingUnowned), action: ActionAnnotate, reason: "Unowned",
				ann: map[string]string{AnnotationFindingSince: refStamp},
			},
		},
		{
			name:     "a new since is truncated to the second",
			snapshot: build(now(ref.Add(700*time.Millisecond)), ids(sa("orphan"))),
			want: want{
				state: nhi.StateUnowned, findings: findings(nhi.FindingUnowned), action: ActionAnnotate, reason: "Unowned",
				ann: map[string]string{AnnotationFindingSince: refStamp},
			},
		},
		{
			name: "grace counts from the recorded since: 48h of 72h used",
			snapshot: build(policy(revokeRule(nhi.FindingUnowned, "72h")),
				ids(sa("orphan", recorded(nhi.StateUnowned, ref.Add(-48*h))))),
			want: want{
				state: nhi.StateUnowned, findings: findings(nhi.FindingUnowned), action: ActionFlag, reason: "Unowned",
				labels: map[string]string{LabelFinding: "unowned"}, since: ref.Add(-48 * h),
				revokeAt: ref.Add(24 * h), next: ref.Add(24 * h),
			},
		},
		{
			name: "grace restarts when the state changes",
			snapshot: build(policy(revokeRule(nhi.FindingUnowned, "72h")),
				ids(sa("orphan", recorded(nhi.StateExpired, ref.Add(-96*h))))),
			want: want{
				state: nhi.StateUnowned, findings: findings(nhi.FindingUnowned), action: ActionFlag, reason: "Unowned",
				labels: map[string]string{LabelFinding: "unowned"}, revokeAt: ref.Add(72 * h), next: ref.Add(72 * h),
			},
		},
		{
			name: "Excepted keeps its recorded since",
			snapshot: build(ids(sa("orphan", recorded(nhi.StateExcepted, ref.Add(-5*day)))),
				excepts(newException("x", findings(nhi.FindingUnowned), ref.Add(-6*day), ref.Add(day), saRef("orphan")))),
			want: want{
				state: nhi.StateExcepted, findings: findings(nhi.FindingUnowned), waived: findings(nhi.FindingUnowned),
				excepted: []string{"x"}, since: ref.Add(-5 * day), next: ref.Add(day),
				ann: map[string]string{AnnotationFindingSince: "2026-10-27T12:00:00Z"},
			},
		},
		{
			name: "Owned keeps the ledger's since",
			snapshot: build(ids(sa("api", recorded(nhi.StateOwned, ref.Add(-10*day)))),
				owns(payments(covers(saRef("api"))))),
			want: want{
				state: nhi.StateOwned, ownership: "payments", since: ref.Add(-10 * day), next: ownershipExpiry,
				ann: map[string]string{AnnotationFindingSince: absent},
			},
		},
		{
			name: "Owned ignores the ownership's status rows",
			snapshot: build(ids(sa("api", recorded(nhi.StateOwned, time.Time{}))),
				owns(payments(covers(saRef("api")), withRow(nhi.StateOwned, ref.Add(-10*day))))),
			want: want{state: nhi.StateOwned, ownership: "payments", next: ownershipExpiry},
		},
		{
			name: "Owned after a finding starts a new since",
			snapshot: build(ids(sa("api", recorded(nhi.StateExpired, ref.Add(-10*day)))),
				owns(payments(covers(saRef("api")), withRow(nhi.StateOwned, ref.Add(-30*day))))),
			want: want{state: nhi.StateOwned, ownership: "payments", next: ownershipExpiry},
		},
	})
}

// TestEvaluateTransitioned checks PreviousState and Transitioned.
func TestEvaluateTransitioned(t *testing.T) {
	cases := []struct {
		name     string
		recorded string
		wantPrev nhi.IdentityState
		wantTr   bool
	}{
		{"first evaluation", "", "", true},
		{"same state", "Unowned", nhi.StateUnowned, false},
		{"state changed", "Owned", nhi.StateOwned, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			id := sa("orphan")
			id.Recorded.State = nhi.IdentityState(tc.recorded)
			r := evaluate(t, build(ids(id))).Identities[0]
			equal(t, "PreviousState", r.PreviousState, tc.wantPrev)
			equal(t, "Transitioned", r.Transitioned(), tc.wantTr)
		})
	}
}

// TestEvaluateArrivedOwned: only an identity first seen already Owned has
// arrived owned; one that became Owned, or was first seen with a finding,
// is news.
func TestEvaluateArrivedOwned(t *testing.T) {
	cases := []struct {
		name     string
		recorded nhi.IdentityState
		covered  bool
		want     bool
	}{
		{"first seen, covered", "", true, true},
		{"first seen, uncovered", "", false, false},
		{"became owned", nhi.StateUnowned, true, false},
		{"stayed owned", nhi.StateOwned, true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			id := sa("api")
			id.Recorded.State = tc.recorded
			opts := []snapOpt{ids(id)}
			if tc.covered {
				opts = append(opts, owns(payments(covers(saRef("api")))))
			}
			r := evaluate(t, build(opts...)).Identities[0]
			equal(t, "ArrivedOwned", r.ArrivedOwned(), tc.want)
		})
	}
}

// TestEvaluateDeterministicAndPure: the same snapshot gives the same result,
// the result keeps the snapshot's identity order, and the input is not
// modified.
func TestEvaluateDeterministicAndPure(t *testing.T) {
	mk := func() Snapshot {
		return build(policy(staleAfter("720h"), revokeRule(nhi.FindingUnowned, "24h")),
			ids(sa("b", label("team", "x")), opaque("a", label("team", "x")), sa("orphan"), sa("default")),
			owns(payments(covers(saRef("b"))), newOwnership("sel", ownershipCreatedAt(ownershipCreated.Add(time.Hour)),
				selects(nhi.IdentitySelector{MatchLabels: map[string]string{"team": "x"}}))),
			reviews(newReview("r", "payments", carol, nhi.DecisionRecertify, ref.Add(-day))))
	}
	s := mk()
	first := Evaluate(s)
	second := Evaluate(s)
	equal(t, "two evaluations", first, second)
	equal(t, "snapshot after evaluation", s, mk())
	order := make([]string, 0, len(first.Identities))
	for _, r := range first.Identities {
		order = append(order, r.Identity.Name)
	}
	equal(t, "identity order", order, []string{"b", "a", "orphan", "default"})
	equal(t, "b's ownership (named, older)", first.Identities[0].Ownership, "payments")
	equal(t, "a's ownership (selector)", first.Identities[1].Ownership, "sel")
	equal(t, "sel conflicts with", first.Ownerships["sel"].ConflictsWith, "payments")
}
