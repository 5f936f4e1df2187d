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
	"time"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

// unused decides the Unused finding of an identity, returning the instant
// its unused clock started (zero while a workload uses it, or when the
// policy does not look for unused identities) and when it became Unused
// (zero when it is not). The clock starts when Steward first saw the
// identity without a user after it last saw one, or first saw it at all:
// Steward cannot know about use before it watched. Legacy token Secrets are
// left to Stale, which the API server's own record of use decides.
func (e *evaluation) unused(id *Identity) (since, due time.Time) {
	unusedAfter := e.durations.unusedAfter
	if unusedAfter == 0 || id.SecretType == legacyTokenType || len(id.Users) > 0 {
		return time.Time{}, time.Time{}
	}
	since = id.Recorded.UnusedSince
	if since.IsZero() || since.After(e.s.Now) {
		since = e.s.Now.Truncate(time.Second)
	}
	at := since.Add(unusedAfter)
	e.at(at)
	if e.s.Now.Before(at) {
		return since, time.Time{}
	}
	return since, at
}

// usageDigest is a short digest of an identity's users, so that the ledger
// can tell when they change without holding them: 6 bytes are plenty to
// tell one identity's successive sets of users apart.
func usageDigest(users []nhi.WorkloadReference) string {
	if len(users) == 0 {
		return ""
	}
	h := sha256.New()
	for _, u := range users {
		h.Write([]byte(u.Kind + "/" + u.Name + "\n"))
	}
	return hex.EncodeToString(h.Sum(nil)[:6])
}
