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

package suggest

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

var expiry = time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC)

func policy(excluded ...nhi.IdentityReference) *nhi.OwnershipPolicy {
	return &nhi.OwnershipPolicy{ObjectMeta: metav1.ObjectMeta{Name: "default"},
		Spec: nhi.OwnershipPolicySpec{ExcludedIdentities: excluded}}
}

func existing(name string, identities ...nhi.IdentityReference) nhi.IdentityOwnership {
	return nhi.IdentityOwnership{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "shop"},
		Spec: nhi.IdentityOwnershipSpec{Identities: identities}}
}

func refs(kindNames ...string) []nhi.IdentityReference {
	out := make([]nhi.IdentityReference, 0, len(kindNames))
	for _, kn := range kindNames {
		kind, name, _ := strings.Cut(kn, "/")
		k := nhi.KindServiceAccount
		if kind == "Secret" {
			k = nhi.KindSecret
		}
		out = append(out, nhi.IdentityReference{Kind: k, Name: name})
	}
	return out
}

// wantDraft is a draft in brief: its selector, or else the identities it
// lists by name; members are what it covers now.
type wantDraft struct {
	name     string
	selector map[string]string
	named    []string
	members  []string
	team     string
}

// helm is a chart's usual metadata for a release.
func helm(release string) (map[string]string, map[string]string) {
	return kv(ManagedByLabel, "Helm", InstanceLabel, release, NameLabel, release),
		kv(HelmReleaseAnnotation, release, HelmReleaseNSAnnotation, "shop")
}

func TestSuggest(t *testing.T) {
	helmLabels, helmAnnotations := helm("billing")
	cases := []struct {
		name       string
		policy     *nhi.OwnershipPolicy
		nsLabels   map[string]string
		identities []fixture
		ownerships []nhi.IdentityOwnership
		want       []wantDraft
		unowned    int
		noSignal   []string
	}{
		{
			name:       "an ungoverned namespace has nothing Unowned",
			identities: []fixture{sa("api", kv(PartOfLabel, "shop"), nil)},
		},
		{
			name:     "a realistic namespace: Helm, Argo CD, Flux, ESO and one with no signal",
			policy:   policy(),
			nsLabels: kv("team", "payments"),
			identities: []fixture{
				sa("billing", helmLabels, helmAnnotations),
				secret("billing-db", helmLabels, helmAnnotations),
				{kind: nhi.KindSecret, name: "sh.helm.release.v1.billing.v1", secretType: "helm.sh/release.v1",
					labels: kv("owner", "helm", "name", "billing")}, // never governed
				sa("checkout", kv(ArgoInstanceLabel, "checkout-prod"), nil),
				secret("checkout-tls", kv(ArgoInstanceLabel, "checkout-prod"), nil),
				sa("ledger", kv(FluxKustomizationLabel, "ledger", FluxKustomizationNS, "flux-system"), nil),
				secret("orders-db", nil, nil, externalSecret("orders-db", true)),
				secret("orders-api-key", nil, nil, externalSecret("orders-api-key", true)),
				sa("forgotten", nil, nil),
				sa("owned", kv(PartOfLabel, "legacy"), nil),
			},
			ownerships: []nhi.IdentityOwnership{existing("legacy", refs("ServiceAccount/owned")...)},
			want: []wantDraft{
				{name: "billing", selector: kv(ManagedByLabel, "Helm", InstanceLabel, "billing"),
					members: []string{"Secret/billing-db", "ServiceAccount/billing"}, team: "payments"},
				{name: "checkout-prod", selector: kv(ArgoInstanceLabel, "checkout-prod"),
					members: []string{"Secret/checkout-tls", "ServiceAccount/checkout"}, team: "payments"},
				{name: "ledger", selector: kv(FluxKustomizationLabel, "ledger", FluxKustomizationNS, "flux-system"),
					members: []string{"ServiceAccount/ledger"}, team: "payments"},
				{name: "orders-api-key", named: []string{"Secret/orders-api-key"}, team: "payments"},
				{name: "orders-db", named: []string{"Secret/orders-db"}, team: "payments"},
			},
			unowned:  8,
			noSignal: []string{"ServiceAccount/forgotten"},
		},
		{
			name:   "a selector that would also claim an owned identity lists names instead",
			policy: policy(),
			identities: []fixture{
				sa("api", kv(PartOfLabel, "shop"), nil),
				secret("key", kv(PartOfLabel, "shop"), nil),
				sa("worker", kv(PartOfLabel, "shop"), nil),
			},
			ownerships: []nhi.IdentityOwnership{existing("worker", refs("ServiceAccount/worker")...)},
			want: []wantDraft{{name: "shop", named: []string{"Secret/key", "ServiceAccount/api"},
				team: TeamPlaceholder}},
			unowned: 2,
		},
		{
			name:   "a selector that would also claim another group's identity lists names instead",
			policy: policy(),
			identities: []fixture{
				sa("api", kv(PartOfLabel, "shop"), nil),
				sa("deployer", kv(ArgoInstanceLabel, "shop-prod", PartOfLabel, "shop"), nil),
			},
			want: []wantDraft{
				{name: "shop", named: []string{"ServiceAccount/api"}, team: TeamPlaceholder},
				{name: "shop-prod", selector: kv(ArgoInstanceLabel, "shop-prod"), members: []string{"ServiceAccount/deployer"},
					team: TeamPlaceholder},
			},
			unowned: 2,
		},
		{
			name:   "a release whose identities do not all carry the labels lists names",
			policy: policy(),
			identities: []fixture{
				sa("billing", helmLabels, helmAnnotations),
				secret("billing-key", nil, helmAnnotations),
			},
			want: []wantDraft{{name: "billing", named: []string{"Secret/billing-key", "ServiceAccount/billing"},
				team: TeamPlaceholder}},
			unowned: 2,
		},
		{
			name:   "identities the policy excludes, and Secret types it does not govern, are left out",
			policy: policy(nhi.IdentityReference{Kind: nhi.KindServiceAccount, Name: "default"}),
			identities: []fixture{
				sa("default", kv(PartOfLabel, "shop"), nil),
				{kind: nhi.KindSecret, name: "tls", secretType: "kubernetes.io/tls", labels: kv(PartOfLabel, "shop")},
				sa("api", kv(PartOfLabel, "shop"), nil),
			},
			want: []wantDraft{{name: "shop", selector: kv(PartOfLabel, "shop"), members: []string{"ServiceAccount/api"},
				team: TeamPlaceholder}},
			unowned: 1,
		},
		{
			name:   "an ownership being deleted covers nothing",
			policy: policy(),
			identities: []fixture{
				sa("api", kv(PartOfLabel, "shop"), nil),
			},
			ownerships: []nhi.IdentityOwnership{func() nhi.IdentityOwnership {
				o := existing("leaving", refs("ServiceAccount/api")...)
				o.DeletionTimestamp = &metav1.Time{Time: expiry}
				o.Finalizers = []string{"example.com/hold"}
				return o
			}()},
			want: []wantDraft{{name: "shop", selector: kv(PartOfLabel, "shop"), members: []string{"ServiceAccount/api"},
				team: TeamPlaceholder}},
			unowned: 1,
		},
		{
			name:       "a draft never takes the name of an existing ownership",
			policy:     policy(),
			identities: []fixture{sa("api", kv(PartOfLabel, "shop"), nil), sa("old", nil, nil)},
			ownerships: []nhi.IdentityOwnership{existing("shop", refs("ServiceAccount/old")...)},
			want: []wantDraft{{name: "shop-" + digest(string(SourcePartOf)+"/"+PartOfLabel+"=shop"),
				selector: kv(PartOfLabel, "shop"), members: []string{"ServiceAccount/api"}, team: TeamPlaceholder}},
			unowned: 1,
		},
		{
			name:     "the team comes from the identities before the namespace",
			policy:   policy(),
			nsLabels: kv("team", "platform"),
			identities: []fixture{
				sa("api", kv(PartOfLabel, "shop", "team", "checkout"), nil),
				sa("batch", kv(PartOfLabel, "reports"), nil),
			},
			want: []wantDraft{
				{name: "reports", selector: kv(PartOfLabel, "reports"), members: []string{"ServiceAccount/batch"}, team: "platform"},
				{name: "shop", selector: kv(PartOfLabel, "shop"), members: []string{"ServiceAccount/api"}, team: "checkout"},
			},
			unowned: 2,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ns := Namespace{Name: "shop", Labels: tc.nsLabels, Policy: tc.policy, Ownerships: tc.ownerships}
			for _, f := range tc.identities {
				ns.Identities = append(ns.Identities, f.identity())
			}
			got := Suggest(ns, Options{ExpiresAt: expiry})

			if got.Governed != (tc.policy != nil) {
				t.Errorf("Governed = %v, want %v", got.Governed, tc.policy != nil)
			}
			var names []string
			for _, d := range got.Drafts {
				names = append(names, d.Ownership.Name)
			}
			if len(got.Drafts) != len(tc.want) {
				t.Fatalf("drafts %v, want %d: %v", names, len(tc.want), tc.want)
			}
			for i, w := range tc.want {
				checkDraft(t, &got.Drafts[i], w)
			}
			if len(got.Unowned) != tc.unowned {
				t.Errorf("Unowned = %v, want %d", got.Unowned, tc.unowned)
			}
			if want := tc.unowned - len(tc.noSignal); got.Covered != want {
				t.Errorf("Covered = %d, want %d", got.Covered, want)
			}
			if gotNoSignal := kindNames(got.NoSignal); !slices.Equal(gotNoSignal, tc.noSignal) {
				t.Errorf("NoSignal = %v, want %v", gotNoSignal, tc.noSignal)
			}

			// The same cluster read in another order gives the same drafts.
			slices.Reverse(ns.Identities)
			if again := Suggest(ns, Options{ExpiresAt: expiry}); !reflect.DeepEqual(again, got) {
				t.Errorf("the drafts depend on the order identities were read in")
			}
		})
	}
}

func checkDraft(t *testing.T, d *Draft, w wantDraft) {
	t.Helper()
	o := d.Ownership
	if o.Name != w.name || o.Namespace != "shop" {
		t.Errorf("draft %s/%s, want shop/%s", o.Namespace, o.Name, w.name)
	}
	if o.APIVersion != "nhi.steward.dev/v1alpha1" || o.Kind != "IdentityOwnership" {
		t.Errorf("draft %s is a %s %s", o.Name, o.APIVersion, o.Kind)
	}
	switch {
	case w.selector != nil:
		if o.Spec.Selector == nil || !maps.Equal(o.Spec.Selector.MatchLabels, w.selector) || len(o.Spec.Identities) > 0 {
			t.Errorf("draft %s: selector %v and identities %v, want selector %v", o.Name, o.Spec.Selector, o.Spec.Identities, w.selector)
		}
		if d.NamesWhy != "" {
			t.Errorf("draft %s uses its selector but says %q", o.Name, d.NamesWhy)
		}
	default:
		if o.Spec.Selector != nil || !slices.Equal(kindNames(o.Spec.Identities), w.named) {
			t.Errorf("draft %s: selector %v and identities %v, want identities %v", o.Name, o.Spec.Selector,
				kindNames(o.Spec.Identities), w.named)
		}
		if w.members == nil {
			w.members = w.named
		}
	}
	if got := kindNames(d.Members); !slices.Equal(got, w.members) {
		t.Errorf("draft %s covers %v now, want %v", o.Name, got, w.members)
	}
	if o.Spec.Owner.Team != w.team || (w.team == TeamPlaceholder) != (d.TeamFrom == "") {
		t.Errorf("draft %s: team %q (from %q), want %q", o.Name, o.Spec.Owner.Team, d.TeamFrom, w.team)
	}
	// What a person must write is a placeholder, and nothing is approved.
	if o.Spec.Purpose != PurposePlaceholder || !slices.Equal(o.Spec.Owner.Contacts, []nhi.Person{ContactPlaceholder}) {
		t.Errorf("draft %s: purpose %q and contacts %v are not the placeholders", o.Name, o.Spec.Purpose, o.Spec.Owner.Contacts)
	}
	if o.Spec.Approval != nil {
		t.Errorf("draft %s approves itself: %+v", o.Name, o.Spec.Approval)
	}
	if !o.Spec.ExpiresAt.Equal(&metav1.Time{Time: expiry}) {
		t.Errorf("draft %s expires at %v, want %v", o.Name, o.Spec.ExpiresAt, expiry)
	}
}

func kindNames(refs []nhi.IdentityReference) []string {
	var out []string //nolint:prealloc // nil for none, as the want lists are
	for _, r := range refs {
		out = append(out, string(r.Kind)+"/"+r.Name)
	}
	return out
}

// A release listed by name with more identities than one ownership may hold
// is split into ownerships that each fit, and still covers them all.
func TestSuggestSplitsLongNameLists(t *testing.T) {
	ns := Namespace{Name: "shop", Policy: policy()}
	total := maxNamedIdentities*2 + 3
	for i := range total {
		ns.Identities = append(ns.Identities, sa(fmt.Sprintf("job-%04d", i), nil, kv(HelmReleaseAnnotation, "batch")).identity())
	}
	got := Suggest(ns, Options{ExpiresAt: expiry})
	names := make([]string, 0, len(got.Drafts))
	listed := 0
	for _, d := range got.Drafts {
		names = append(names, d.Ownership.Name)
		if n := len(d.Ownership.Spec.Identities); n > maxNamedIdentities {
			t.Errorf("draft %s lists %d identities, more than %d", d.Ownership.Name, n, maxNamedIdentities)
		}
		listed += len(d.Ownership.Spec.Identities)
	}
	if want := []string{"batch", "batch-2", "batch-3"}; !slices.Equal(names, want) {
		t.Errorf("drafts %v, want %v", names, want)
	}
	if listed != total || got.Covered != total || len(got.NoSignal) != 0 {
		t.Errorf("listed %d, covered %d, no signal %d; want %d, %d, 0", listed, got.Covered, len(got.NoSignal), total, total)
	}
}
