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

// TestGovernanceScope: which identities of a governed namespace the policy
// governs. An ungoverned identity gets no state and no Steward metadata.
func TestGovernanceScope(t *testing.T) {
	kinds := func(k ...nhi.IdentityKind) policyOpt {
		return func(p *nhi.OwnershipPolicy) { p.Spec.Kinds = k }
	}
	secretTypes := func(ts ...string) policyOpt {
		return func(p *nhi.OwnershipPolicy) { p.Spec.SecretTypes = ts }
	}
	excluded := func(refs ...nhi.IdentityReference) policyOpt {
		return func(p *nhi.OwnershipPolicy) { p.Spec.ExcludedIdentities = refs }
	}

	cases := []struct {
		name     string
		policy   []policyOpt
		identity Identity
		governed bool
	}{
		{"the default ServiceAccount is excluded", nil, sa("default"), false},
		{"a Secret named default is not the excluded ServiceAccount", nil, opaque("default"), true},
		{"another ServiceAccount is governed", nil, sa("api"), true},
		{"an excluded Secret", []policyOpt{excluded(secretRef("ca-bundle"))}, opaque("ca-bundle"), false},
		{"an empty exclusion list governs default", []policyOpt{excluded()}, sa("default"), true},
		{"kinds [Secret] leaves ServiceAccounts out", []policyOpt{kinds(nhi.KindSecret)}, sa("api"), false},
		{"kinds [Secret] governs Secrets", []policyOpt{kinds(nhi.KindSecret)}, opaque("db"), true},
		{"kinds [ServiceAccount] leaves Secrets out", []policyOpt{kinds(nhi.KindServiceAccount)}, opaque("db"), false},
		{"default types: Opaque", nil, opaque("db"), true},
		{"default types: service-account-token", nil, secret("tok", legacyToken), true},
		{"default types: basic-auth", nil, secret("s", "kubernetes.io/basic-auth"), true},
		{"default types: ssh-auth", nil, secret("s", "kubernetes.io/ssh-auth"), true},
		{"default types: dockerconfigjson", nil, secret("s", "kubernetes.io/dockerconfigjson"), true},
		{"default types: tls is not governed", nil, secret("s", "kubernetes.io/tls"), false},
		{"never governed: helm.sh/release.v1", nil, secret("sh.helm.release.v1.app.v1", "helm.sh/release.v1"), false},
		{"never governed: bootstrap token", nil, secret("bootstrap-token-abc", "bootstrap.kubernetes.io/token"), false},
		{"never governed even when listed: helm.sh/release.v1",
			[]policyOpt{secretTypes("helm.sh/release.v1", "Opaque")}, secret("r", "helm.sh/release.v1"), false},
		{"secretTypes [tls] governs tls", []policyOpt{secretTypes("kubernetes.io/tls")}, secret("s", "kubernetes.io/tls"), true},
		{"secretTypes [tls] leaves Opaque out", []policyOpt{secretTypes("kubernetes.io/tls")}, opaque("db"), false},
		{"secretTypes do not restrict ServiceAccounts", []policyOpt{secretTypes("kubernetes.io/tls")}, sa("api"), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := evaluate(t, build(policy(tc.policy...), ids(tc.identity), owns(payments(selects(
				nhi.IdentitySelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "x", Operator: metav1.LabelSelectorOpDoesNotExist}}})))))
			r := res.Identities[0]
			equal(t, "Governed", r.Governed, tc.governed)
			if tc.governed {
				equal(t, "State", r.State, nhi.StateOwned)
				equal(t, "state annotation", r.Annotations[AnnotationState], "Owned")
				equal(t, "rows", len(res.Ownerships["payments"].Identities), 1)
				return
			}
			equal(t, "State", r.State, nhi.IdentityState(""))
			equal(t, "Ownership", r.Ownership, "")
			equal(t, "Labels", r.Labels, map[string]string(nil))
			equal(t, "Annotations", r.Annotations, map[string]string(nil))
			equal(t, "rows", len(res.Ownerships["payments"].Identities), 0)
		})
	}
}

// TestNoPolicy: without a governing policy nothing is governed, Steward's
// keys are removed, and no deadline is scheduled.
func TestNoPolicy(t *testing.T) {
	stale := sa("api", label(LabelFinding, "unowned"), label(LabelWouldRevoke, "true"), label("app", "web"),
		recorded(nhi.StateUnowned, ref.Add(-day)), annotate(AnnotationState, "Unowned"),
		annotate(AnnotationFindingSince, Timestamp(ref.Add(-day))), annotate(AnnotationOwnership, "payments"), annotate("team", "x"))
	res := evaluate(t, build(noPolicy(), ids(stale, opaque("db")),
		owns(payments(covers(saRef("api")), reviewEvery("720h"))),
		excepts(newException("x", findings(nhi.FindingUnowned), ref.Add(-day), ref.Add(day), saRef("api")))))

	for _, r := range res.Identities {
		equal(t, r.Identity.Name+" Governed", r.Governed, false)
		equal(t, r.Identity.Name+" State", r.State, nhi.IdentityState(""))
		equal(t, r.Identity.Name+" Findings", r.Findings, []nhi.Finding(nil))
		equal(t, r.Identity.Name+" Action", r.Action, ActionNone)
		equal(t, r.Identity.Name+" Labels", r.Labels, map[string]string(nil))
		equal(t, r.Identity.Name+" Annotations", r.Annotations, map[string]string(nil))
	}
	equal(t, "PreviousState", res.Identities[0].PreviousState, nhi.StateUnowned)
	null := (*string)(nil)
	equal(t, "label changes", Diff(stale.Labels, res.Identities[0].Labels, ManagedLabels),
		map[string]*string{LabelFinding: null, LabelWouldRevoke: null})
	equal(t, "annotation changes", Diff(stale.Annotations, res.Identities[0].Annotations, ManagedAnnotations),
		map[string]*string{AnnotationState: null, AnnotationFindingSince: null, AnnotationOwnership: null})
	equalTime(t, "NextDeadline", res.NextDeadline, time.Time{})
	equal(t, "ownership rows", len(res.Ownerships["payments"].Identities), 0)
	equal(t, "exception active", res.Exceptions["x"].Active, false)
	equal(t, "exception identities", res.Exceptions["x"].Identities, []nhi.IdentityReference(nil))
}

func TestGoverningPolicy(t *testing.T) {
	const stewardNS = "steward-system"
	pol := func(name string, created time.Time, opts ...policyOpt) nhi.OwnershipPolicy {
		p := newPolicy(opts...)
		p.Name, p.CreationTimestamp = name, ts(created)
		return *p
	}
	jan, feb, mar := mustTime("2026-01-01T00:00:00Z"), mustTime("2026-02-01T00:00:00Z"), mustTime("2026-03-01T00:00:00Z")
	selector := func(sel *metav1.LabelSelector) policyOpt {
		return func(p *nhi.OwnershipPolicy) { p.Spec.NamespaceSelector = sel }
	}
	excludeNS := func(ns ...string) policyOpt {
		return func(p *nhi.OwnershipPolicy) { p.Spec.ExcludedNamespaces = ns }
	}
	prodOnly := selector(&metav1.LabelSelector{MatchLabels: map[string]string{"env": "prod"}})
	notSandbox := selector(&metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
		{Key: "tier", Operator: metav1.LabelSelectorOpNotIn, Values: []string{"sandbox"}}}})
	gone := func(p *nhi.OwnershipPolicy) { d := ts(ref); p.DeletionTimestamp = &d }

	cases := []struct {
		name        string
		policies    []nhi.OwnershipPolicy
		namespace   string
		labels      map[string]string
		winner      string
		conflicting []string
	}{
		{"one policy selecting every namespace", []nhi.OwnershipPolicy{pol("a", jan)}, "team-a", nil, "a", nil},
		{"no policy", nil, "team-a", nil, "", nil},
		{"the oldest wins, the newer ones conflict (oldest first)",
			[]nhi.OwnershipPolicy{pol("c", mar), pol("a", jan), pol("b", feb)}, "team-a", nil, "a", []string{"b", "c"}},
		{"same creation time: the name decides",
			[]nhi.OwnershipPolicy{pol("zeta", jan), pol("alpha", jan)}, "team-a", nil, "alpha", []string{"zeta"}},
		{"kube-system is protected", []nhi.OwnershipPolicy{pol("a", jan)}, "kube-system", nil, "", nil},
		{"kube-public is protected", []nhi.OwnershipPolicy{pol("a", jan)}, "kube-public", nil, "", nil},
		{"kube-node-lease is protected", []nhi.OwnershipPolicy{pol("a", jan)}, "kube-node-lease", nil, "", nil},
		{"Steward's own namespace is protected", []nhi.OwnershipPolicy{pol("a", jan), pol("b", feb)}, stewardNS, nil, "", nil},
		{"the default namespace is not protected", []nhi.OwnershipPolicy{pol("a", jan)}, "default", nil, "a", nil},
		{"excludedNamespaces leaves the namespace to a newer policy",
			[]nhi.OwnershipPolicy{pol("a", jan, excludeNS("team-a")), pol("b", feb)}, "team-a", nil, "b", nil},
		{"excludedNamespaces of the only policy: ungoverned",
			[]nhi.OwnershipPolicy{pol("a", jan, excludeNS("team-b", "team-a"))}, "team-a", nil, "", nil},
		{"namespaceSelector matches the labels",
			[]nhi.OwnershipPolicy{pol("a", jan, prodOnly)}, "team-a", map[string]string{"env": "prod"}, "a", nil},
		{"namespaceSelector does not match: a newer catch-all wins",
			[]nhi.OwnershipPolicy{pol("a", jan, prodOnly), pol("b", feb)}, "team-a", map[string]string{"env": "dev"}, "b", nil},
		{"namespaceSelector on an unlabelled namespace",
			[]nhi.OwnershipPolicy{pol("a", jan, prodOnly)}, "team-a", nil, "", nil},
		{"namespaceSelector with matchExpressions (NotIn)",
			[]nhi.OwnershipPolicy{pol("a", jan, notSandbox)}, "team-a", map[string]string{"tier": "gold"}, "a", nil},
		{"namespaceSelector with matchExpressions excludes",
			[]nhi.OwnershipPolicy{pol("a", jan, notSandbox)}, "team-a", map[string]string{"tier": "sandbox"}, "", nil},
		{"an invalid namespaceSelector selects nothing",
			[]nhi.OwnershipPolicy{pol("a", jan, selector(&metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
				{Key: "tier", Operator: "Bogus"}}}))}, "team-a", nil, "", nil},
		{"a policy being deleted neither wins nor conflicts",
			[]nhi.OwnershipPolicy{pol("a", jan, gone), pol("b", feb), pol("c", mar)}, "team-a", nil, "b", []string{"c"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			winner, conflicting := GoverningPolicy(tc.policies, tc.namespace, tc.labels, stewardNS)
			got := ""
			if winner != nil {
				got = winner.Name
			}
			equal(t, "winner", got, tc.winner)
			var names []string
			for _, p := range conflicting {
				names = append(names, p.Name)
			}
			equal(t, "conflicting", names, tc.conflicting)
		})
	}
}

func TestIsProtected(t *testing.T) {
	cases := []struct {
		namespace, steward string
		want               bool
	}{
		{"kube-system", "", true},
		{"kube-public", "steward", true},
		{"kube-node-lease", "steward", true},
		{"steward", "steward", true},
		{"steward", "steward-system", false},
		{"team-a", "steward", false},
		{"", "", false},
		{"default", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.namespace+"/"+tc.steward, func(t *testing.T) {
			equal(t, "IsProtected", IsProtected(tc.namespace, tc.steward), tc.want)
		})
	}
}

func TestParseDuration(t *testing.T) {
	cases := []struct {
		in   *nhi.Duration
		want time.Duration
	}{
		{nil, 0},
		{dur("720h"), 720 * time.Hour},
		{dur("1h30m"), 90 * time.Minute},
		{dur("1.5h"), 90 * time.Minute},
		{dur("90d"), 0},
		{dur("-1h"), 0},
		{dur(""), 0},
	}
	for _, tc := range cases {
		name := "nil"
		if tc.in != nil {
			name = string(*tc.in)
		}
		t.Run(name, func(t *testing.T) { equal(t, "ParseDuration", ParseDuration(tc.in), tc.want) })
	}
}
