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

// Small fixture builders shared by the tests of this package. Every time is
// derived from ref, a fixed instant: no test reads the wall clock.

import (
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

const (
	testNamespace = "team-a"
	legacyToken   = "kubernetes.io/service-account-token"

	alice = nhi.Person("alice@example.com") // owner contact
	dave  = nhi.Person("dave@example.com")  // second owner contact
	bob   = nhi.Person("bob@example.com")   // approver
	carol = nhi.Person("carol@example.com") // independent reviewer / risk acceptor
)

// ref is the reference "now" of every test.
var ref = mustTime("2026-11-01T12:00:00Z")

// Fixed instants used by the default fixtures.
var (
	policyCreated    = mustTime("2026-01-01T00:00:00Z")
	ownershipCreated = mustTime("2026-06-01T00:00:00Z")
	approvedAt       = mustTime("2026-06-01T00:00:00Z")
	ownershipExpiry  = mustTime("2027-06-01T00:00:00Z")
	identityCreated  = mustTime("2026-10-01T00:00:00Z")
)

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func ts(t time.Time) metav1.Time { return metav1.NewTime(t) }

func dur(s string) *nhi.Duration { d := nhi.Duration(s); return &d }

const day = 24 * time.Hour

// ---- identities ----

type identityOpt func(*Identity)

func newIdentity(kind nhi.IdentityKind, name, secretType string, opts ...identityOpt) Identity {
	id := Identity{
		Kind: kind, Name: name, UID: types.UID("uid-" + name), SecretType: secretType,
		Created: identityCreated, Labels: map[string]string{}, Annotations: map[string]string{},
	}
	for _, o := range opts {
		o(&id)
	}
	return id
}

func sa(name string, opts ...identityOpt) Identity {
	return newIdentity(nhi.KindServiceAccount, name, "", opts...)
}

func secret(name, secretType string, opts ...identityOpt) Identity {
	return newIdentity(nhi.KindSecret, name, secretType, opts...)
}

func opaque(name string, opts ...identityOpt) Identity { return secret(name, "Opaque", opts...) }

// usedBy makes workloads use the identity.
func usedBy(workloads ...string) identityOpt {
	return func(i *Identity) {
		for _, w := range workloads {
			kind, name, _ := strings.Cut(w, "/")
			i.Users = append(i.Users, nhi.WorkloadReference{Kind: kind, Name: name})
		}
	}
}

// unusedSince is the ledger's record of when the identity was first seen
// without a user.
func unusedSince(t time.Time) identityOpt {
	return func(i *Identity) { i.Recorded.UnusedSince = t }
}

func label(k, v string) identityOpt { return func(i *Identity) { i.Labels[k] = v } }

func annotate(k, v string) identityOpt { return func(i *Identity) { i.Annotations[k] = v } }

func createdAt(t time.Time) identityOpt { return func(i *Identity) { i.Created = t } }

// recorded sets the state and since that Steward's ledger holds from a
// previous evaluation.
func recorded(state nhi.IdentityState, since time.Time) identityOpt {
	return func(i *Identity) { i.Recorded.State, i.Recorded.Since = state, since }
}

// revoked records, in the ledger, a revocation committed at the time given.
func revoked(at string) identityOpt {
	return func(i *Identity) {
		t, _ := parseTime(at)
		i.Recorded.Revoked, i.Recorded.RevokedAt = true, t
	}
}

func saRef(name string) nhi.IdentityReference {
	return nhi.IdentityReference{Kind: nhi.KindServiceAccount, Name: name}
}

func secretRef(name string) nhi.IdentityReference {
	return nhi.IdentityReference{Kind: nhi.KindSecret, Name: name}
}

// ---- policy ----

type policyOpt func(*nhi.OwnershipPolicy)

// newPolicy is a policy as the API server would default it: the default
// ServiceAccount excluded, approval required, DryRun, no rules.
func newPolicy(opts ...policyOpt) *nhi.OwnershipPolicy {
	p := &nhi.OwnershipPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: "baseline", CreationTimestamp: ts(policyCreated)},
		Spec: nhi.OwnershipPolicySpec{
			ExcludedIdentities: []nhi.IdentityReference{saRef("default")},
			Enforcement:        nhi.EnforcementDryRun,
			// Warnings are off here, so that the deadlines these tests
			// expect are those of the states; warnings_test.go tests them.
			WarnBefore: ptr.To(nhi.WarningWindow("0s")),
		},
	}
	for _, o := range opts {
		o(p)
	}
	return p
}

func rule(f nhi.Finding, a nhi.RuleAction) policyOpt {
	return func(p *nhi.OwnershipPolicy) {
		p.Spec.Rules = append(p.Spec.Rules, nhi.PolicyRule{Finding: f, Action: a})
	}
}

func revokeRule(f nhi.Finding, after string) policyOpt {
	return func(p *nhi.OwnershipPolicy) {
		r := nhi.PolicyRule{Finding: f, Action: nhi.ActionRevoke}
		if after != "" {
			r.RevokeAfter = dur(after)
		}
		p.Spec.Rules = append(p.Spec.Rules, r)
	}
}

func enforce() policyOpt {
	return func(p *nhi.OwnershipPolicy) { p.Spec.Enforcement = nhi.EnforcementEnforce }
}

func requireApproval(v bool) policyOpt {
	return func(p *nhi.OwnershipPolicy) { p.Spec.RequireApproval = &v }
}

func staleAfter(d string) policyOpt {
	return func(p *nhi.OwnershipPolicy) { p.Spec.StaleAfter = dur(d) }
}

func unusedAfter(d string) policyOpt {
	return func(p *nhi.OwnershipPolicy) { p.Spec.UnusedAfter = dur(d) }
}

// warnTwoWeeks warns of deadlines 336h (two weeks) ahead.
func warnTwoWeeks() policyOpt {
	return func(p *nhi.OwnershipPolicy) { w := nhi.WarningWindow("336h"); p.Spec.WarnBefore = &w }
}

func inUse(a nhi.InUseAction) policyOpt {
	return func(p *nhi.OwnershipPolicy) { p.Spec.Revocation.InUse = a }
}

func maxValidity(d string) policyOpt {
	return func(p *nhi.OwnershipPolicy) { p.Spec.MaxValidity = dur(d) }
}

func maxReviewInterval(d string) policyOpt {
	return func(p *nhi.OwnershipPolicy) { p.Spec.MaxReviewInterval = dur(d) }
}

func maxExceptionDuration(d string) policyOpt {
	return func(p *nhi.OwnershipPolicy) { p.Spec.MaxExceptionDuration = dur(d) }
}

// ---- ownerships ----

type ownershipOpt func(*nhi.IdentityOwnership)

// newOwnership is an approved ownership of team "payments", contact alice,
// approved by bob on 2026-06-01, expiring 2027-06-01, without review or
// rotation requirements.
func newOwnership(name string, opts ...ownershipOpt) nhi.IdentityOwnership {
	o := nhi.IdentityOwnership{
		ObjectMeta: metav1.ObjectMeta{
			Name: name, Namespace: testNamespace, Generation: 3, CreationTimestamp: ts(ownershipCreated),
		},
		Spec: nhi.IdentityOwnershipSpec{
			Owner:     nhi.Owner{Team: "payments", Contacts: []nhi.Person{alice}},
			Purpose:   "payment processing",
			Approval:  &nhi.Approval{ApprovedBy: bob, ApprovedAt: ts(approvedAt), Reference: "JIRA-1"},
			ExpiresAt: ts(ownershipExpiry),
		},
	}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

func covers(refs ...nhi.IdentityReference) ownershipOpt {
	return func(o *nhi.IdentityOwnership) { o.Spec.Identities = append(o.Spec.Identities, refs...) }
}

func selects(sel nhi.IdentitySelector) ownershipOpt {
	return func(o *nhi.IdentityOwnership) { o.Spec.Selector = &sel }
}

func unapproved() ownershipOpt { return func(o *nhi.IdentityOwnership) { o.Spec.Approval = nil } }

func approved(at time.Time) ownershipOpt {
	return func(o *nhi.IdentityOwnership) { o.Spec.Approval.ApprovedAt = ts(at) }
}

func expires(t time.Time) ownershipOpt {
	return func(o *nhi.IdentityOwnership) { o.Spec.ExpiresAt = ts(t) }
}

func reviewEvery(d string) ownershipOpt {
	return func(o *nhi.IdentityOwnership) { o.Spec.ReviewInterval = dur(d) }
}

func rotateEvery(d string) ownershipOpt {
	return func(o *nhi.IdentityOwnership) { o.Spec.Rotation = &nhi.Rotation{MaxAge: nhi.Duration(d)} }
}

func contacts(people ...nhi.Person) ownershipOpt {
	return func(o *nhi.IdentityOwnership) { o.Spec.Owner.Contacts = people }
}

func ownershipCreatedAt(t time.Time) ownershipOpt {
	return func(o *nhi.IdentityOwnership) { o.CreationTimestamp = ts(t) }
}

func deleting() ownershipOpt {
	return func(o *nhi.IdentityOwnership) { d := ts(ref.Add(-time.Minute)); o.DeletionTimestamp = &d }
}

// ---- exceptions ----

func newException(name string, findings []nhi.Finding, created, expiresAt time.Time,
	refs ...nhi.IdentityReference) nhi.OwnershipException {
	return nhi.OwnershipException{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: testNamespace, CreationTimestamp: ts(created)},
		Spec: nhi.OwnershipExceptionSpec{
			Identities: refs, Findings: findings, RiskAcceptedBy: carol,
			Justification: "vendor migration", ExpiresAt: ts(expiresAt),
		},
	}
}

// ---- reviews ----

type reviewOpt func(*nhi.OwnershipReview)

func newReview(name, ownership string, reviewer nhi.Person, decision nhi.ReviewDecision, created time.Time,
	opts ...reviewOpt) nhi.OwnershipReview {
	r := nhi.OwnershipReview{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: testNamespace, CreationTimestamp: ts(created)},
		Spec: nhi.OwnershipReviewSpec{
			OwnershipRef: nhi.LocalObjectReference{Name: ownership}, Reviewer: reviewer, Decision: decision,
		},
	}
	for _, o := range opts {
		o(&r)
	}
	return r
}

// overturns marks a Recertify as overturning an earlier Revoke.
func overturns() reviewOpt { return func(r *nhi.OwnershipReview) { r.Spec.OverturnsRevoke = true } }

// alreadyCompleted is a review whose completion Steward recorded earlier.
func alreadyCompleted(at time.Time, generation int64) reviewOpt {
	return func(r *nhi.OwnershipReview) {
		c := ts(at)
		r.Status.CompletedAt = &c
		r.Status.OwnershipGeneration = generation
		r.Status.Conditions = []metav1.Condition{{
			Type: nhi.ConditionCompleted, Status: metav1.ConditionTrue, Reason: nhi.ReasonDecisionApplied,
			Message: "recorded earlier", LastTransitionTime: c,
		}}
	}
}

// ---- snapshot ----

// snap is the default namespace snapshot: the default policy and no objects.
func snap(ids ...Identity) Snapshot {
	return Snapshot{Namespace: testNamespace, Policy: newPolicy(), Identities: ids, Now: ref, Budget: Budget{Remaining: 10}}
}

func directory(entries ...nhi.Person) *Directory {
	d := &Directory{Available: true, Entries: map[string]bool{}}
	for _, e := range entries {
		d.Entries[normalizeEntry(string(e))] = true
	}
	return d
}

// ---- result accessors and assertions ----

func identityResult(t *testing.T, res Result, kind nhi.IdentityKind, name string) IdentityResult {
	t.Helper()
	for _, r := range res.Identities {
		if r.Identity.Kind == kind && r.Identity.Name == name {
			return r
		}
	}
	t.Fatalf("no result for %s/%s", kind, name)
	return IdentityResult{}
}

func findCondition(t *testing.T, conds []metav1.Condition, condType string) metav1.Condition {
	t.Helper()
	c := meta.FindStatusCondition(conds, condType)
	if c == nil {
		t.Fatalf("no %s condition in %+v", condType, conds)
		return metav1.Condition{}
	}
	return *c
}

// wantCond is the expected status and reason of one condition type.
type wantCond struct {
	Type   string
	Status metav1.ConditionStatus
	Reason string
}

func checkConditions(t *testing.T, what string, conds []metav1.Condition, want ...wantCond) {
	t.Helper()
	for _, w := range want {
		c := findCondition(t, conds, w.Type)
		if c.Status != w.Status || c.Reason != w.Reason {
			t.Errorf("%s condition %s = %s/%s (%q), want %s/%s", what, w.Type, c.Status, c.Reason, c.Message,
				w.Status, w.Reason)
		}
	}
}

func equal[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

func equalTime(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("%s = %s, want %s", what, fmtT(got), fmtT(want))
	}
}

func fmtT(t time.Time) string {
	if t.IsZero() {
		return "<zero>"
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// absent marks an annotation that must not be present.
const absent = "<absent>"

// checkAnnotations compares the listed annotations; absent means the key
// must not be set.
func checkAnnotations(t *testing.T, got map[string]string, want map[string]string) {
	t.Helper()
	for _, k := range slices.Sorted(maps.Keys(want)) {
		v, ok := got[k]
		switch {
		case want[k] == absent && ok:
			t.Errorf("annotation %s = %q, want it absent", k, v)
		case want[k] != absent && (!ok || v != want[k]):
			t.Errorf("annotation %s = %q (present=%v), want %q", k, v, ok, want[k])
		}
	}
}

func findings(f ...nhi.Finding) []nhi.Finding { return f }
