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
	"slices"
	"testing"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

// Coverage agrees with Evaluate: an identity it finds uncovered is one
// Evaluate finds Unowned, and the reverse.
func TestCoverageAgreesWithEvaluate(t *testing.T) {
	ownerships := []nhi.IdentityOwnership{
		newOwnership("named", covers(saRef("api"))),
		newOwnership("by-label", covers(), selects(nhi.IdentitySelector{MatchLabels: map[string]string{"app": "shop"}})),
		newOwnership("secrets-only", covers(), selects(nhi.IdentitySelector{Kinds: []nhi.IdentityKind{nhi.KindSecret},
			MatchLabels: map[string]string{"tier": "db"}})),
		newOwnership("leaving", covers(saRef("orphan")), deleting()),
	}
	identities := []Identity{
		sa("api"), sa("shop-sa", label("app", "shop")), opaque("shop-key", label("app", "shop")),
		sa("db-sa", label("tier", "db")), opaque("db-key", label("tier", "db")), sa("orphan"), sa("forgotten"),
	}
	cases := []struct {
		identity Identity
		covering []string
	}{
		{identities[0], []string{"named"}},
		{identities[1], []string{"by-label"}},
		{identities[2], []string{"by-label"}},
		{identities[3], nil}, // the selector is for Secrets only
		{identities[4], []string{"secrets-only"}},
		{identities[5], nil}, // its ownership is being deleted
		{identities[6], nil},
	}
	coverage := NewCoverage(ownerships)
	result := Evaluate(Snapshot{Namespace: testNamespace, Policy: newPolicy(), Identities: identities,
		Ownerships: ownerships, Now: ref})
	for i, tc := range cases {
		t.Run(tc.identity.Name, func(t *testing.T) {
			got := coverage.Covering(&tc.identity)
			if !slices.Equal(got, tc.covering) {
				t.Errorf("Covering(%s) = %v, want %v", tc.identity.Name, got, tc.covering)
			}
			if coverage.Covers(&tc.identity) != (len(tc.covering) > 0) {
				t.Errorf("Covers(%s) disagrees with Covering", tc.identity.Name)
			}
			unowned := slices.Contains(result.Identities[i].Findings, nhi.FindingUnowned)
			if unowned == coverage.Covers(&tc.identity) {
				t.Errorf("%s: Evaluate says Unowned = %v, Coverage says covered = %v", tc.identity.Name, unowned,
					coverage.Covers(&tc.identity))
			}
		})
	}
}

func TestGoverns(t *testing.T) {
	policy := newPolicy()
	policy.Spec.ExcludedIdentities = []nhi.IdentityReference{saRef("default")}
	cases := []struct {
		name     string
		policy   *nhi.OwnershipPolicy
		identity Identity
		want     bool
	}{
		{"no policy governs nothing", nil, sa("api"), false},
		{"a ServiceAccount", policy, sa("api"), true},
		{"an excluded ServiceAccount", policy, sa("default"), false},
		{"an Opaque Secret", policy, opaque("key"), true},
		{"a Helm release Secret", policy, secret("sh.helm.release.v1.x.v1", "helm.sh/release.v1"), false},
		{"a TLS Secret, not a default type", policy, secret("tls", "kubernetes.io/tls"), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Governs(tc.policy, tc.identity); got != tc.want {
				t.Errorf("Governs() = %v, want %v", got, tc.want)
			}
		})
	}
}
