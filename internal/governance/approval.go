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
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

// An approval covers what was approved. Steward records, in the
// ownership's status (which only it writes), a digest of the approval and
// of the fields it covers when it first sees the approval. If the covered
// fields change under the same approval, the ownership is Unapproved until
// the approver records a new one. The admission policy makes sure the
// approver is the one who records it; this record makes the controller
// safe without it too.

// approvalRecord is the record the ownership's status must hold: the one it
// holds while the approval is unchanged, a new one otherwise. content is
// the ownership's contentDigest, which the caller needs too (it is the
// costliest part of reading an ownership: an ownership may name thousands
// of identities). The one it holds is returned as a copy: a Result shares
// no memory with the Snapshot's objects (see Snapshot).
func approvalRecord(o *nhi.IdentityOwnership, content string, now time.Time) *nhi.ApprovalRecord {
	approval := digest(o.Spec.Approval)
	if rec := o.Status.ApprovalRecord; rec != nil && rec.ApprovalDigest == approval {
		return rec.DeepCopy()
	}
	return &nhi.ApprovalRecord{ApprovalDigest: approval, ContentDigest: content,
		FirstSeen: metav1.NewTime(now.Truncate(time.Second))}
}

// contentDigest covers what an approval vouches for.
func contentDigest(o *nhi.IdentityOwnership) string {
	return digest(struct {
		Identities []nhi.IdentityReference `json:"identities"`
		Selector   *nhi.IdentitySelector   `json:"selector"`
		Owner      nhi.Owner               `json:"owner"`
		ExpiresAt  metav1.Time             `json:"expiresAt"`
	}{o.Spec.Identities, o.Spec.Selector, o.Spec.Owner, o.Spec.ExpiresAt})
}

// digest is the SHA-256 of a value's JSON (map keys sorted, so stable).
func digest(v any) string {
	data, _ := json.Marshal(v)
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
