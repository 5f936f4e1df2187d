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
	"cmp"
	"maps"
	"slices"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/event"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/evidence"
	"github.com/nhi-steward/steward/internal/governance"
)

// violationLimit bounds OwnershipPolicy.status.violations.
const violationLimit = 100

// NamespaceSummary is what one namespace contributes to its policy's status.
type NamespaceSummary struct {
	Namespace string
	// Policy governs the namespace; empty when none does.
	Policy string
	// Conflicting policies also select the namespace but are newer.
	Conflicting []string
	Totals      map[nhi.IdentityKind]map[nhi.IdentityState]int32
	// TeamTotals counts the same identities by their owner's team (empty
	// when no ownership covers them) and state, for dashboards.
	TeamTotals map[string]map[nhi.IdentityState]int32
	// Violations are the namespace's first violationLimit, sorted by kind
	// and name.
	Violations []violation
}

// violation is an nhi.Violation as a summary keeps it. The store holds
// every namespace's summary for as long as the process runs, and with a
// thousand namespaces their violations were a tenth of the live heap: this
// leaves out the namespace (the summary's own) and the pointer to a time
// of its own, and the slice is sized once. The policy's status shows
// seconds, which is what is kept.
type violation struct {
	Kind   nhi.IdentityKind
	State  nhi.IdentityState
	Name   string
	Action string
	Since  int64 // Unix seconds
}

// status is the violation as the policy's status shows it.
func (v violation) status(namespace string) nhi.Violation {
	since := metav1.Unix(v.Since, 0)
	return nhi.Violation{Namespace: namespace, Kind: v.Kind, Name: v.Name, State: v.State, Since: &since, Action: v.Action}
}

// summarize condenses a namespace's result for the policy reconciler.
func summarize(in *namespaceInputs, result *governance.Result) NamespaceSummary {
	s := NamespaceSummary{Namespace: in.snapshot.Namespace, Totals: map[nhi.IdentityKind]map[nhi.IdentityState]int32{},
		TeamTotals: map[string]map[nhi.IdentityState]int32{}}
	teams := make(map[string]string, len(in.snapshot.Ownerships))
	for i := range in.snapshot.Ownerships {
		teams[in.snapshot.Ownerships[i].Name] = in.snapshot.Ownerships[i].Spec.Owner.Team
	}
	if in.snapshot.Policy != nil {
		s.Policy = in.snapshot.Policy.Name
	}
	for _, p := range in.conflicting {
		s.Conflicting = append(s.Conflicting, p.Name)
	}
	violations := 0
	for i := range result.Identities {
		if id := &result.Identities[i]; id.Governed && isViolation(id.State) {
			violations++
		}
	}
	s.Violations = make([]violation, 0, min(violations, violationLimit))
	for i := range result.Identities {
		id := &result.Identities[i]
		if !id.Governed {
			continue
		}
		if s.Totals[id.Identity.Kind] == nil {
			s.Totals[id.Identity.Kind] = map[nhi.IdentityState]int32{}
		}
		s.Totals[id.Identity.Kind][id.State]++
		team := teams[id.Ownership]
		if s.TeamTotals[team] == nil {
			s.TeamTotals[team] = map[nhi.IdentityState]int32{}
		}
		s.TeamTotals[team][id.State]++
		if isViolation(id.State) && len(s.Violations) < violationLimit {
			s.Violations = append(s.Violations, violation{Kind: id.Identity.Kind, Name: id.Identity.Name,
				State: id.State, Since: id.Since.Unix(), Action: string(id.Action)})
		}
	}
	slices.SortFunc(s.Violations, func(a, b violation) int {
		return cmp.Or(strings.Compare(string(a.Kind), string(b.Kind)), strings.Compare(a.Name, b.Name))
	})
	return s
}

func isViolation(state nhi.IdentityState) bool {
	return state != nhi.StateOwned && state != nhi.StateExcepted
}

// SummaryStore holds the latest summary of every namespace, in memory: it is
// rebuilt as every namespace is reconciled after a start. When a summary
// changes, the policies concerned are sent to the policy reconciler.
type SummaryStore struct {
	mu          sync.Mutex
	byNamespace map[string]NamespaceSummary
	changes     chan event.GenericEvent
}

// NewSummaryStore returns an empty store.
func NewSummaryStore() *SummaryStore {
	return &SummaryStore{byNamespace: map[string]NamespaceSummary{}, changes: make(chan event.GenericEvent, 1024)}
}

// Changes carries the policies whose aggregate status needs recomputing.
func (s *SummaryStore) Changes() <-chan event.GenericEvent { return s.changes }

// Put records a namespace's summary.
func (s *SummaryStore) Put(summary NamespaceSummary) {
	s.mu.Lock()
	old, existed := s.byNamespace[summary.Namespace]
	s.byNamespace[summary.Namespace] = summary
	s.mu.Unlock()
	if !existed || !equality.Semantic.DeepEqual(old, summary) {
		evidence.SetIdentityCounts(summary.Namespace, summary.Totals, summary.TeamTotals)
		s.notify(old, summary)
	}
}

// Delete forgets a namespace that no longer exists.
func (s *SummaryStore) Delete(namespace string) {
	s.mu.Lock()
	old, existed := s.byNamespace[namespace]
	delete(s.byNamespace, namespace)
	s.mu.Unlock()
	evidence.SetIdentityCounts(namespace, nil, nil)
	evidence.ForgetNamespace(namespace)
	if existed {
		s.notify(old)
	}
}

// NotifyPolicy asks for a policy's aggregate status to be recomputed.
func (s *SummaryStore) NotifyPolicy(name string) {
	s.notify(NamespaceSummary{Policy: name})
}

func (s *SummaryStore) notify(summaries ...NamespaceSummary) {
	names := map[string]bool{}
	for _, summary := range summaries {
		if summary.Policy != "" {
			names[summary.Policy] = true
		}
		for _, p := range summary.Conflicting {
			names[p] = true
		}
	}
	for _, name := range slices.Sorted(maps.Keys(names)) {
		change := event.GenericEvent{Object: &nhi.OwnershipPolicy{ObjectMeta: metav1.ObjectMeta{Name: name}}}
		select {
		case s.changes <- change:
		default:
			// Never block a namespace reconcile on the policy reconciler.
			go func() { s.changes <- change }()
		}
	}
}

// ForPolicy returns the summaries of the namespaces a policy governs, and
// the namespaces where it lost to an older policy (with the winner's name).
func (s *SummaryStore) ForPolicy(name string) (governed []NamespaceSummary, conflicts map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	conflicts = map[string]string{}
	for _, summary := range s.byNamespace {
		if summary.Policy == name {
			governed = append(governed, summary)
		}
		if slices.Contains(summary.Conflicting, name) {
			conflicts[summary.Namespace] = summary.Policy
		}
	}
	slices.SortFunc(governed, func(a, b NamespaceSummary) int { return strings.Compare(a.Namespace, b.Namespace) })
	return governed, conflicts
}
