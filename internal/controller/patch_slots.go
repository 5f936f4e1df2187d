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
	"context"

	"golang.org/x/sync/semaphore"
)

// PatchSlots bound the identity patches in flight across every namespace's
// reconcile. The bound is --max-concurrent-reconciles: Steward then sends
// no more requests at once than it has workers, whether one namespace holds
// every identity or each holds a few.
type PatchSlots struct {
	limit int
	slots *semaphore.Weighted
}

// NewPatchSlots allows limit patches at once (at least one).
func NewPatchSlots(limit int) *PatchSlots {
	limit = max(limit, 1)
	return &PatchSlots{limit: limit, slots: semaphore.NewWeighted(int64(limit))}
}

// Limit is how many patches may be in flight at once.
func (p *PatchSlots) Limit() int { return p.limit }

// Acquire waits for a slot, and returns the function that frees it.
func (p *PatchSlots) Acquire(ctx context.Context) (release func(), err error) {
	if err := p.slots.Acquire(ctx, 1); err != nil {
		return nil, err
	}
	return func() { p.slots.Release(1) }, nil
}
