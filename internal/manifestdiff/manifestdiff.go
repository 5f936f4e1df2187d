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

// Package manifestdiff compares two renderings of Kubernetes manifests (the
// Helm chart and config/default) object by object and field by field, so
// that a test can say exactly where they part ways.
package manifestdiff

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/yaml"
)

// Object is one manifest as decoded from YAML: maps, slices, strings,
// float64s, bools and nils.
type Object = map[string]any

// Key names an object: its kind, namespace (empty when cluster-scoped) and
// name.
type Key struct {
	Kind      string
	Namespace string
	Name      string
}

func (k Key) String() string {
	if k.Namespace == "" {
		return k.Kind + " " + k.Name
	}
	return k.Kind + " " + k.Namespace + "/" + k.Name
}

// KeyOf is the Key of obj.
func KeyOf(obj Object) Key {
	metadata, _ := obj["metadata"].(map[string]any)
	kind, _ := obj["kind"].(string)
	namespace, _ := metadata["namespace"].(string)
	name, _ := metadata["name"].(string)
	return Key{Kind: kind, Namespace: namespace, Name: name}
}

// Parse decodes a stream of YAML documents, skipping empty ones (a
// template that rendered nothing, a document of comments only).
func Parse(data []byte) ([]Object, error) {
	decoder := yaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var objects []Object
	for {
		var obj Object
		err := decoder.Decode(&obj)
		if errors.Is(err, io.EOF) {
			return objects, nil
		}
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", len(objects)+1, err)
		}
		if len(obj) > 0 {
			objects = append(objects, obj)
		}
	}
}

// Index keys objects by kind, namespace and name; two objects with the same
// key are an error.
func Index(objects []Object) (map[Key]Object, error) {
	index := make(map[Key]Object, len(objects))
	for _, obj := range objects {
		key := KeyOf(obj)
		if _, ok := index[key]; ok {
			return nil, fmt.Errorf("%s appears twice", key)
		}
		index[key] = obj
	}
	return index, nil
}

// Compare lists every difference between the objects got and want: the
// objects only one of them has, then for objects both have, each field
// whose value differs, as "<key>: <path>: ...". No difference is an empty
// list. gotName and wantName say in the messages which side is which.
func Compare(gotName string, got map[Key]Object, wantName string, want map[Key]Object) []string {
	var differences []string
	for _, key := range sortedKeys(want) {
		if _, ok := got[key]; !ok {
			differences = append(differences, fmt.Sprintf("%s: in %s, missing from %s", key, wantName, gotName))
		}
	}
	for _, key := range sortedKeys(got) {
		if _, ok := want[key]; !ok {
			differences = append(differences, fmt.Sprintf("%s: in %s, missing from %s", key, gotName, wantName))
		}
	}
	for _, key := range sortedKeys(want) {
		if obj, ok := got[key]; ok {
			for _, d := range Fields("", obj, want[key]) {
				differences = append(differences, fmt.Sprintf("%s: %s", key, d.describe(gotName, wantName)))
			}
		}
	}
	return differences
}

// Difference is one field whose value differs; a side without the field
// has Absent set for it.
type Difference struct {
	Path       string
	Got, Want  any
	GotAbsent  bool
	WantAbsent bool
}

func (d Difference) describe(gotName, wantName string) string {
	side := func(v any, absent bool) string {
		if absent {
			return "absent"
		}
		return fmt.Sprintf("%#v", v)
	}
	path := d.Path
	if path == "" {
		path = "(the object)"
	}
	return fmt.Sprintf("%s: %s has %s, %s has %s", path,
		gotName, side(d.Got, d.GotAbsent), wantName, side(d.Want, d.WantAbsent))
}

// Fields lists the differences between got and want, descending into maps
// and lists; path is the path of got and want themselves ("" at the top).
// Lists are compared element by element, in order: the order of rules,
// validations and container arguments matters to the API server.
func Fields(path string, got, want any) []Difference {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			break
		}
		var differences []Difference
		for _, k := range sortedUnion(g, w) {
			child := joinPath(path, k)
			gv, gok := g[k]
			wv, wok := w[k]
			switch {
			case !gok:
				differences = append(differences, Difference{Path: child, Want: wv, GotAbsent: true})
			case !wok:
				differences = append(differences, Difference{Path: child, Got: gv, WantAbsent: true})
			default:
				differences = append(differences, Fields(child, gv, wv)...)
			}
		}
		return differences
	case []any:
		g, ok := got.([]any)
		if !ok {
			break
		}
		var differences []Difference
		for i := range max(len(g), len(w)) {
			child := fmt.Sprintf("%s[%d]", path, i)
			switch {
			case i >= len(g):
				differences = append(differences, Difference{Path: child, Want: w[i], GotAbsent: true})
			case i >= len(w):
				differences = append(differences, Difference{Path: child, Got: g[i], WantAbsent: true})
			default:
				differences = append(differences, Fields(child, g[i], w[i])...)
			}
		}
		return differences
	}
	if reflect.DeepEqual(got, want) {
		return nil
	}
	return []Difference{{Path: path, Got: got, Want: want}}
}

// joinPath appends a map key to a path, bracketing keys that hold dots or
// slashes (labels, annotations) so the path stays readable.
func joinPath(path, key string) string {
	if strings.ContainsAny(key, "./") {
		return fmt.Sprintf("%s[%q]", path, key)
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

func sortedKeys(m map[Key]Object) []Key {
	return slices.SortedFunc(maps.Keys(m), func(a, b Key) int {
		return strings.Compare(a.String(), b.String())
	})
}

func sortedUnion(a, b map[string]any) []string {
	keys := slices.Collect(maps.Keys(a))
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}
