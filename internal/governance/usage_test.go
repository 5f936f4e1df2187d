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
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

func TestUnused(t *testing.T) {
	owned := owns(payments(covers(saRef("api"), secretRef("db"), secretRef("legacy"))))
	day := 24 * time.Hour
	cases := []struct {
		name        string
		identity    Identity
		policy      snapOpt
		wantUnused  bool
		wantSince   time.Time // the unused clock to record; zero: none
		wantNext    time.Time
		wantChanged bool
	}{
		{name: "first seen without a user: the clock starts now", identity: sa("api"),
			policy: policy(unusedAfter("24h")), wantSince: ref, wantNext: ref.Add(day)},
		{name: "1s before unusedAfter: not yet", identity: sa("api", unusedSince(ref.Add(-day+time.Second))),
			policy: policy(unusedAfter("24h")), wantSince: ref.Add(-day + time.Second), wantNext: ref.Add(time.Second)},
		{name: "at unusedAfter: Unused", identity: sa("api", unusedSince(ref.Add(-day))),
			policy: policy(unusedAfter("24h")), wantUnused: true, wantSince: ref.Add(-day), wantNext: ownershipExpiry},
		{name: "a user stops the clock and clears it", identity: sa("api", unusedSince(ref.Add(-2*day)), usedBy("Deployment/web")),
			policy: policy(unusedAfter("24h")), wantNext: ownershipExpiry, wantChanged: true},
		{name: "a future unused clock (forged or skewed) restarts now", identity: sa("api", unusedSince(ref.Add(day))),
			policy: policy(unusedAfter("24h")), wantSince: ref, wantNext: ref.Add(day)},
		{name: "a Secret referenced by a ServiceAccount is used", identity: opaque("db", usedBy("ServiceAccount/api")),
			policy: policy(unusedAfter("24h")), wantNext: ownershipExpiry, wantChanged: true},
		{name: "an unreferenced Secret is Unused", identity: opaque("db", unusedSince(ref.Add(-2*day))),
			policy: policy(unusedAfter("24h")), wantUnused: true, wantSince: ref.Add(-2 * day), wantNext: ownershipExpiry},
		{name: "legacy tokens are left to Stale", identity: secret("legacy", legacyToken, unusedSince(ref.Add(-2*day))),
			policy: policy(unusedAfter("24h")), wantNext: ownershipExpiry},
		{name: "no unusedAfter: never Unused, no clock", identity: sa("api", unusedSince(ref.Add(-100*day))),
			policy: policy(), wantNext: ownershipExpiry},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := evaluate(t, build(tc.policy, ids(tc.identity), owned))
			got := res.Identities[0]
			equal(t, "Unused", slices.Contains(got.Findings, nhi.FindingUnused), tc.wantUnused)
			if tc.wantUnused {
				equal(t, "State", got.State, nhi.StateUnused)
				equal(t, "DueAt", got.DueAt, tc.wantSince.Add(24*time.Hour))
			}
			equalTime(t, "Record.UnusedSince", got.Record.UnusedSince, tc.wantSince)
			equalTime(t, "NextDeadline", res.NextDeadline, tc.wantNext)
			equal(t, "UsageChanged", got.UsageChanged, tc.wantChanged)
			equal(t, "usage digest recorded", got.Record.UsageDigest != "", len(tc.identity.Users) > 0)
		})
	}
}

func TestUsageDigestIsStable(t *testing.T) {
	a := evaluate(t, build(ids(sa("api", usedBy("Deployment/web", "Pod/debug"))))).Identities[0]
	b := evaluate(t, build(ids(sa("api", usedBy("Deployment/web", "Pod/debug"))))).Identities[0]
	c := evaluate(t, build(ids(sa("api", usedBy("Deployment/web"))))).Identities[0]
	equal(t, "same users, same digest", a.Record.UsageDigest, b.Record.UsageDigest)
	if a.Record.UsageDigest == c.Record.UsageDigest {
		t.Error("other users, same digest")
	}
	seen := sa("api", usedBy("Deployment/web", "Pod/debug"))
	seen.Recorded.UsageDigest = a.Record.UsageDigest
	equal(t, "unchanged users are not logged again", evaluate(t, build(ids(seen))).Identities[0].UsageChanged, false)
}

func TestHoldInUse(t *testing.T) {
	expiredOwnership := owns(payments(covers(saRef("api")), expires(ref.Add(-48*time.Hour))))
	expiredSince := ref.Add(-48 * time.Hour)
	expiredRecord := func(opts ...identityOpt) Identity {
		return sa("api", append([]identityOpt{recorded(nhi.StateExpired, expiredSince)}, opts...)...)
	}
	web := []nhi.WorkloadReference{{Kind: "Deployment", Name: "web"}}
	cases := []struct {
		name       string
		policy     snapOpt
		identity   Identity
		budget     int
		wantAction Action
		wantImpact []nhi.WorkloadReference
		wantLabel  string // the label naming the action, if any
		wantReport bool
	}{
		{name: "Enforce, in use, inUse unset (Hold): held, the workloads named",
			policy: policy(enforce(), revokeRule(nhi.FindingExpired, "24h")), identity: expiredRecord(usedBy("Deployment/web")),
			budget: 10, wantAction: ActionHold, wantImpact: web, wantLabel: LabelRevocationHeld, wantReport: true},
		{name: "Enforce, in use, held before: still held, not reported again",
			policy:   policy(enforce(), revokeRule(nhi.FindingExpired, "24h")),
			identity: expiredRecord(usedBy("Deployment/web"), func(i *Identity) { i.Recorded.Held = true }),
			budget:   10, wantAction: ActionHold, wantImpact: web, wantLabel: LabelRevocationHeld},
		{name: "Enforce, in use, inUse: Revoke: revoked anyway",
			policy:   policy(enforce(), inUse(nhi.InUseRevoke), revokeRule(nhi.FindingExpired, "24h")),
			identity: expiredRecord(usedBy("Deployment/web")), budget: 10, wantAction: ActionRevoke, wantImpact: web},
		{name: "Enforce, unused: revoked",
			policy:   policy(enforce(), revokeRule(nhi.FindingExpired, "24h")),
			identity: expiredRecord(), budget: 10, wantAction: ActionRevoke},
		{name: "Enforce, in use, revocation already in progress: it finishes",
			policy: policy(enforce(), revokeRule(nhi.FindingExpired, "24h")),
			identity: expiredRecord(usedBy("Deployment/web"),
				func(i *Identity) { i.Recorded.RevocationInProgress = true }),
			budget: 0, wantAction: ActionRevoke, wantImpact: web},
		{name: "DryRun, in use: WouldRevoke names the workloads that would break",
			policy: policy(revokeRule(nhi.FindingExpired, "24h")), identity: expiredRecord(usedBy("Deployment/web")),
			wantAction: ActionWouldRevoke, wantImpact: web, wantLabel: LabelWouldRevoke, wantReport: true},
		{name: "a Secret listed only by a ServiceAccount is not held",
			policy:   policy(enforce(), revokeRule(nhi.FindingExpired, "24h")),
			identity: expiredRecord(usedBy("ServiceAccount/builder")), budget: 10, wantAction: ActionRevoke},
		{name: "grace not over: flagged, nothing held",
			policy: policy(enforce(), revokeRule(nhi.FindingExpired, "72h")), identity: expiredRecord(usedBy("Deployment/web")),
			budget: 10, wantAction: ActionFlag},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := build(tc.policy, ids(tc.identity), expiredOwnership)
			s.Budget = Budget{Remaining: tc.budget}
			got := Evaluate(s).Identities[0]
			equal(t, "Action", got.Action, tc.wantAction)
			equal(t, "Impact", got.Impact, tc.wantImpact)
			for _, l := range []string{LabelWouldRevoke, LabelRevocationHeld} {
				equal(t, "label "+l, got.Labels[l] == "true", l == tc.wantLabel)
			}
			equal(t, "reported", got.ReportHold || got.ReportWouldRevoke, tc.wantReport)
			equal(t, "Record.Held", got.Record.Held, tc.wantAction == ActionHold)
			row := IdentityStatusOf(&got)
			equal(t, "status Held", row.Held, tc.wantAction == ActionHold)
		})
	}
}

func TestRevocationBudget(t *testing.T) {
	frees := ref.Add(40 * time.Minute)
	unowned := func(name string, since time.Time, opts ...identityOpt) Identity {
		return sa(name, append([]identityOpt{recorded(nhi.StateUnowned, since)}, opts...)...)
	}
	// c has been due longest, then a, then b.
	due := ids(unowned("a", ref.Add(-2*time.Hour)), unowned("b", ref.Add(-90*time.Minute)),
		unowned("c", ref.Add(-3*time.Hour)))
	cases := []struct {
		name       string
		budget     Budget
		extra      []identityOpt // applied to b
		wantRevoke []string
		wantNext   time.Time
	}{
		{name: "enough slots: all revoked", budget: Budget{Remaining: 3}, wantRevoke: []string{"a", "b", "c"}},
		{name: "one slot: the longest overdue first, the rest halted until a slot frees",
			budget: Budget{Remaining: 1, FreesAt: frees}, wantRevoke: []string{"c"}, wantNext: frees},
		{name: "no slot: all halted", budget: Budget{FreesAt: frees}, wantNext: frees},
		{name: "a revocation in progress needs no slot",
			budget: Budget{FreesAt: frees}, extra: []identityOpt{func(i *Identity) { i.Recorded.RevocationInProgress = true }},
			wantRevoke: []string{"b"}, wantNext: frees},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := build(policy(enforce(), revokeRule(nhi.FindingUnowned, "1h")), due)
			for _, o := range tc.extra {
				o(&s.Identities[1])
			}
			s.Budget = tc.budget
			res := Evaluate(s)
			var revoked []string
			for _, id := range res.Identities {
				switch id.Action {
				case ActionRevoke:
					revoked = append(revoked, id.Identity.Name)
					equal(t, id.Identity.Name+" Halted", id.Halted, false)
				case ActionWouldRevoke:
					equal(t, id.Identity.Name+" Halted", id.Halted, true)
					equal(t, id.Identity.Name+" label", id.Labels[LabelWouldRevoke], "true")
					equal(t, id.Identity.Name+" reported once", id.ReportWouldRevoke, true)
				default:
					t.Errorf("%s: action %q", id.Identity.Name, id.Action)
				}
			}
			equal(t, "revoked", revoked, tc.wantRevoke)
			equalTime(t, "NextDeadline", res.NextDeadline, tc.wantNext)
		})
	}
	t.Run("halted after a DryRun WouldRevoke: reported again, as halted", func(t *testing.T) {
		s := build(policy(enforce(), revokeRule(nhi.FindingUnowned, "1h")),
			ids(sa("a", recorded(nhi.StateUnowned, ref.Add(-2*time.Hour)), func(i *Identity) { i.Recorded.WouldRevoke = true })))
		s.Budget = Budget{}
		got := Evaluate(s).Identities[0]
		equal(t, "Halted", got.Halted, true)
		equal(t, "reported", got.ReportWouldRevoke, true)
		equal(t, "recorded as halted", got.Record.Halted && !got.Record.WouldRevoke, true)
	})
	t.Run("DryRun ignores the budget", func(t *testing.T) {
		res := evaluate(t, build(policy(revokeRule(nhi.FindingUnowned, "1h")), due))
		for _, id := range res.Identities {
			equal(t, id.Identity.Name+" action", id.Action, ActionWouldRevoke)
			equal(t, id.Identity.Name+" halted", id.Halted, false)
		}
	})
}

func TestMarkRevokedDerivesTheRecordAndMetadata(t *testing.T) {
	s := build(policy(enforce(), revokeRule(nhi.FindingUnowned, "1h")),
		ids(sa("api", recorded(nhi.StateUnowned, ref.Add(-2*time.Hour)), usedBy("Pod/x"))))
	s.Policy.Spec.Revocation.InUse = nhi.InUseRevoke
	s.Budget = Budget{Remaining: 1}
	r := Evaluate(s).Identities[0]
	equal(t, "Action", r.Action, ActionRevoke)
	MarkRevoked(&r, ref, "RoleBinding/team-a/read (Role/reader)")
	equal(t, "State", r.State, nhi.StateRevoked)
	equal(t, "Labels", r.Labels, map[string]string{LabelFinding: "revoked"})
	equal(t, "revoked-at", r.Annotations[AnnotationRevokedAt], Timestamp(ref))
	equal(t, "removed-bindings", r.Annotations[AnnotationRemovedBindings], "RoleBinding/team-a/read (Role/reader)")
	equal(t, "Record", EncodeRecord(r.Record), EncodeRecord(Record{State: nhi.StateRevoked, Since: ref.Truncate(time.Second),
		UsageDigest: usageDigest(r.Identity.Users)}))
}

func TestRecordRoundTrip(t *testing.T) {
	for _, rec := range []Record{
		{State: nhi.StateOwned, Since: ref},
		{State: nhi.StateExpired, Since: ref, WouldRevoke: true},
		{State: nhi.StateExpired, Since: ref, Held: true, UsageDigest: "0a1b2c3d4e5f"},
		{State: nhi.StateExpired, Since: ref, Halted: true},
		{State: nhi.StateUnused, Since: ref, UnusedSince: ref.Add(-time.Hour), WarnedFor: ref.Add(time.Hour)},
	} {
		got, ok := DecodeRecord(EncodeRecord(rec))
		if !ok {
			t.Fatalf("%q does not decode", EncodeRecord(rec))
		}
		equal(t, EncodeRecord(rec), got, rec)
	}
	if got, ok := DecodeRecord("Expired@1764633600@WouldRevoke"); !ok || !got.WouldRevoke || got.State != nhi.StateExpired {
		t.Errorf("an entry of the earlier format reads as %+v, %v", got, ok)
	}
}

func TestTrimContextKeepsStatusBounded(t *testing.T) {
	long := strings.Repeat("n", 253)
	rows := make([]nhi.IdentityStatus, nhi.MaxStatusIdentities)
	for i := range rows {
		rows[i] = nhi.IdentityStatus{Kind: nhi.KindServiceAccount, Name: fmt.Sprintf("sa-%04d", i),
			Usage: &nhi.IdentityUsage{Count: 9, Workloads: []nhi.WorkloadReference{{Kind: "Deployment", Name: long},
				{Kind: "Deployment", Name: long}, {Kind: "Deployment", Name: long}}},
			Access: &nhi.AccessSummary{NamespaceCount: 20, Namespaces: slices.Repeat([]string{long[:63]}, 8),
				Roles: slices.Repeat([]string{"ClusterRole/" + long}, 8), Risky: []nhi.RiskyPermission{nhi.RiskReadSecrets}},
			CloudIdentities: []nhi.CloudIdentityLink{{Provider: nhi.CloudAWS, Identity: strings.Repeat("a", 600),
				Annotation: "eks.amazonaws.com/role-arn"}},
		}
	}
	shared := rows[len(rows)-1].Access
	TrimContext(rows, StatusContextBudget)
	data, err := json.Marshal(rows)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) > 2*StatusContextBudget {
		t.Errorf("1024 rows of maximal context take %d bytes after trimming, want under %d", len(data), 2*StatusContextBudget)
	}
	equal(t, "the first row keeps its names", len(rows[0].Usage.Workloads), 3)
	last := rows[len(rows)-1]
	equal(t, "the last row keeps its counts", last.Usage.Count, int32(9))
	equal(t, "and its risky permissions", last.Access.Risky, []nhi.RiskyPermission{nhi.RiskReadSecrets})
	equal(t, "but not the names", len(last.Access.Roles)+len(last.Usage.Workloads)+len(last.CloudIdentities), 0)
	equal(t, "the identity's own summary is not changed", len(shared.Roles), 8)
}

func TestAReviewersRevokeIsNotHeld(t *testing.T) {
	s := build(policy(enforce()), ids(sa("api", recorded(nhi.StateUnowned, ref.Add(-time.Hour)), usedBy("Deployment/web"))),
		owns(payments(covers(saRef("api")))),
		reviews(newReview("q4", "payments", carol, nhi.DecisionRevoke, ref.Add(-2*time.Hour), alreadyCompleted(ref.Add(-2*time.Hour), 3))))
	s.Budget = Budget{Remaining: 1}
	got := Evaluate(s).Identities[0]
	equal(t, "ActionReason", got.ActionReason, ReasonReviewDecidedRevoke)
	equal(t, "Action", got.Action, ActionRevoke)
	equal(t, "Impact", got.Impact, []nhi.WorkloadReference{{Kind: "Deployment", Name: "web"}})
}
