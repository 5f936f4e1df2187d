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
	"reflect"
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
	a, b = Interned(a, nil), Interned(b, nil)
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
