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

import "unique"

// Interned is the part of a label or annotation map that keep accepts
// (all of it when keep is nil), its keys and values replaced by canonical
// copies; nil when nothing is kept. A decoded object holds its own copy of
// every key and value, and the cache holds tens of thousands of identities
// whose keys, and most of whose values (a team, a state, a second's
// timestamp), are the same strings: the transforms intern them once.
func Interned(m map[string]string, keep func(key, value string) bool) map[string]string {
	var out map[string]string
	for k, v := range m {
		if keep != nil && !keep(k, v) {
			continue
		}
		if out == nil {
			out = make(map[string]string, len(m))
		}
		out[unique.Make(k).Value()] = unique.Make(v).Value()
	}
	return out
}
