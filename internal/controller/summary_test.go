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

package controller

import (
	"fmt"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/governance"
)

// A summary keeps a namespace's first violationLimit violations, sorted by
// kind and name, in a slice sized for them; the policy's status shows each
// with its namespace and its time to the second.
func TestSummaryViolations(t *testing.T) {
	since := time.Date(2026, 12, 1, 10, 30, 15, 600_000_000, time.UTC)
	result := &governance.Result{}
	identities := make([]governance.Identity, 0, violationLimit+22)
	for i := range violationLimit + 20 {
		kind := nhi.KindSecret
		if i%2 == 0 {
			kind = nhi.KindServiceAccount
		}
		identities = append(identities, governance.Identity{Kind: kind, Name: fmt.Sprintf("id-%03d", violationLimit+20-i)})
	}
	identities = append(identities, governance.Identity{Kind: nhi.KindSecret, Name: "owned"},
		governance.Identity{Kind: nhi.KindSecret, Name: "ungoverned"})
	for i := range identities {
		r := governance.IdentityResult{Identity: &identities[i], Governed: true, State: nhi.StateUnowned,
			Since: since, Action: governance.ActionFlag}
		switch identities[i].Name {
		case "owned":
			r.State = nhi.StateOwned
		case "ungoverned":
			r.Governed = false
		}
		result.Identities = append(result.Identities, r)
	}
	in := &namespaceInputs{snapshot: governance.Snapshot{Namespace: "shop"}}

	s := summarize(in, result)
	if len(s.Violations) != violationLimit || cap(s.Violations) != violationLimit {
		t.Fatalf("kept %d violations in a slice of %d, want %d in %d", len(s.Violations), cap(s.Violations),
			violationLimit, violationLimit)
	}
	for i := 1; i < len(s.Violations); i++ {
		a, b := s.Violations[i-1], s.Violations[i]
		if a.Kind > b.Kind || a.Kind == b.Kind && a.Name >= b.Name {
			t.Fatalf("violations out of order at %d: %+v before %+v", i, a, b)
		}
	}
	if got := s.Totals[nhi.KindSecret][nhi.StateUnowned] + s.Totals[nhi.KindServiceAccount][nhi.StateUnowned]; got != violationLimit+20 {
		t.Errorf("totals count %d unowned, want %d", got, violationLimit+20)
	}

	few := summarize(in, &governance.Result{Identities: result.Identities[:3]})
	if len(few.Violations) != 3 || cap(few.Violations) != 3 {
		t.Errorf("kept %d violations in a slice of %d, want 3 in 3", len(few.Violations), cap(few.Violations))
	}

	status := &nhi.OwnershipPolicyStatus{}
	aggregate(status, []NamespaceSummary{s})
	want := nhi.Violation{Namespace: "shop", Kind: s.Violations[0].Kind, Name: s.Violations[0].Name,
		State: nhi.StateUnowned, Action: string(governance.ActionFlag)}
	got := status.Violations[0]
	if got.Since == nil || !got.Since.Equal(&metav1.Time{Time: since.Truncate(time.Second)}) {
		t.Errorf("since %v, want %v", got.Since, since.Truncate(time.Second))
	}
	got.Since = nil
	if got != want {
		t.Errorf("the policy shows %+v, want %+v", got, want)
	}
	if status.TotalViolations != violationLimit+20 || len(status.Violations) != violationLimit {
		t.Errorf("the policy counts %d violations and lists %d", status.TotalViolations, len(status.Violations))
	}
}
