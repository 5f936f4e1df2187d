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
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/types"
)

// DefaultStatusBatchPeriod is how long the rows and count of an ownership's
// status, and a policy's totals, may lag behind the identities while they
// keep changing.
const DefaultStatusBatchPeriod = 5 * time.Second

// statusBatchSweepAt is how many remembered writes make the batch forget
// the ones older than its period: it remembers only recent writes, so
// ownerships deleted long ago leave nothing behind.
const statusBatchSweepAt = 1024

// statusBatch spaces out the status writes that only refresh an object's
// summary: an ownership's identity rows and count, which change with every
// identity created in its cover, and a policy's totals and first
// violations (onlyTotalsChange), which change with every namespace's pass.
// A namespace that gains identities without pause would otherwise rewrite
// the ownership's status, up to 1,024 rows that the API server decodes,
// validates and stores whole, in every pass, between the pass's decision
// and its identities' patches. The first such
// write goes at once; later ones at most once per period, the last of a
// burst when the period ends (the reconcile requeues itself for it).
//
// A write that carries anything else, a listed identity's new state or
// findings, a condition, history, the observed generation or an approval
// record, is urgent (onlyRowsComeAndGo): it goes at once, with the
// rows, and before the identities carry their new state. Only derived
// facts ever wait, never evidence that a later pass could not recompute:
// the rows are evaluated afresh from the cluster and the ledger in every
// pass, so a restart loses nothing.
type statusBatch struct {
	period time.Duration

	mu    sync.Mutex
	last  map[types.UID]time.Time // when each object's status was last written
	swept time.Time
}

func newStatusBatch(period time.Duration) *statusBatch {
	return &statusBatch{period: period, last: map[types.UID]time.Time{}}
}

// due reports whether a status write of the object may go at now; when it
// may not, the time it may. Urgent writes, and every write when the batch
// is nil or its period is not positive, may always go.
func (b *statusBatch) due(uid types.UID, now time.Time, urgent bool) (bool, time.Time) {
	if b == nil || b.period <= 0 || urgent {
		return true, time.Time{}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	last, ok := b.last[uid]
	if !ok || now.Sub(last) >= b.period {
		return true, time.Time{}
	}
	return false, last.Add(b.period)
}

// wrote records that the object's status was written at now.
func (b *statusBatch) wrote(uid types.UID, now time.Time) {
	if b == nil || b.period <= 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.last[uid] = now
	if len(b.last) < statusBatchSweepAt || now.Sub(b.swept) < b.period {
		return
	}
	for id, at := range b.last {
		if now.Sub(at) >= b.period {
			delete(b.last, id)
		}
	}
	b.swept = now
}
