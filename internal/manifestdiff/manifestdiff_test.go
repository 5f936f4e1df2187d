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
	"testing"
)

func mustIndex(t *testing.T, yaml string) map[Key]Object {
	t.Helper()
	objects, err := Parse([]byte(yaml))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	index, err := Index(objects)
	if err != nil {
		t.Fatalf("Index: %v", err)
	}
	return index
}

const role = `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules:
- {apiGroups: [""], resources: [secrets], verbs: [get, list]}
`

func TestParseSkipsEmptyDocuments(t *testing.T) {
	objects, err := Parse([]byte("---\n# only a comment\n---\n" + role + "---\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(objects) != 1 || KeyOf(objects[0]) != (Key{Kind: "ClusterRole", Name: "reader"}) {
		t.Fatalf("got %v, want the one ClusterRole", objects)
	}
}

func TestIndexRefusesDuplicates(t *testing.T) {
	objects, err := Parse([]byte(role + "---\n" + role))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Index(objects); err == nil {
		t.Fatal("Index accepted the same ClusterRole twice")
	}
}

func TestCompare(t *testing.T) {
	tests := []struct {
		name      string
		got, want string
		expected  []string
	}{{
		name: "same objects, keys in another order",
		got: `
kind: ClusterRole
rules: [{verbs: [get, list], resources: [secrets], apiGroups: [""]}]
apiVersion: rbac.authorization.k8s.io/v1
metadata: {name: reader}
`,
		want: role,
	}, {
		name: "a verb more",
		got: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules:
- {apiGroups: [""], resources: [secrets], verbs: [get, list, delete]}
`,
		want:     role,
		expected: []string{`ClusterRole reader: rules[0].verbs[2]: chart has "delete", config has absent`},
	}, {
		name: "a changed value",
		got: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules:
- {apiGroups: [""], resources: [configmaps], verbs: [get, list]}
`,
		want:     role,
		expected: []string{`ClusterRole reader: rules[0].resources[0]: chart has "configmaps", config has "secrets"`},
	}, {
		name: "list order matters",
		got: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules:
- {apiGroups: [""], resources: [secrets], verbs: [list, get]}
`,
		want: role,
		expected: []string{
			`ClusterRole reader: rules[0].verbs[0]: chart has "list", config has "get"`,
			`ClusterRole reader: rules[0].verbs[1]: chart has "get", config has "list"`,
		},
	}, {
		name: "a label path is bracketed, a missing field named",
		got: `
apiVersion: v1
kind: ServiceAccount
metadata: {name: manager, namespace: steward-system, labels: {app.kubernetes.io/name: steward}}
`,
		want: `
apiVersion: v1
kind: ServiceAccount
metadata: {name: manager, namespace: steward-system}
automountServiceAccountToken: false
`,
		expected: []string{
			`ServiceAccount steward-system/manager: automountServiceAccountToken: chart has absent, config has false`,
			`ServiceAccount steward-system/manager: metadata.labels: chart has map[string]interface {}{"app.kubernetes.io/name":"steward"}, config has absent`,
		},
	}, {
		name: "objects on one side only",
		got:  role,
		want: `
apiVersion: v1
kind: ServiceAccount
metadata: {name: manager, namespace: steward-system}
`,
		expected: []string{
			"ServiceAccount steward-system/manager: in config, missing from chart",
			"ClusterRole reader: in chart, missing from config",
		},
	}, {
		name: "a map where a string was",
		got: `
apiVersion: v1
kind: ConfigMap
metadata: {name: c, namespace: ns}
data: {key: {nested: x}}
`,
		want: `
apiVersion: v1
kind: ConfigMap
metadata: {name: c, namespace: ns}
data: {key: x}
`,
		expected: []string{`ConfigMap ns/c: data.key: chart has map[string]interface {}{"nested":"x"}, config has "x"`},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			differences := Compare("chart", mustIndex(t, tt.got), "config", mustIndex(t, tt.want))
			if !slices.Equal(differences, tt.expected) {
				t.Errorf("Compare:\n got %q\nwant %q", differences, tt.expected)
			}
		})
	}
}

func TestNormalisations(t *testing.T) {
	tests := []struct {
		name      string
		normalise func(Object)
		in, out   string
	}{{
		name: "Helm's labels removed, the others kept",
		normalise: func(obj Object) {
			DeleteMetadataKeys(obj, "labels", "helm.sh/chart", "app.kubernetes.io/managed-by")
		},
		in:  `{kind: Service, metadata: {name: s, labels: {helm.sh/chart: steward-0.1.0, app.kubernetes.io/managed-by: Helm, control-plane: controller-manager}}}`,
		out: `{kind: Service, metadata: {name: s, labels: {control-plane: controller-manager}}}`,
	}, {
		name:      "labels emptied are removed",
		normalise: func(obj Object) { DeleteMetadataKeys(obj, "labels", "app.kubernetes.io/managed-by") },
		in:        `{kind: Service, metadata: {name: s, labels: {app.kubernetes.io/managed-by: kustomize}}}`,
		out:       `{kind: Service, metadata: {name: s}}`,
	}, {
		name:      "no labels at all",
		normalise: func(obj Object) { DeleteMetadataKeys(obj, "labels", "app.kubernetes.io/managed-by") },
		in:        `{kind: Service, metadata: {name: s}}`,
		out:       `{kind: Service, metadata: {name: s}}`,
	}, {
		name:      "namespace removed",
		normalise: DeleteNamespace,
		in:        `{kind: ValidatingAdmissionPolicy, metadata: {name: p, namespace: steward-system}}`,
		out:       `{kind: ValidatingAdmissionPolicy, metadata: {name: p}}`,
	}, {
		name: "blank lines removed from expressions at any depth, other strings kept",
		normalise: func(obj Object) {
			RewriteStrings(obj, []string{"expression", "messageExpression"}, WithoutBlankLines)
		},
		in: `{kind: ValidatingAdmissionPolicy, metadata: {name: p},
  spec: {validations: [{expression: "a &&\n\n\n  b", messageExpression: "'m'\n\n+ 'n'", message: "x\n\ny"}],
         variables: [{name: v, expression: "c\n\nd"}]}}`,
		out: `{kind: ValidatingAdmissionPolicy, metadata: {name: p},
  spec: {validations: [{expression: "a &&\n  b", messageExpression: "'m'\n+ 'n'", message: "x\n\ny"}],
         variables: [{name: v, expression: "c\nd"}]}}`,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, out := mustIndex(t, tt.in), mustIndex(t, tt.out)
			normalised := map[Key]Object{}
			for _, obj := range in {
				tt.normalise(obj)
				normalised[KeyOf(obj)] = obj
			}
			if differences := Compare("normalised", normalised, "expected", out); len(differences) > 0 {
				t.Errorf("%q", differences)
			}
		})
	}
}
