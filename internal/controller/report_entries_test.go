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

package controller

import (
	"fmt"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/evidence"
	"github.com/nhi-steward/steward/internal/governance"
)

// A report of more identities than it lists is the same whether the
// entries it only counts are built whole or not: their state and
// warnings are all its summary reads.
func TestReportEntriesPastTheLimitKeepTheSummary(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	in := &namespaceInputs{snapshot: governance.Snapshot{Namespace: "apps", Ownerships: []nhi.IdentityOwnership{{
		ObjectMeta: metav1.ObjectMeta{Name: "team"},
		Spec:       nhi.IdentityOwnershipSpec{Owner: nhi.Owner{Team: "payments"}}}}}}
	total := evidence.MaxReportResults + 500
	result := &governance.Result{}
	for i := range total {
		// Named in descending order, so that the report's order is not the
		// result's: the entries built whole must be the first by name.
		id := &governance.Identity{Kind: nhi.KindServiceAccount, Name: fmt.Sprintf("sa-%05d", total-i),
			UID: types.UID(fmt.Sprint(i))}
		r := governance.IdentityResult{Identity: id, Governed: i%7 != 0, State: nhi.StateOwned, Ownership: "team",
			Since: now}
		switch {
		case i%3 == 0:
			r.State, r.Ownership, r.Findings = nhi.StateUnowned, "", []nhi.Finding{nhi.FindingUnowned}
		case i%5 == 0:
			r.Warnings = []nhi.DeadlineWarning{{Deadline: nhi.DeadlineExpiry, At: metav1.NewTime(now.Add(time.Hour))}}
		}
		result.Identities = append(result.Identities, r)
	}

	got := evidence.BuildReport("apps", "baseline", reportEntries(in, result))
	var whole []evidence.ReportEntry
	owners := ownersOf(in, result)
	for i := range result.Identities {
		id := &result.Identities[i]
		if id.Governed {
			whole = append(whole, evidence.ReportEntry{Kind: id.Identity.Kind, Name: id.Identity.Name,
				UID: string(id.Identity.UID), State: id.State, Findings: id.Findings, Ownership: id.Ownership,
				Since: id.Since, Owner: owners[id.Ownership], Context: evidence.ContextOf(governance.IdentityStatusOf(id))})
		}
	}
	if len(whole) <= evidence.MaxReportResults {
		t.Fatalf("only %d governed identities: the test needs more than the report lists", len(whole))
	}
	if want := evidence.BuildReport("apps", "baseline", whole); got.Digest() != want.Digest() {
		t.Errorf("the report differs from one built of whole entries:\n got %v\nwant %v",
			got.As(evidence.FormatPolicyReport).Object["summary"], want.As(evidence.FormatPolicyReport).Object["summary"])
	}
}

// A format whose reports do not exist (its CRD is not installed) costs no
// report: the content is not built for it.
func TestReportsAreBuiltOnlyForAWriterThatWrites(t *testing.T) {
	builds := 0
	build := func() *evidence.ReportContent {
		builds++
		return evidence.BuildReport("apps", "baseline", nil)
	}
	absent := &reportWriter{format: evidence.FormatPolicyReport, chosen: true}
	absent.absent.Store(true)
	if err := absent.sync(t.Context(), "apps", build); err != nil {
		t.Fatal(err)
	}
	if builds != 0 {
		t.Errorf("the report was built %d times for a format whose reports do not exist", builds)
	}
}
