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
	"time"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

// MarkRevoked turns an identity whose revocation was just committed at the
// given instant into the result the next evaluation gives for it (state
// Revoked since then, no action due), so that the ledger and the identity's
// annotations are written once, in their final form.
func MarkRevoked(r *IdentityResult, at time.Time, removedBindings string) {
	at = at.Truncate(time.Second)
	r.Identity.Recorded.Revoked, r.Identity.Recorded.RevokedAt = true, at
	r.Identity.Recorded.RemovedBindings = removedBindings
	r.State, r.Action, r.ActionReason, r.Since = nhi.StateRevoked, ActionNone, "", at
	r.Warnings, r.Warning = nil, nil
	r.Record = Record{State: nhi.StateRevoked, Since: at, UnusedSince: r.Record.UnusedSince, UsageDigest: r.Record.UsageDigest}
	finish(r, nil)
}
