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

package usage

import (
	"strings"
	"sync"
)

// Interned is the part of a label or annotation map that keep accepts
// (all of it when keep is nil), its keys and values replaced by canonical
// copies; nil when nothing is kept. A decoded object holds its own copy of
// every key and value, and the cache holds tens of thousands of identities
// whose keys, and most of whose values (a team, a state, a second's
// timestamp), are the same strings: the transforms intern them once.
//
// A filtered map is sized for what it keeps, not for what it was given: a
// tenant's object with thousands of annotations must not leave a map of
// that size in the cache.
func Interned(m map[string]string, keep func(key, value string) bool) map[string]string {
	size := 0
	for k, v := range m {
		if keep == nil || keep(k, v) {
			size++
		}
	}
	if size == 0 {
		return nil
	}
	out := make(map[string]string, size)
	internTable.Lock()
	defer internTable.Unlock()
	for k, v := range m {
		if keep == nil || keep(k, v) {
			out[internTable.intern(k)] = internTable.intern(v)
		}
	}
	return out
}

// Bounds of the intern table: tenants write label values, so it holds at
// most internCapacity strings of at most internMaxLength bytes, and starts
// afresh when full. A string interned again after that is a second copy,
// never a wrong one.
const (
	internCapacity  = 16384
	internMaxLength = 128
)

// internTable holds the canonical copies. It holds them itself: the unique
// package's handles would let a canonical copy go at the next collection
// once no handle is left, and the maps keep strings, not handles.
var internTable = &stringTable{strings: map[string]string{}}

type stringTable struct {
	sync.Mutex
	strings map[string]string
}

// intern is s's canonical copy; s itself when it is too long to share.
// The caller holds the lock.
func (t *stringTable) intern(s string) string {
	if len(s) > internMaxLength {
		return s
	}
	if canonical, ok := t.strings[s]; ok {
		return canonical
	}
	if len(t.strings) >= internCapacity {
		clear(t.strings)
	}
	canonical := strings.Clone(s) // never a slice of a larger decoded buffer
	t.strings[canonical] = canonical
	return canonical
}
