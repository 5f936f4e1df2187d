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
	"strings"
	"testing"
	"time"
	"unsafe"

	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

// The cache keeps an ownership's rows as they were written, in a slice
// sized to them, with one copy of each repeated string and time.
func TestCompactRows(t *testing.T) {
	since := metav1.NewTime(time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC))
	// Strings built at run time, as a decoder builds them: each its own.
	own := func(s string) string { return strings.Clone(s) }
	rows := make([]nhi.IdentityStatus, 0, 1) // grown by appends, as a decoder grows it
	for i := range 50 {
		at := since
		row := nhi.IdentityStatus{
			Kind: nhi.IdentityKind(own(string(nhi.KindServiceAccount))), Name: fmt.Sprintf("id-%02d", i),
			UID: fmt.Sprintf("uid-%02d", i), State: nhi.IdentityState(own(string(nhi.StateOwned))), Since: &at,
			Findings: []nhi.Finding{nhi.Finding(own(string(nhi.FindingUnapproved)))},
			Usage:    &nhi.IdentityUsage{Count: 1, Workloads: []nhi.WorkloadReference{{Kind: own("Pod"), Name: fmt.Sprintf("pod-%02d", i)}}},
			Access:   &nhi.AccessSummary{Roles: []string{own("Role/reader")}},
		}
		rows = append(rows, row) // grown past 50
	}
	want := make([]nhi.IdentityStatus, len(rows))
	for i := range rows {
		rows[i].DeepCopyInto(&want[i])
	}

	got := compactRows(rows)
	if !equality.Semantic.DeepEqual(got, want) {
		t.Fatal("compacting changed the rows' content")
	}
	if cap(got) != len(got) {
		t.Errorf("%d rows kept in a slice of %d", len(got), cap(got))
	}
	distinct := func(field func(*nhi.IdentityStatus) string) int {
		seen := map[*byte]bool{}
		for i := range got {
			seen[unsafe.StringData(field(&got[i]))] = true
		}
		return len(seen)
	}
	for name, field := range map[string]func(*nhi.IdentityStatus) string{
		"kind":          func(r *nhi.IdentityStatus) string { return string(r.Kind) },
		"state":         func(r *nhi.IdentityStatus) string { return string(r.State) },
		"finding":       func(r *nhi.IdentityStatus) string { return string(r.Findings[0]) },
		"workload kind": func(r *nhi.IdentityStatus) string { return r.Usage.Workloads[0].Kind },
		"role":          func(r *nhi.IdentityStatus) string { return r.Access.Roles[0] },
	} {
		if n := distinct(field); n != 1 {
			t.Errorf("50 rows hold %d copies of one %s", n, name)
		}
	}
	if n := distinct(func(r *nhi.IdentityStatus) string { return r.Name }); n != 50 {
		t.Errorf("50 names became %d", n)
	}
	times := map[*metav1.Time]bool{}
	for i := range got {
		times[got[i].Since] = true
	}
	if len(times) != 1 {
		t.Errorf("50 rows hold %d copies of one time", len(times))
	}
	if compactRows(nil) != nil {
		t.Error("no rows became some")
	}
}

// The cache transform compacts an ownership's rows and nothing else of its
// status.
func TestStripUnusedMetadataKeepsAnOwnershipsStatus(t *testing.T) {
	o := &nhi.IdentityOwnership{ObjectMeta: metav1.ObjectMeta{Name: "payments", Namespace: "shop",
		ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubectl"}}}}
	o.Status.IdentityCount = 2
	o.Status.Identities = append(make([]nhi.IdentityStatus, 0, 4),
		nhi.IdentityStatus{Kind: nhi.KindSecret, Name: "a", State: nhi.StateOwned},
		nhi.IdentityStatus{Kind: nhi.KindSecret, Name: "b", State: nhi.StateExpired, Findings: []nhi.Finding{nhi.FindingExpired}})
	o.Status.Conditions = []metav1.Condition{{Type: nhi.ConditionReady, Status: metav1.ConditionTrue, Reason: "InForce"}}
	want := o.Status.DeepCopy()

	out, err := StripUnusedMetadata(o)
	if err != nil {
		t.Fatal(err)
	}
	stripped := out.(*nhi.IdentityOwnership)
	if !equality.Semantic.DeepEqual(&stripped.Status, want) {
		t.Errorf("status changed: %+v, want %+v", stripped.Status, *want)
	}
	if cap(stripped.Status.Identities) != 2 || stripped.ManagedFields != nil {
		t.Errorf("rows in a slice of %d, managedFields %v", cap(stripped.Status.Identities), stripped.ManagedFields)
	}
}
