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
// map lookup by kind and name, and selectors are indexed by a label pair
// they require (from matchLabels, or else an In expression). It runs for every identity of a namespace on
// every evaluation, so a lookup hashes as little as it can.
type coverageIndex struct {
	// byName maps a kind (kindSlot), then a name, to the one claimant
	// naming that identity, or to ^k for shared[k] when several do. It
	// holds every named identity of a namespace's ownerships, so its slots
	// are kept small: most lookups miss the processor's caches.
	byName [2]map[string]int32
	shared [][]int
	each   []int // 0, 1, …: a single claimant's answer is one element of it
	// byLabel maps a label key that some selector requires, then its value,
	// to the claimants requiring that pair; labelKeys lists those keys.
	byLabel   map[string]map[string][]int
	labelKeys []string
	scan      []int // selectors with no matchLabels and no In expression
	matcher   []selectorMatcher
}

type selectorMatcher struct {
	kinds    []nhi.IdentityKind
	selector labels.Selector // nil: no selector
	// indexedOnly is true when the indexed label pair is the selector's
	// only requirement: finding the claimant by it is the match.
	indexedOnly bool
}

// kindSlot is an identity kind's index in coverageIndex.byName; -1 for a
// kind Steward does not govern.
func kindSlot(kind nhi.IdentityKind) int {
	switch kind {
	case nhi.KindServiceAccount:
		return 0
	case nhi.KindSecret:
		return 1
	}
	return -1
}

func newCoverageIndex(targets []target) *coverageIndex {
	named := 0
	for _, t := range targets {
		named += len(t.identities)
	}
	idx := &coverageIndex{
		byName:  [2]map[string]int32{make(map[string]int32, named), make(map[string]int32, named)},
		each:    make([]int, len(targets)),
		byLabel: map[string]map[string][]int{},
		matcher: make([]selectorMatcher, len(targets)),
	}
	for i, t := range targets {
		idx.each[i] = i
		for _, ref := range t.identities {
			if slot := kindSlot(ref.Kind); slot >= 0 {
				idx.name(slot, ref.Name, i)
			}
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
		idx.matcher[i] = selectorMatcher{kinds: t.selector.Kinds, selector: selector,
			indexedOnly: len(t.selector.MatchLabels) == 1 && len(t.selector.MatchExpressions) == 0}
		if key, value, ok := firstMatchLabel(t.selector.MatchLabels); ok {
			idx.index(i, key, value)
		} else if key, values, ok := firstInExpression(t.selector.MatchExpressions); ok {
			// An identity has one value per key: it is found under one of
			// them at most.
			for _, value := range values {
				idx.index(i, key, value)
			}
		} else {
			idx.scan = append(idx.scan, i)
		}
	}
	return idx
}

// name files claimant i under a name it lists. Claimants are filed in
// ascending order, so each name's claimants stay ascending and distinct.
func (idx *coverageIndex) name(slot int, name string, i int) {
	at, found := idx.byName[slot][name]
	switch {
	case !found:
		idx.byName[slot][name] = int32(i)
	case at >= 0:
		if int(at) != i { // a name listed twice by one claimant: once
			idx.shared = append(idx.shared, []int{int(at), i})
			idx.byName[slot][name] = ^int32(len(idx.shared) - 1)
		}
	default:
		if claims := idx.shared[^at]; claims[len(claims)-1] != i {
			idx.shared[^at] = append(claims, i)
		}
	}
}

// named returns the claimants naming an identity; the slice is shared.
func (idx *coverageIndex) named(slot int, name string) []int {
	at, found := idx.byName[slot][name]
	switch {
	case !found:
		return nil
	case at >= 0:
		return idx.each[at : at+1 : at+1]
	default:
		return idx.shared[^at]
	}
}

// index files claimant i under the label pair its selector requires.
func (idx *coverageIndex) index(i int, key, value string) {
	values := idx.byLabel[key]
	if values == nil {
		values = map[string][]int{}
		idx.byLabel[key] = values
		idx.labelKeys = append(idx.labelKeys, key)
	}
	if claims := values[value]; len(claims) == 0 || claims[len(claims)-1] != i { // a value listed twice: once
		values[value] = append(claims, i)
	}
}

// firstInExpression is the first `key In (values)` requirement: a selector
// with one matches only identities carrying one of those pairs.
func firstInExpression(expressions []metav1.LabelSelectorRequirement) (string, []string, bool) {
	for _, r := range expressions {
		if r.Operator == metav1.LabelSelectorOpIn && len(r.Values) > 0 {
			return r.Key, r.Values, true
		}
	}
	return "", nil, false
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
// ascending order and without duplicates. It allocates only when more than
// one claim is found; the slice it returns may be shared and must not be
// modified.
func (idx *coverageIndex) covering(identity *Identity) []int {
	slot := kindSlot(identity.Kind)
	if slot < 0 {
		return nil
	}
	named := idx.named(slot, identity.Name)
	var matched []int
	consider := func(i int) {
		m := &idx.matcher[i]
		if m.selector == nil || (len(m.kinds) > 0 && !slices.Contains(m.kinds, identity.Kind)) {
			return
		}
		if m.indexedOnly || m.selector.Matches(labels.Set(identity.Labels)) {
			matched = append(matched, i)
		}
	}
	for _, key := range idx.labelKeys {
		if value, ok := identity.Labels[key]; ok {
			for _, i := range idx.byLabel[key][value] {
				consider(i)
			}
		}
	}
	for _, i := range idx.scan {
		consider(i)
	}
	switch {
	case len(matched) == 0:
		return named // already ascending and distinct: claimants are indexed in order
	case len(named) == 0 && len(matched) == 1:
		return matched
	}
	found := append(slices.Clone(named), matched...)
	slices.Sort(found)
	return slices.Compact(found)
}
