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
	"encoding/json"
	"testing"
	"time"

	jsonpatch "github.com/evanphx/json-patch/v5"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

// TestWholeRecordReplacesTheRecord applies the merge patch a revocation
// record is written with to the record already stored, as the API server
// does, and expects exactly the new record.
func TestWholeRecordReplacesTheRecord(t *testing.T) {
	reserved := metav1.NewTime(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	revoked := metav1.NewTime(reserved.Add(time.Minute))
	binding := nhi.RemovedBinding{Kind: "RoleBinding", Namespace: "payments", Name: "reader", UID: "b-1"}
	full := nhi.RevocationRecord{Kind: nhi.KindServiceAccount, Name: "reporter", ID: "r-1", Policy: "default",
		Reason: "Unowned", ReservedAt: reserved, RevokedAt: &revoked, RemovedBindings: []nhi.RemovedBinding{binding},
		ResidualAccess: []string{"all-accounts (Role read-configmaps) through Group system:serviceaccounts:payments"}}
	without := func(change func(*nhi.RevocationRecord)) nhi.RevocationRecord {
		record := *full.DeepCopy()
		change(&record)
		return record
	}
	cases := map[string]struct{ stored, written nhi.RevocationRecord }{
		"residual access gone once the group binding is": {full, without(func(r *nhi.RevocationRecord) { r.ResidualAccess = nil })},
		"every optional field emptied": {full, without(func(r *nhi.RevocationRecord) {
			r.Reason, r.RevokedAt, r.RemovedBindings, r.ResidualAccess = "", nil, nil, nil
		})},
		"a binding added": {full, without(func(r *nhi.RevocationRecord) {
			r.RemovedBindings = append(r.RemovedBindings, nhi.RemovedBinding{Kind: "ClusterRoleBinding", Name: "view", UID: "b-2"})
		})},
		"the same record": {full, full},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			stored, err := json.Marshal(c.stored)
			if err != nil {
				t.Fatal(err)
			}
			whole, err := wholeRecord(&c.written)
			if err != nil {
				t.Fatal(err)
			}
			patch, err := json.Marshal(whole)
			if err != nil {
				t.Fatal(err)
			}
			merged, err := jsonpatch.MergePatch(stored, patch)
			if err != nil {
				t.Fatal(err)
			}
			var got nhi.RevocationRecord
			if err := json.Unmarshal(merged, &got); err != nil {
				t.Fatal(err)
			}
			if !equality.Semantic.DeepEqual(got, c.written) {
				t.Errorf("the stored record after the patch is\n%s\nwant\n%+v", merged, c.written)
			}
		})
	}

	t.Run("no record removes it", func(t *testing.T) {
		whole, err := wholeRecord(nil)
		if err != nil {
			t.Fatal(err)
		}
		patch, _ := json.Marshal(map[string]any{"r-1": whole})
		if string(patch) != `{"r-1":null}` {
			t.Errorf("patch %s, want the record set to null", patch)
		}
	})
}
