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
	"slices"
	"testing"
	"time"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

func TestKebab(t *testing.T) {
	cases := []struct {
		state nhi.IdentityState
		want  string
	}{
		{nhi.StateOwned, "owned"},
		{nhi.StateUnowned, "unowned"},
		{nhi.StateUnapproved, "unapproved"},
		{nhi.StateExpired, "expired"},
		{nhi.StateReviewOverdue, "review-overdue"},
		{nhi.StateRotationOverdue, "rotation-overdue"},
		{nhi.StateStale, "stale"},
		{nhi.StateOwnerDeparted, "owner-departed"},
		{nhi.StateUnused, "unused"},
		{nhi.StateExcepted, "excepted"},
		{nhi.StateRevoked, "revoked"},
		{"", ""},
	}
	covered := map[nhi.IdentityState]bool{}
	for _, tc := range cases {
		covered[tc.state] = true
		t.Run(string(tc.state), func(t *testing.T) { equal(t, "Kebab", Kebab(tc.state), tc.want) })
	}
	for _, s := range nhi.StateSeverity {
		if !covered[s] {
			t.Errorf("state %s has no Kebab case", s)
		}
	}
}

func TestDiff(t *testing.T) {
	str := func(s string) *string { return &s }
	null := (*string)(nil)
	managed := []string{"steward.dev/a", "steward.dev/b", "steward.dev/c"}
	cases := []struct {
		name             string
		current, desired map[string]string
		want             map[string]*string
	}{
		{"steady state: nothing to write",
			map[string]string{"steward.dev/a": "1", "steward.dev/b": "2", "app": "web"},
			map[string]string{"steward.dev/a": "1", "steward.dev/b": "2"},
			map[string]*string(nil)},
		{"nothing managed, nothing desired", map[string]string{"app": "web"}, map[string]string{}, map[string]*string(nil)},
		{"nil maps", nil, nil, map[string]*string(nil)},
		{"a missing key is set", map[string]string{"steward.dev/a": "1"},
			map[string]string{"steward.dev/a": "1", "steward.dev/b": "2"},
			map[string]*string{"steward.dev/b": str("2")}},
		{"a changed value is set", map[string]string{"steward.dev/a": "old"}, map[string]string{"steward.dev/a": "new"},
			map[string]*string{"steward.dev/a": str("new")}},
		{"an empty desired value is still set", map[string]string{}, map[string]string{"steward.dev/a": ""},
			map[string]*string{"steward.dev/a": str("")}},
		{"a managed key no longer desired is deleted", map[string]string{"steward.dev/a": "1", "steward.dev/c": "3"},
			map[string]string{"steward.dev/a": "1"}, map[string]*string{"steward.dev/c": null}},
		{"an ungoverned identity loses every managed key, keeps the others",
			map[string]string{"steward.dev/a": "1", "steward.dev/b": "2", "app": "web", "steward.dev/other": "x"}, nil,
			map[string]*string{"steward.dev/a": null, "steward.dev/b": null}},
		{"as many keys as desired, but one of them another",
			map[string]string{"steward.dev/a": "1", "steward.dev/c": "3"},
			map[string]string{"steward.dev/a": "1", "steward.dev/b": "2"},
			map[string]*string{"steward.dev/b": str("2"), "steward.dev/c": null}},
		{"exactly the desired keys and values", map[string]string{"steward.dev/a": "1", "steward.dev/b": "2"},
			map[string]string{"steward.dev/a": "1", "steward.dev/b": "2"}, map[string]*string(nil)},
		{"unmanaged desired keys are ignored", map[string]string{}, map[string]string{"app": "web"}, map[string]*string(nil)},
		{"set, change and delete at once",
			map[string]string{"steward.dev/a": "1", "steward.dev/b": "2"},
			map[string]string{"steward.dev/b": "two", "steward.dev/c": "3"},
			map[string]*string{"steward.dev/a": null, "steward.dev/b": str("two"), "steward.dev/c": str("3")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := maps.Clone(tc.current)
			equal(t, "Diff", Diff(tc.current, tc.desired, managed), tc.want)
			equal(t, "current untouched", tc.current, before)
		})
	}
}

// TestDesiredMetadata checks the complete set of Steward keys for each kind
// of outcome (SPEC §4).
func TestDesiredMetadata(t *testing.T) {
	x := newException("x-orphan", findings(nhi.FindingUnowned), ref.Add(-day), ref.Add(day), saRef("orphan"))
	cases := []struct {
		name        string
		snapshot    Snapshot
		labels      map[string]string
		annotations map[string]string
	}{
		{
			name:     "Owned",
			snapshot: build(ids(sa("api")), owns(payments(covers(saRef("api"))))),
			labels:   map[string]string{},
			annotations: map[string]string{
				AnnotationState: "Owned", AnnotationOwnership: "payments", AnnotationOwnerTeam: "payments",
				AnnotationExpiresAt: "2027-06-01T00:00:00Z", AnnotationApprovedBy: "bob@example.com",
			},
		},
		{
			name:     "Unowned, annotate only",
			snapshot: build(ids(sa("orphan"))),
			labels:   map[string]string{},
			annotations: map[string]string{
				AnnotationState: "Unowned", AnnotationFindings: "Unowned", AnnotationFindingSince: refStamp,
			},
		},
		{
			name:     "Unapproved, flagged",
			snapshot: build(policy(rule(nhi.FindingUnapproved, nhi.ActionFlag)), ids(sa("api")), owns(payments(covers(saRef("api")), unapproved()))),
			labels:   map[string]string{LabelFinding: "unapproved"},
			annotations: map[string]string{
				AnnotationState: "Unapproved", AnnotationFindings: "Unapproved", AnnotationFindingSince: refStamp,
				AnnotationOwnership: "payments", AnnotationOwnerTeam: "payments", AnnotationExpiresAt: "2027-06-01T00:00:00Z",
			},
		},
		{
			name:     "Unowned, revocation due in DryRun",
			snapshot: build(policy(revokeRule(nhi.FindingUnowned, "")), ids(sa("orphan"))),
			labels:   map[string]string{LabelFinding: "unowned", LabelWouldRevoke: "true"},
			annotations: map[string]string{
				AnnotationState: "Unowned", AnnotationFindings: "Unowned", AnnotationFindingSince: refStamp,
			},
		},
		{
			name:     "Excepted",
			snapshot: build(policy(revokeRule(nhi.FindingUnowned, "")), ids(sa("orphan")), excepts(x)),
			labels:   map[string]string{},
			annotations: map[string]string{
				AnnotationState: "Excepted", AnnotationFindings: "Unowned", AnnotationFindingSince: refStamp,
				AnnotationExceptedBy: "x-orphan",
			},
		},
		{
			name: "an active exception for an unrelated finding is not named",
			snapshot: build(ids(sa("orphan")), excepts(newException("x-rotation", findings(nhi.FindingRotationOverdue),
				ref.Add(-day), ref.Add(day), saRef("orphan")))),
			labels: map[string]string{},
			annotations: map[string]string{
				AnnotationState: "Unowned", AnnotationFindings: "Unowned", AnnotationFindingSince: refStamp,
			},
		},
		{
			name:     "Revoked",
			snapshot: build(ids(sa("orphan", revoked(refStamp)))),
			labels:   map[string]string{LabelFinding: "revoked"},
			annotations: map[string]string{
				AnnotationState: "Revoked", AnnotationFindings: "Unowned", AnnotationFindingSince: refStamp,
				AnnotationRevokedAt: refStamp,
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := Evaluate(tc.snapshot).Identities[0]
			equal(t, "Labels", r.Labels, tc.labels)
			equal(t, "Annotations", r.Annotations, tc.annotations)
			for k := range r.Annotations {
				if !contains(ManagedAnnotations, k) {
					t.Errorf("desired annotation %s is not in ManagedAnnotations", k)
				}
			}
			for k := range r.Labels {
				if !contains(ManagedLabels, k) {
					t.Errorf("desired label %s is not in ManagedLabels", k)
				}
			}
		})
	}
}

func contains(keys []string, k string) bool {
	return slices.Contains(keys, k)
}

// TestSteadyStateZeroWrites applies the desired metadata (and ownership
// rows) as a controller would, evaluates again at the same and at a later
// instant before any deadline, and expects no write and the same state and
// since.
func TestSteadyStateZeroWrites(t *testing.T) {
	oldSecret := createdAt(mustTime("2026-01-01T00:00:00Z"))
	cases := []struct {
		name     string
		snapshot Snapshot
	}{
		{"Owned", build(ids(sa("api")), owns(payments(covers(saRef("api")))))},
		{"Unowned, flagged", build(policy(rule(nhi.FindingUnowned, nhi.ActionFlag)), ids(sa("orphan")))},
		{"Unowned, within a revoke grace", build(policy(revokeRule(nhi.FindingUnowned, "720h")), ids(sa("orphan")))},
		{"Unowned, WouldRevoke", build(policy(revokeRule(nhi.FindingUnowned, "")), ids(sa("orphan")))},
		{"Expired", build(ids(sa("api")), owns(payments(covers(saRef("api")), expires(ref.Add(-day)))))},
		{"Stale and RotationOverdue", build(policy(staleAfter("720h")), ids(secret("legacy", legacyToken, oldSecret)),
			owns(payments(covers(secretRef("legacy")), rotateEvery("720h"))))},
		{"Excepted", build(ids(sa("orphan")), excepts(newException("x", findings(nhi.FindingUnowned), ref.Add(-day),
			ref.Add(30*day), saRef("orphan"))))},
		{"Revoked", build(ids(sa("orphan", revoked(refStamp))))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			first := Evaluate(tc.snapshot)
			next := tc.snapshot
			next.Identities = nil
			for _, r := range first.Identities {
				id := *r.Identity
				id.Labels, id.Annotations = apply(id.Labels, r.Labels, ManagedLabels), apply(id.Annotations, r.Annotations, ManagedAnnotations)
				id.Recorded.State, id.Recorded.Since = r.State, r.Since
				next.Identities = append(next.Identities, id)
			}
			next.Ownerships = nil
			for _, o := range tc.snapshot.Ownerships {
				o.Status.Identities = first.Ownerships[o.Name].Identities
				next.Ownerships = append(next.Ownerships, o)
			}
			later := next
			later.Now = ref.Add(2 * time.Hour) // two hours later, before every deadline of these cases
			for _, s := range []Snapshot{next, later} {
				second := Evaluate(s)
				for i, r := range second.Identities {
					id := s.Identities[i]
					equal(t, "label changes", Diff(id.Labels, r.Labels, ManagedLabels), map[string]*string(nil))
					equal(t, "annotation changes", Diff(id.Annotations, r.Annotations, ManagedAnnotations), map[string]*string(nil))
					equal(t, "State", r.State, first.Identities[i].State)
					equalTime(t, "Since", r.Since, first.Identities[i].Since)
					equal(t, "Transitioned", r.Transitioned(), false)
				}
			}
		})
	}
}

// apply patches current with Diff's changes.
func apply(current, desired map[string]string, managed []string) map[string]string {
	out := maps.Clone(current)
	if out == nil {
		out = map[string]string{}
	}
	for k, v := range Diff(current, desired, managed) {
		if v == nil {
			delete(out, k)
		} else {
			out[k] = *v
		}
	}
	return out
}
