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
	"encoding/binary"
	"slices"
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
// Most identities also carry the very same labels and Steward annotations
// as many others (those of one namespace, written in one pass), and a Go
// map of a few entries takes a few hundred bytes however short its strings:
// a map whose content was interned before is that map again, shared by
// every object that holds it. So the map returned must never be modified;
// the cache's objects are read-only already (the manager's reads copy them,
// and the reads that do not never write).
//
// A filtered map is sized for what it keeps, not for what it was given: a
// tenant's object with thousands of annotations must not leave a map of
// that size in the cache.
func Interned(m map[string]string, keep func(key, value string) bool) map[string]string {
	var kept [sharedMapMaxEntries]string
	keys := kept[:0]
	size, length := 0, 0
	for k, v := range m {
		if keep == nil || keep(k, v) {
			size++
			length += len(k) + len(v)
			if size <= sharedMapMaxEntries {
				keys = append(keys, k)
			}
		}
	}
	if size == 0 {
		return nil
	}
	internTable.Lock()
	defer internTable.Unlock()
	shareable := size <= sharedMapMaxEntries && length <= sharedMapMaxBytes
	var content []byte
	if shareable {
		var buf [sharedMapMaxBytes + 2*sharedMapMaxEntries*binary.MaxVarintLen64]byte
		content = mapContent(buf[:0], m, keys)
		if shared, ok := internTable.maps[string(content)]; ok {
			return shared
		}
	}
	out := make(map[string]string, size)
	for k, v := range m {
		if keep == nil || keep(k, v) {
			out[internTable.intern(k)] = internTable.intern(v)
		}
	}
	if shareable {
		if len(internTable.maps) >= sharedMapCapacity {
			clear(internTable.maps)
		}
		internTable.maps[string(content)] = out
	}
	return out
}

// mapContent appends the entries of m under keys to buf, sorted by key and
// each string preceded by its length, so that two maps have the same
// content exactly when they hold the same entries.
func mapContent(buf []byte, m map[string]string, keys []string) []byte {
	slices.Sort(keys)
	for _, k := range keys {
		v := m[k]
		buf = binary.AppendUvarint(buf, uint64(len(k)))
		buf = append(buf, k...)
		buf = binary.AppendUvarint(buf, uint64(len(v)))
		buf = append(buf, v...)
	}
	return buf
}

// Bounds of the table of shared maps, for the same reason as the strings':
// at most sharedMapCapacity maps, each of at most sharedMapMaxEntries
// entries of at most sharedMapMaxBytes in all; a larger map is the
// object's own. The table starts afresh when full.
const (
	sharedMapCapacity   = 8192
	sharedMapMaxEntries = 16
	sharedMapMaxBytes   = 1024
)

// Bounds of the intern table: tenants write label values, so it holds at
// most internCapacity strings of at most internMaxLength bytes, and starts
// afresh when full. A string interned again after that is a second copy,
// never a wrong one.
const (
	internCapacity  = 16384
	internMaxLength = 128
)

// WithInterned calls f with a function that returns a string's canonical
// copy (bounded as Interned's are), the table locked once for all its
// calls: for a transform that interns the many strings of one object.
func WithInterned(f func(intern func(string) string)) {
	internTable.Lock()
	defer internTable.Unlock()
	f(internTable.intern)
}

// internTable holds the canonical copies. It holds them itself: the unique
// package's handles would let a canonical copy go at the next collection
// once no handle is left, and the maps keep strings, not handles.
var internTable = &stringTable{strings: map[string]string{}, maps: map[string]map[string]string{}}

type stringTable struct {
	sync.Mutex
	strings map[string]string
	// maps are the shared maps by their content (mapContent).
	maps map[string]map[string]string
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
