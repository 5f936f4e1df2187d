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
	"fmt"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

// entries are n unowned ServiceAccounts.
func entries(n int) []ReportEntry {
	out := make([]ReportEntry, n)
	for i := range out {
		out[i] = ReportEntry{Kind: nhi.KindServiceAccount, Name: fmt.Sprintf("sa-%04d", i), State: nhi.StateUnowned,
			Findings: []nhi.Finding{nhi.FindingUnowned}}
	}
	return out
}

func ownership(covered, listed int) nhi.IdentityOwnership {
	o := nhi.IdentityOwnership{ObjectMeta: metav1.ObjectMeta{Namespace: "payments", Name: "batch"}}
	o.Status.IdentityCount = int32(covered)
	for i := range listed {
		o.Status.Identities = append(o.Status.Identities, nhi.IdentityStatus{Kind: nhi.KindServiceAccount,
			Name: fmt.Sprintf("sa-%04d", i), State: nhi.StateOwned})
	}
	return o
}

func TestInventoryWarnsWhereTheEvidenceIsIncomplete(t *testing.T) {
	capped := nhi.OwnershipPolicy{ObjectMeta: metav1.ObjectMeta{Name: "baseline"}}
	capped.Status.TotalViolations = 150
	capped.Status.Violations = make([]nhi.Violation, 100)

	cappedException := nhi.OwnershipException{ObjectMeta: metav1.ObjectMeta{Namespace: "payments", Name: "legacy"}}
	cappedException.Status.Conditions = []metav1.Condition{{Type: nhi.ConditionActive, Status: metav1.ConditionTrue}}
	cappedException.Status.IdentityCount = nhi.MaxStatusIdentities + 6
	cappedException.Status.Identities = make([]nhi.IdentityReference, nhi.MaxStatusIdentities)

	for _, tc := range []struct {
		name string
		src  Sources
		want []string // one substring per expected warning
	}{
		{name: "complete", src: Sources{ReportsAvailable: true,
			Ownerships: []nhi.IdentityOwnership{ownership(3, 3)},
			Reports:    []unstructured.Unstructured{*PolicyReport("payments", "baseline", entries(10))}}},
		{name: "a report at its cap", src: Sources{ReportsAvailable: true,
			Reports: []unstructured.Unstructured{*PolicyReport("payments", "baseline", entries(MaxReportResults+5))}},
			want: []string{"PolicyReport payments/steward lists 2000 of the namespace's 2005 governed identities"}},
		{name: "an ownership's status at its cap", src: Sources{ReportsAvailable: true,
			Ownerships: []nhi.IdentityOwnership{ownership(nhi.MaxStatusIdentities+1, nhi.MaxStatusIdentities)}},
			want: []string{"IdentityOwnership payments/batch lists 1024 of the 1025 identities it covers"}},
		{name: "an exception's status at its cap", src: Sources{ReportsAvailable: true,
			Exceptions: []nhi.OwnershipException{cappedException}},
			want: []string{"OwnershipException payments/legacy lists 1024 of the 1030 identities it applies to"}},
		{name: "no reports, a policy's violations at their cap", src: Sources{Policies: []nhi.OwnershipPolicy{capped}},
			want: []string{"policy baseline lists only the first violations"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, warnings := Inventory(tc.src)
			if len(warnings) != len(tc.want) {
				t.Fatalf("warnings = %q, want %d", warnings, len(tc.want))
			}
			for i, want := range tc.want {
				if !strings.Contains(warnings[i], want) {
					t.Errorf("warning %q does not say %q", warnings[i], want)
				}
			}
		})
	}
}
