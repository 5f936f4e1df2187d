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
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/usage"
)

// compactRows shrinks what the cache keeps of an ownership's identity rows
// (up to nhi.MaxStatusIdentities of them per ownership, on every ownership
// of the cluster). Decoded, every row holds a copy of its own of every
// string and time, in a slice the decoder grew by doubling. Here the slice
// is sized to the rows, the strings that repeat from row to row (kinds,
// states, findings, workload kinds, roles) are the intern table's, and
// equal times are one time. The content is unchanged: only Steward writes
// an ownership's status, and these rows are what it compares its next
// status with.
func compactRows(rows []nhi.IdentityStatus) []nhi.IdentityStatus {
	if len(rows) == 0 {
		return rows
	}
	if cap(rows) > len(rows) {
		sized := make([]nhi.IdentityStatus, len(rows))
		copy(sized, rows)
		rows = sized
	}
	times := make(map[int64]*metav1.Time, 4)
	usage.WithInterned(func(intern func(string) string) {
		for i := range rows {
			row := &rows[i]
			row.Kind = nhi.IdentityKind(intern(string(row.Kind)))
			row.State = nhi.IdentityState(intern(string(row.State)))
			for j := range row.Findings {
				row.Findings[j] = nhi.Finding(intern(string(row.Findings[j])))
			}
			if row.Since != nil {
				if same, ok := times[row.Since.UnixNano()]; ok {
					row.Since = same
				} else {
					times[row.Since.UnixNano()] = row.Since
				}
			}
			if row.Usage != nil {
				for j := range row.Usage.Workloads {
					row.Usage.Workloads[j].Kind = intern(row.Usage.Workloads[j].Kind)
				}
			}
			if row.Access != nil {
				for j := range row.Access.Roles {
					row.Access.Roles[j] = intern(row.Access.Roles[j])
				}
			}
		}
	})
	return rows
}
