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
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/types"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/governance"
)

// namespaceLedgers are a namespace's ledger and its shards, as read for one
// reconcile. One Ledger object holds at most nhi.LedgerCapacity identity
// entries, so that a namespace of any size has its records under etcd's
// limit on an object. The first ledger holds the revocation records and the
// number of shards; an entry stays in the shard it was first written to,
// and new entries go to the first shard with room.
type namespaceLedgers struct {
	// shards[0] is the namespace's ledger, shards[k] its shard k.
	shards []*nhi.Ledger
}

// base is the namespace's ledger, which holds the revocation records.
func (n *namespaceLedgers) base() *nhi.Ledger { return n.shards[0] }

// holder is the shard holding an identity's entry: the first one, should
// a crash have left it in two (see recordChanges); -1 when none does.
func (n *namespaceLedgers) holder(uid string) int {
	for k, shard := range n.shards {
		if _, ok := shard.Status.Identities[uid]; ok {
			return k
		}
	}
	return -1
}

// capacity is how many identity entries one ledger holds.
func (l *Ledgers) capacity() int {
	if l.Capacity > 0 {
		return l.Capacity
	}
	return nhi.LedgerCapacity
}

// shardName is the name of a namespace ledger's shard k (k ≥ 1).
func shardName(ledger string, k int) string { return fmt.Sprintf("%s.%d", ledger, k) }

// OfNamespace reads a namespace's ledger and every shard it counts.
func (l *Ledgers) OfNamespace(ctx context.Context, namespace string) (*namespaceLedgers, error) {
	base, err := l.Latest(ctx, namespaceLedgerName(namespace))
	if err != nil {
		return nil, err
	}
	set := &namespaceLedgers{shards: []*nhi.Ledger{base}}
	for k := 1; k <= int(base.Status.Shards); k++ {
		shard, err := l.Latest(ctx, shardName(base.Name, k))
		if err != nil {
			return nil, err
		}
		set.shards = append(set.shards, shard)
	}
	return set, nil
}

// PatchNamespace writes one reconcile's changes, one patch per shard that
// changes: the shards first, then the namespace's ledger, which counts
// them. A crash in between leaves a new shard uncounted; it holds only
// entries of identities first seen in that reconcile, which the next
// reconcile records again.
func (l *Ledgers) PatchNamespace(ctx context.Context, set *namespaceLedgers, changes []LedgerChanges) error {
	for k := len(set.shards); k < len(changes); k++ {
		shard := &nhi.Ledger{}
		shard.Namespace, shard.Name = l.Namespace, shardName(set.base().Name, k)
		set.shards = append(set.shards, shard)
	}
	for k, c := range slices.Backward(changes) {
		if err := l.Patch(ctx, set.shards[k], c); err != nil {
			return err
		}
	}
	if want := changes[0].Shards; want != nil && set.base().Status.Shards != *want {
		// An API server with an older Ledger CRD drops the count: the new
		// shards would be out of sight, and their records lost.
		l.forget(set.base().Name)
		return fmt.Errorf("ledger %s/%s did not keep status.shards=%d: the Ledger CRD is older than this manager; "+
			"apply config/crd", l.Namespace, set.base().Name, *want)
	}
	return nil
}

// forgetNamespace drops the remembered copies of a namespace's ledger and
// its shards.
func (l *Ledgers) forgetNamespace(namespace string) {
	name := namespaceLedgerName(namespace)
	l.mu.Lock()
	defer l.mu.Unlock()
	for known := range l.latest {
		if known == name || strings.HasPrefix(known, name+".") {
			delete(l.latest, known)
		}
	}
}

// recorded is the ledgers' record of one identity.
func recorded(set *namespaceLedgers, uid types.UID) governance.Record {
	var rec governance.Record
	if k := set.holder(string(uid)); k >= 0 {
		if decoded, ok := governance.DecodeRecord(set.shards[k].Status.Identities[string(uid)]); ok {
			rec = decoded
		}
	}
	if rev, found := set.base().Status.Revocations[string(uid)]; found {
		rec.RevocationInProgress = rev.RevokedAt == nil
		if rev.RevokedAt != nil {
			rec.Revoked, rec.RevokedAt = true, rev.RevokedAt.Time
			rec.RemovedBindings = describeBindings(rev.RemovedBindings)
		}
	}
	return rec
}

// recordChanges are the entries that bring the ledgers to the evaluation,
// one LedgerChanges per shard (more than there are shards when new ones are
// needed): every governed identity's record, in the shard holding it or,
// for an identity with none yet, the first shard with room. Entries of
// identities gone or no longer governed are removed, as are their finished
// revocation records, and any second copy of an entry that a crash left in
// a later shard.
func recordChanges(set *namespaceLedgers, result *governance.Result, capacity int) []LedgerChanges {
	changes := make([]LedgerChanges, len(set.shards))
	size := make([]int, len(set.shards))
	for k, shard := range set.shards {
		changes[k] = LedgerChanges{Identities: map[string]*string{}}
		size[k] = len(shard.Status.Identities)
	}
	changes[0].Revocations = map[string]*nhi.RevocationRecord{}
	present := make(map[string]bool, len(result.Identities))
	var placed []string // governed identities with no entry yet
	wanted := map[string]string{}
	for i := range result.Identities {
		id := &result.Identities[i]
		uid := string(id.Identity.UID)
		present[uid] = true
		k := set.holder(uid)
		switch {
		case !id.Governed && k >= 0:
			changes[k].Identities[uid] = nil
			size[k]--
		case !id.Governed:
		case k >= 0:
			if want := governance.EncodeRecord(id.Record); set.shards[k].Status.Identities[uid] != want {
				changes[k].Identities[uid] = &want
			}
		default:
			placed = append(placed, uid)
			wanted[uid] = governance.EncodeRecord(id.Record)
		}
	}
	for k, shard := range set.shards {
		for uid := range shard.Status.Identities {
			if !present[uid] || set.holder(uid) != k {
				changes[k].Identities[uid] = nil
				size[k]--
			}
		}
	}
	for uid := range set.base().Status.Revocations {
		if !present[uid] {
			changes[0].Revocations[uid] = nil
		}
	}
	k := 0
	for _, uid := range placed {
		for k < len(size) && size[k] >= capacity {
			k++
		}
		if k == len(size) {
			changes = append(changes, LedgerChanges{Identities: map[string]*string{}})
			size = append(size, 0)
		}
		want := wanted[uid]
		changes[k].Identities[uid] = &want
		size[k]++
	}
	if shards := int32(len(changes) - 1); shards > set.base().Status.Shards {
		changes[0].Shards = &shards
	}
	return changes
}
