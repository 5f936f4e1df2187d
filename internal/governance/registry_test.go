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
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

// findingScenarios is, for every finding, a namespace in which it is found:
// a finding the decision package never evaluates fails
// TestFindingRegistry.
var findingScenarios = map[nhi.Finding]Snapshot{
	nhi.FindingUnowned: build(ids(sa("api"))),
	nhi.FindingUnapproved: build(ids(sa("api")),
		owns(payments(covers(saRef("api")), unapproved()))),
	nhi.FindingExpired: build(ids(sa("api")),
		owns(payments(covers(saRef("api")), expires(ref.Add(-time.Hour))))),
	nhi.FindingReviewOverdue: build(ids(sa("api")),
		owns(payments(covers(saRef("api")), reviewEvery("720h")))),
	nhi.FindingRotationOverdue: build(ids(opaque("db", createdAt(ref.Add(-60*24*time.Hour)))),
		owns(payments(covers(secretRef("db")), rotateEvery("720h")))),
	nhi.FindingStale: build(policy(staleAfter("720h")),
		ids(secret("legacy", legacyToken, createdAt(ref.Add(-60*24*time.Hour)))),
		owns(payments(covers(secretRef("legacy"))))),
	nhi.FindingOwnerDeparted: build(dir(directory(carol)), ids(sa("api")),
		owns(payments(covers(saRef("api"))))),
	nhi.FindingUnused: build(policy(unusedAfter("12h")),
		ids(sa("api", unusedSince(ref.Add(-48*time.Hour)))), owns(payments(covers(saRef("api"))))),
}

// TestFindingRegistry walks every finding and fails when a consumer lacks
// it: the Go constants, the CRDs' enums and bounds, the severity order, the
// label, the PolicyReport severity, the controls, the remedy, the
// auditors' control table, and the decision package's evaluation.
func TestFindingRegistry(t *testing.T) {
	registered := map[nhi.Finding]bool{}
	for _, info := range nhi.FindingRegistry {
		registered[info.Finding] = true
	}
	if len(nhi.FindingRegistry) > nhi.MaxFindings {
		t.Errorf("FindingRegistry holds %d findings, more than MaxFindings (%d)", len(nhi.FindingRegistry), nhi.MaxFindings)
	}

	// Every Finding constant is registered.
	source, err := os.ReadFile(filepath.Join("..", "..", "api", "v1alpha1", "common_types.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`(?m)^\s*Finding\w+\s+Finding\s*=\s*"(\w+)"`).FindAllStringSubmatch(string(source), -1) {
		if !registered[nhi.Finding(m[1])] {
			t.Errorf("Finding %s is declared in api/v1alpha1 but missing from FindingRegistry", m[1])
		}
	}

	enums := crdFindingEnums(t)
	auditors, err := os.ReadFile(filepath.Join("..", "..", "docs", "auditors.md"))
	if err != nil {
		t.Fatal(err)
	}
	labels := map[string]nhi.Finding{}
	for _, info := range nhi.FindingRegistry {
		f := info.Finding
		t.Run(string(f), func(t *testing.T) {
			for where, values := range enums {
				if !slices.Contains(values, string(f)) {
					t.Errorf("%s: the enum lacks %s (add it to the kubebuilder Enum markers)", where, f)
				}
			}
			if !slices.Contains(nhi.StateSeverity, nhi.IdentityState(f)) {
				t.Errorf("StateSeverity lacks %s", f)
			}
			label := Kebab(nhi.IdentityState(f))
			if other, taken := labels[label]; taken {
				t.Errorf("label value %q is shared with %s", label, other)
			}
			labels[label] = f
			switch info.Severity {
			case nhi.ReportSeverityHigh, nhi.ReportSeverityMedium, nhi.ReportSeverityLow:
			default:
				t.Errorf("PolicyReport severity %q is not high, medium or low", info.Severity)
			}
			if len(info.Controls) == 0 {
				t.Error("no control mapping")
			}
			for _, c := range info.Controls {
				row := "| " + string(f) + " | " + c.Framework + " | " + c.ID + " |"
				if !strings.Contains(string(auditors), row) {
					t.Errorf("docs/auditors.md lacks the row %q", row)
				}
			}
			if info.Remedy == "" {
				t.Error("no remedy for explain")
			}
			scenario, ok := findingScenarios[f]
			if !ok {
				t.Fatal("no scenario in findingScenarios: the decision package's evaluation of it is untested")
			}
			if got := Evaluate(scenario).Identities[0]; !slices.Contains(got.Findings, f) {
				t.Errorf("the scenario's identity has findings %v, not %s", got.Findings, f)
			}
		})
	}
}

// crdFindingEnums returns every enum of findings or states in the CRDs,
// keyed by where it is, and checks that lists of findings are bounded by
// MaxFindings.
func crdFindingEnums(t *testing.T) map[string][]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "config", "crd", "bases", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no CRDs found: %v", err)
	}
	enums := map[string][]string{}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		crd := &apiextensionsv1.CustomResourceDefinition{}
		if err := yaml.Unmarshal(data, crd); err != nil {
			t.Fatal(err)
		}
		for _, v := range crd.Spec.Versions {
			walkSchema(t, crd.Spec.Names.Kind, v.Schema.OpenAPIV3Schema, enums)
		}
	}
	if len(enums) < 3 {
		t.Fatalf("found only %d enums of findings in the CRDs: %v", len(enums), enums)
	}
	return enums
}

func walkSchema(t *testing.T, path string, s *apiextensionsv1.JSONSchemaProps, enums map[string][]string) {
	if s == nil {
		return
	}
	if s.Items != nil && s.Items.Schema != nil && isFindingEnum(s.Items.Schema) && s.Type == "array" {
		if s.MaxItems == nil || *s.MaxItems != nhi.MaxFindings {
			t.Errorf("%s: a list of findings must have maxItems %d (nhi.MaxFindings)", path, nhi.MaxFindings)
		}
	}
	if isFindingEnum(s) {
		var values []string
		for _, e := range s.Enum {
			values = append(values, strings.Trim(string(e.Raw), `"`))
		}
		enums[path] = values
	}
	for name, p := range s.Properties {
		walkSchema(t, path+"."+name, &p, enums)
	}
	if s.Items != nil {
		walkSchema(t, path+"[]", s.Items.Schema, enums)
	}
}

// isFindingEnum: an enum holding Unowned, that of Finding or IdentityState.
func isFindingEnum(s *apiextensionsv1.JSONSchemaProps) bool {
	for _, e := range s.Enum {
		if string(e.Raw) == `"Unowned"` {
			return true
		}
	}
	return false
}
