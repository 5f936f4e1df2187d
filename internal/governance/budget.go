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
	"cmp"
	"slices"
	"strings"
)

// allocateRevocations spends the namespace's revocation budget on the
// revocations due: those already in progress finish (their slot is
// spent), then new ones start, the longest overdue first, while slots
// remain. The rest are halted: reported like a DryRun revocation, and
// retried when a slot frees up.
func (e *evaluation) allocateRevocations(identities []IdentityResult) {
	var due []*IdentityResult
	for i := range identities {
		r := &identities[i]
		if r.Action == ActionRevoke && !r.Identity.Recorded.RevocationInProgress {
			due = append(due, r)
		}
	}
	slices.SortFunc(due, func(a, b *IdentityResult) int {
		if c := a.RevokeAt.Compare(b.RevokeAt); c != 0 {
			return c
		}
		return cmp.Or(strings.Compare(string(a.Identity.Kind), string(b.Identity.Kind)),
			strings.Compare(a.Identity.Name, b.Identity.Name))
	})
	remaining := e.s.Budget.Remaining
	for _, r := range due {
		if remaining > 0 {
			remaining--
			continue
		}
		r.Action, r.Halted = ActionWouldRevoke, true
		e.at(e.s.Budget.FreesAt)
	}
}
