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
	"fmt"
	"reflect"
	"testing"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

// evaluate is Evaluate, checked to leave the snapshot alone.
func evaluate(t *testing.T, s Snapshot) Result {
	t.Helper()
	before := copyObjects(s)
	res := Evaluate(s)
	checkLeftAlone(t, s, before, res)
	return res
}

// checkLeftAlone fails when Evaluate changed the snapshot's ownerships,
// exceptions or reviews, or returned memory they hold: the controller
// hands Evaluate the cache's own objects (Snapshot).
func checkLeftAlone(t *testing.T, s Snapshot, before Snapshot, res Result) {
	t.Helper()
	equal(t, "ownerships after evaluation", s.Ownerships, before.Ownerships)
	equal(t, "exceptions after evaluation", s.Exceptions, before.Exceptions)
	equal(t, "reviews after evaluation", s.Reviews, before.Reviews)
	held := memory{}
	for _, objects := range []any{s.Ownerships, s.Exceptions, s.Reviews} {
		held.collect(reflect.ValueOf(objects), "snapshot")
	}
	returned := memory{exportedOnly: true}
	returned.collect(reflect.ValueOf(res), "result")
	for _, r := range returned.blocks {
		if owner, shared := held.holds(r); shared {
			t.Errorf("%s shares memory with %s", r.path, owner)
		}
	}
}

// copyObjects is a snapshot whose ownerships, exceptions and reviews are
// deep copies of s's.
func copyObjects(s Snapshot) Snapshot {
	out := s
	out.Ownerships = deepCopies(s.Ownerships, (*nhi.IdentityOwnership).DeepCopyInto)
	out.Exceptions = deepCopies(s.Exceptions, (*nhi.OwnershipException).DeepCopyInto)
	out.Reviews = deepCopies(s.Reviews, (*nhi.OwnershipReview).DeepCopyInto)
	return out
}

// deepCopies copies each object; nil stays nil.
func deepCopies[T any](objects []T, deepCopyInto func(*T, *T)) []T {
	if objects == nil {
		return nil
	}
	out := make([]T, len(objects))
	for i := range objects {
		deepCopyInto(&objects[i], &out[i])
	}
	return out
}

// block is memory a value reaches: what a pointer points to, a slice's
// array, or a map (size 0: compared by address).
type block struct {
	start, size uintptr
	path        string
}

// memory is every block reachable from some values, strings aside: they
// cannot be written to.
type memory struct {
	blocks []block
	seen   map[uintptr]bool
	// exportedOnly skips unexported fields: what a Result keeps for the
	// package's own use (an identity's ownership, to read) no caller
	// reaches.
	exportedOnly bool
}

func (m *memory) collect(v reflect.Value, path string) {
	if m.seen == nil {
		m.seen = map[uintptr]bool{}
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() || m.seen[v.Pointer()] {
			return
		}
		m.seen[v.Pointer()] = true
		m.blocks = append(m.blocks, block{v.Pointer(), v.Type().Elem().Size(), path})
		m.collect(v.Elem(), path)
	case reflect.Slice:
		if v.Cap() == 0 {
			return
		}
		if !m.seen[v.Pointer()] {
			m.seen[v.Pointer()] = true
			m.blocks = append(m.blocks, block{v.Pointer(), uintptr(v.Cap()) * v.Type().Elem().Size(), path})
		}
		for i := range v.Len() {
			m.collect(v.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
	case reflect.Map:
		if v.IsNil() || m.seen[v.Pointer()] {
			return
		}
		m.seen[v.Pointer()] = true
		m.blocks = append(m.blocks, block{v.Pointer(), 0, path})
		for it := v.MapRange(); it.Next(); {
			m.collect(it.Value(), fmt.Sprintf("%s[%v]", path, it.Key()))
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if field := v.Type().Field(i); field.IsExported() || !m.exportedOnly {
				m.collect(v.Field(i), path+"."+field.Name)
			}
		}
	case reflect.Interface:
		m.collect(v.Elem(), path)
	default:
	}
}

// holds says which of m's blocks b starts in, if any.
func (m *memory) holds(b block) (string, bool) {
	for _, h := range m.blocks {
		if b.start == h.start || (h.size > 0 && b.start > h.start && b.start < h.start+h.size) {
			return h.path, true
		}
	}
	return "", false
}

// The check itself must fail when a result points into the snapshot.
func TestCheckLeftAloneFindsSharedMemory(t *testing.T) {
	s := Snapshot{Ownerships: []nhi.IdentityOwnership{{Status: nhi.IdentityOwnershipStatus{
		ApprovalRecord: &nhi.ApprovalRecord{ApprovalDigest: "a"}}}}}
	res := Result{Ownerships: map[string]*OwnershipResult{"x": {ApprovalRecord: s.Ownerships[0].Status.ApprovalRecord}}}
	held, returned := memory{}, memory{}
	held.collect(reflect.ValueOf(s.Ownerships), "snapshot")
	returned.collect(reflect.ValueOf(res), "result")
	shared := false
	for _, b := range returned.blocks {
		if _, found := held.holds(b); found {
			shared = true
		}
	}
	if !shared {
		t.Error("a result's approval record pointing into the snapshot went unseen")
	}
	if _, found := held.holds(block{start: 1}); found {
		t.Error("an unrelated address was taken for the snapshot's")
	}
}
