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

package manifestdiff

import (
	"slices"
	"strings"
)

// Normalisations: each removes one difference that two renderings may
// legitimately have, so that Compare reports only the others. They change
// obj in place.

// DeleteMetadataKeys removes keys from metadata.<field> (labels or
// annotations), and the field itself once it is empty, since an empty map
// and no map mean the same to the API server.
func DeleteMetadataKeys(obj Object, field string, keys ...string) {
	metadata, _ := obj["metadata"].(map[string]any)
	values, _ := metadata[field].(map[string]any)
	if values == nil {
		return
	}
	for _, k := range keys {
		delete(values, k)
	}
	if len(values) == 0 {
		delete(metadata, field)
	}
}

// DeleteNamespace removes metadata.namespace, which the API server ignores
// on cluster-scoped objects (kustomize's namespace transformer sets it on
// kinds it does not know to be cluster-scoped).
func DeleteNamespace(obj Object) {
	if metadata, ok := obj["metadata"].(map[string]any); ok {
		delete(metadata, "namespace")
	}
}

// RewriteStrings replaces every string value held under one of keys, at any
// depth of obj, with rewrite(value).
func RewriteStrings(obj Object, keys []string, rewrite func(string) string) {
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, child := range v {
				if s, ok := child.(string); ok && slices.Contains(keys, k) {
					v[k] = rewrite(s)
					continue
				}
				walk(child)
			}
		case []any:
			for _, child := range v {
				walk(child)
			}
		}
	}
	walk(obj)
}

// WithoutBlankLines removes blank lines from s. kustomize (kyaml) writes a
// folded scalar's more-indented lines back with a blank line before them,
// which adds a line break to the string; in a CEL expression that changes
// nothing.
func WithoutBlankLines(s string) string {
	for strings.Contains(s, "\n\n") {
		s = strings.ReplaceAll(s, "\n\n", "\n")
	}
	return s
}
