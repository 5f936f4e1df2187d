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
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"unsafe"
)

func TestInterned(t *testing.T) {
	stewardOnly := func(k, _ string) bool { return strings.HasPrefix(k, "steward.dev/") }
	cases := []struct {
		name string
		in   map[string]string
		keep func(string, string) bool
		want map[string]string
	}{
		{"nil", nil, nil, nil},
		{"empty", map[string]string{}, nil, nil},
		{"all kept", map[string]string{"team": "payments", "steward.dev/state": "Owned"}, nil,
			map[string]string{"team": "payments", "steward.dev/state": "Owned"}},
		{"some kept", map[string]string{"team": "payments", "steward.dev/state": "Owned"}, stewardOnly,
			map[string]string{"steward.dev/state": "Owned"}},
		{"none kept", map[string]string{"team": "payments"}, stewardOnly, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Interned(tc.in, tc.keep); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Interned = %v, want %v", got, tc.want)
			}
		})
	}
}

// Two objects decoded apart hold two copies of each string; interned, they
// hold one.
func TestInternedSharesStrings(t *testing.T) {
	decoded := func() map[string]string {
		// Built at run time, as a decoder builds them: distinct copies.
		return map[string]string{string([]byte("steward.dev/state")): string([]byte("Owned"))}
	}
	a, b := decoded(), decoded()
	for k, v := range a {
		for k2, v2 := range b {
			if unsafe.StringData(k) == unsafe.StringData(k2) || unsafe.StringData(v) == unsafe.StringData(v2) {
				t.Fatal("the two decoded maps already share their bytes: the test proves nothing")
			}
		}
	}
	a = Interned(a, nil)
	runtime.GC() // the canonical copies outlive a collection
	b = Interned(b, nil)
	for k, v := range a {
		var other string
		for k2, v2 := range b {
			if k2 == k {
				if unsafe.StringData(k2) != unsafe.StringData(k) {
					t.Errorf("key %q is held twice", k)
				}
				other = v2
			}
		}
		if unsafe.StringData(v) != unsafe.StringData(other) {
			t.Errorf("value %q is held twice", v)
		}
	}
}

// The table is bounded: a tenant writing distinct label values cannot grow
// it past internCapacity, and a string too long is not kept at all.
func TestInternTableIsBounded(t *testing.T) {
	table := &stringTable{strings: map[string]string{}}
	for i := range 3 * internCapacity {
		table.intern(fmt.Sprintf("value-%d", i))
	}
	if n := len(table.strings); n > internCapacity {
		t.Errorf("the table holds %d strings, more than %d", n, internCapacity)
	}
	long := strings.Repeat("x", internMaxLength+1)
	table.intern(long)
	if _, kept := table.strings[long]; kept {
		t.Error("a string longer than internMaxLength was kept")
	}
}

// A filtered map is sized for what it keeps.
func TestInternedSizesForWhatItKeeps(t *testing.T) {
	annotations := map[string]string{"steward.dev/state": "Owned"}
	for i := range 10000 {
		annotations[fmt.Sprintf("tenant-%d", i)] = "x"
	}
	keep := func(k, _ string) bool { return strings.HasPrefix(k, "steward.dev/") }
	var kept map[string]string
	allocated := testing.AllocsPerRun(5, func() { kept = Interned(annotations, keep) })
	if len(kept) != 1 {
		t.Fatalf("kept %v", kept)
	}
	// A map sized for 10,001 entries takes dozens of allocations (its
	// groups); one sized for one entry takes one or two.
	if allocated > 4 {
		t.Errorf("%.0f allocations to keep one entry: the map is sized for the input", allocated)
	}
}

// Objects with the same labels, or the same Steward annotations, hold one
// map between them; any other content is a map of its own.
func TestInternedSharesMaps(t *testing.T) {
	same := func(a, b map[string]string) bool {
		return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
	}
	decoded := func(entries ...string) map[string]string {
		m := map[string]string{}
		for i := 0; i < len(entries); i += 2 {
			m[string([]byte(entries[i]))] = string([]byte(entries[i+1]))
		}
		return m
	}
	stewardOnly := func(k, _ string) bool { return strings.HasPrefix(k, "steward.dev/") }

	a := Interned(decoded("steward.dev/state", "Owned", "team", "payments"), nil)
	b := Interned(decoded("team", "payments", "steward.dev/state", "Owned"), nil)
	if !same(a, b) {
		t.Error("two objects with the same labels hold two maps")
	}
	filtered := Interned(decoded("steward.dev/state", "Owned", "kubectl.kubernetes.io/last-applied", "{}"), stewardOnly)
	alone := Interned(decoded("steward.dev/state", "Owned"), nil)
	if !same(filtered, alone) || !reflect.DeepEqual(alone, map[string]string{"steward.dev/state": "Owned"}) {
		t.Errorf("what keep accepts is what is shared: %v and %v", filtered, alone)
	}
	for _, other := range []map[string]string{
		Interned(decoded("steward.dev/state", "Expired", "team", "payments"), nil),
		Interned(decoded("steward.dev/state", "Owned"), func(string, string) bool { return true }),
	} {
		if same(a, other) {
			t.Errorf("%v shares the map of %v", other, a)
		}
	}
	// Each string is preceded by its length: moving a byte from the key
	// to the value is other content.
	ab, abc := Interned(decoded("a", "bc"), nil), Interned(decoded("ab", "c"), nil)
	if same(ab, abc) || ab["a"] != "bc" || abc["ab"] != "c" {
		t.Errorf("%v and %v confused", ab, abc)
	}
}

// The shared maps are bounded like the strings: a tenant writing distinct
// labels cannot grow the table past sharedMapCapacity, and a large map is
// never kept in it.
func TestSharedMapsAreBounded(t *testing.T) {
	for i := range 3 * sharedMapCapacity {
		if m := Interned(map[string]string{"app": fmt.Sprintf("app-%d", i)}, nil); m["app"] != fmt.Sprintf("app-%d", i) {
			t.Fatalf("map %d holds %v", i, m)
		}
	}
	internTable.Lock()
	n := len(internTable.maps)
	internTable.Unlock()
	if n > sharedMapCapacity {
		t.Errorf("the table holds %d maps, more than %d", n, sharedMapCapacity)
	}
	many := map[string]string{}
	for i := range sharedMapMaxEntries + 1 {
		many[fmt.Sprintf("key-%d", i)] = "x"
	}
	long := map[string]string{"note": strings.Repeat("x", sharedMapMaxBytes)}
	for _, large := range []map[string]string{many, long} {
		first, second := Interned(large, nil), Interned(large, nil)
		if reflect.ValueOf(first).UnsafePointer() == reflect.ValueOf(second).UnsafePointer() ||
			!reflect.DeepEqual(first, large) {
			t.Errorf("a map of %d entries was shared, or changed", len(large))
		}
	}
}
