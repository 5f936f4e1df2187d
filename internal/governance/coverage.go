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

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

// target is what an ownership or exception claims: named identities and a
// selector.
type target struct {
	identities []nhi.IdentityReference
	selector   *nhi.IdentitySelector
}

// coverageIndex answers "which claimants cover this identity" without
// matching every selector against every identity: named identities are a
// map lookup, and selectors with matchLabels are indexed by one of their
// label pairs.
type coverageIndex struct {
	byRef   map[nhi.IdentityReference][]int
	byLabel map[string][]int // "key=value" → claimants whose selector requires it
	scan    []int            // selectors with matchExpressions only
	matcher []selectorMatcher
}

type selectorMatcher struct {
	kinds    []nhi.IdentityKind
	selector labels.Selector // nil: no selector
}

func newCoverageIndex(targets []target) *coverageIndex {
	idx := &coverageIndex{
		byRef:   map[nhi.IdentityReference][]int{},
		byLabel: map[string][]int{},
		matcher: make([]selectorMatcher, len(targets)),
	}
	for i, t := range targets {
		for _, ref := range t.identities {
			idx.byRef[ref] = append(idx.byRef[ref], i)
		}
		if t.selector == nil {
			continue
		}
		selector, err := metav1.LabelSelectorAsSelector(&metav1.LabelSelector{
			MatchLabels: t.selector.MatchLabels, MatchExpressions: t.selector.MatchExpressions,
		})
		if err != nil || selector.Empty() {
			// The API server rejects empty selectors; an unparsable one
			// claims nothing rather than everything.
			continue
		}
		idx.matcher[i] = selectorMatcher{kinds: t.selector.Kinds, selector: selector}
		if key, value, ok := firstMatchLabel(t.selector.MatchLabels); ok {
			idx.byLabel[key+"="+value] = append(idx.byLabel[key+"="+value], i)
		} else {
			idx.scan = append(idx.scan, i)
		}
	}
	return idx
}

func firstMatchLabel(matchLabels map[string]string) (string, string, bool) {
	if len(matchLabels) == 0 {
		return "", "", false
	}
	keys := make([]string, 0, len(matchLabels))
	for k := range matchLabels {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys[0], matchLabels[keys[0]], true
}

// covering returns the indices of the claimants covering an identity, in
// ascending order and without duplicates.
func (idx *coverageIndex) covering(identity Identity) []int {
	var found []int
	found = append(found, idx.byRef[identity.Ref()]...)
	consider := func(i int) {
		m := idx.matcher[i]
		if m.selector == nil || (len(m.kinds) > 0 && !slices.Contains(m.kinds, identity.Kind)) {
			return
		}
		if m.selector.Matches(labels.Set(identity.Labels)) {
			found = append(found, i)
		}
	}
	for key, value := range identity.Labels {
		for _, i := range idx.byLabel[key+"="+value] {
			consider(i)
		}
	}
	for _, i := range idx.scan {
		consider(i)
	}
	slices.Sort(found)
	return slices.Compact(found)
}
