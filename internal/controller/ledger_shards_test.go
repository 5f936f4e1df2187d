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
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
	"unsafe"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/governance"
)

// shardedResult is an evaluation of identities uid-0…uid-(n-1), all
// governed and Unowned since the given instant.
func shardedResult(uids []string, since time.Time) *governance.Result {
	result := &governance.Result{}
	for _, uid := range uids {
		result.Identities = append(result.Identities, governance.IdentityResult{
			Identity: &governance.Identity{UID: types.UID(uid)}, Governed: true,
			Record: governance.Record{State: nhi.StateUnowned, Since: since},
		})
	}
	return result
}

func uids(from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, fmt.Sprintf("uid-%d", i))
	}
	return out
}

// applyLedgerChanges does to in-memory ledgers what PatchNamespace's merge
// patches do on the server.
func applyLedgerChanges(set *namespaceLedgers, changes []LedgerChanges) {
	for k, c := range changes {
		if k >= len(set.shards) {
			set.shards = append(set.shards, &nhi.Ledger{})
		}
		status := &set.shards[k].Status
		if status.Identities == nil {
			status.Identities = map[string]string{}
		}
		for uid, v := range c.Identities {
			if v == nil {
				delete(status.Identities, uid)
			} else {
				status.Identities[uid] = *v
			}
		}
		if c.Shards != nil {
			status.Shards = *c.Shards
		}
	}
}

func shardSizes(set *namespaceLedgers) []int {
	sizes := make([]int, 0, len(set.shards))
	for _, shard := range set.shards {
		sizes = append(sizes, len(shard.Status.Identities))
	}
	return sizes
}

func TestLedgerShards(t *testing.T) {
	const capacity = 3
	since := time.Unix(1_800_000_000, 0)
	set := &namespaceLedgers{shards: []*nhi.Ledger{{}}}

	t.Run("a namespace larger than one ledger continues in shards, counted on the first", func(t *testing.T) {
		changes := recordChanges(set, shardedResult(uids(0, 7), since), capacity)
		applyLedgerChanges(set, changes)
		if got := shardSizes(set); !slices.Equal(got, []int{3, 3, 1}) {
			t.Fatalf("shard sizes %v, want [3 3 1]", got)
		}
		if set.base().Status.Shards != 2 {
			t.Errorf("shards = %d, want 2", set.base().Status.Shards)
		}
		for _, uid := range uids(0, 7) {
			if rec := recorded(set, types.UID(uid)); rec.State != nhi.StateUnowned || !rec.Since.Equal(since) {
				t.Errorf("record of %s = %+v, want Unowned since %s", uid, rec, since)
			}
		}
	})

	t.Run("the same evaluation again writes nothing", func(t *testing.T) {
		for k, c := range recordChanges(set, shardedResult(uids(0, 7), since), capacity) {
			if !c.Empty() {
				t.Errorf("shard %d changes %v", k, c.Identities)
			}
		}
	})

	t.Run("entries stay where they are; new ones fill the first room", func(t *testing.T) {
		before := map[string]int{}
		for _, uid := range uids(2, 7) {
			before[uid] = set.holder(uid)
		}
		// uid-0 and uid-1 are gone; uid-7…uid-9 are new.
		applyLedgerChanges(set, recordChanges(set, shardedResult(uids(2, 10), since), capacity))
		for uid, k := range before {
			if set.holder(uid) != k {
				t.Errorf("%s moved from shard %d to %d", uid, k, set.holder(uid))
			}
		}
		if got := shardSizes(set); !slices.Equal(got, []int{3, 3, 2}) {
			t.Errorf("shard sizes %v, want [3 3 2]: two new entries in shard 0's room, one in shard 2", got)
		}
		if set.base().Status.Shards != 2 {
			t.Errorf("shards = %d, want still 2", set.base().Status.Shards)
		}
	})

	t.Run("a second copy a crash left in a later shard is removed; the first is read", func(t *testing.T) {
		first := set.holder("uid-2")
		later := &set.shards[len(set.shards)-1].Status
		later.Identities["uid-2"] = governance.EncodeRecord(governance.Record{State: nhi.StateOwned, Since: since})
		if rec := recorded(set, "uid-2"); rec.State != nhi.StateUnowned {
			t.Errorf("read %s from the later copy", rec.State)
		}
		changes := recordChanges(set, shardedResult(uids(2, 10), since), capacity)
		last := len(set.shards) - 1
		if v, ok := changes[last].Identities["uid-2"]; !ok || v != nil {
			t.Errorf("the later copy is not removed: %v", changes[last].Identities)
		}
		if _, ok := changes[first].Identities["uid-2"]; ok {
			t.Errorf("the first copy is rewritten")
		}
	})

	t.Run("identities no longer governed lose their entries wherever they are", func(t *testing.T) {
		result := shardedResult(uids(2, 10), since)
		for i := range result.Identities {
			result.Identities[i].Governed = false
		}
		applyLedgerChanges(set, recordChanges(set, result, capacity))
		for k, shard := range set.shards {
			if len(shard.Status.Identities) != 0 {
				t.Errorf("shard %d still holds %v", k, slices.Collect(maps.Keys(shard.Status.Identities)))
			}
		}
		if set.base().Status.Shards != 2 {
			t.Errorf("shards = %d: a shard is never uncounted, so no record is ever out of sight", set.base().Status.Shards)
		}
	})
}

// An API server whose Ledger CRD predates status.shards prunes the count:
// the shards written would be out of sight of the next read. PatchNamespace
// says so, by name, and forgets its copy of the namespace's ledger.
func TestPatchNamespaceRefusesACRDThatDropsTheShardCount(t *testing.T) {
	s := runtime.NewScheme()
	if err := nhi.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	oldCRD := interceptor.Funcs{
		SubResourcePatch: func(ctx context.Context, c client.Client, sub string, obj client.Object, patch client.Patch,
			opts ...client.SubResourcePatchOption) error {
			if err := c.SubResource(sub).Patch(ctx, obj, patch, opts...); err != nil {
				return err
			}
			ledger := obj.(*nhi.Ledger)
			ledger.Status.Shards = 0 // pruned: the old schema has no such field
			return c.Status().Update(ctx, ledger)
		},
	}
	c := fake.NewClientBuilder().WithScheme(s).WithStatusSubresource(&nhi.Ledger{}).WithInterceptorFuncs(oldCRD).Build()
	ledgers := &Ledgers{Reader: c, Writer: c, Namespace: "steward-system", Capacity: 3}
	ctx := context.Background()

	set, err := ledgers.OfNamespace(ctx, "payments")
	if err != nil {
		t.Fatal(err)
	}
	err = ledgers.PatchNamespace(ctx, set, recordChanges(set, shardedResult(uids(0, 7), time.Unix(1_800_000_000, 0)), 3))
	if err == nil || !strings.Contains(err.Error(), "did not keep status.shards=2") ||
		!strings.Contains(err.Error(), "apply config/crd") {
		t.Fatalf("error %v, want one naming status.shards and config/crd", err)
	}
	ledgers.mu.Lock()
	_, remembered := ledgers.latest[namespaceLedgerName("payments")]
	ledgers.mu.Unlock()
	if remembered {
		t.Error("the ledger that lost its count is still remembered: the next reconcile would not read it again")
	}
}

func TestRememberedLedgersCarryNoManagedFields(t *testing.T) {
	ledgers := &Ledgers{Namespace: "steward-system"}
	written := &nhi.Ledger{}
	written.Namespace, written.Name, written.ResourceVersion = "steward-system", "ns.apps", "7"
	written.ManagedFields = []metav1.ManagedFieldsEntry{{Manager: "steward", Operation: metav1.ManagedFieldsOperationUpdate}}
	written.Status.Identities = map[string]string{"uid-1": "Owned@1"}
	ledgers.remember(written)

	latest, err := ledgers.Latest(context.Background(), "ns.apps")
	if err != nil {
		t.Fatal(err)
	}
	if latest.ManagedFields != nil {
		t.Errorf("the remembered ledger keeps its managedFields: %v", latest.ManagedFields)
	}
	if latest.Status.Identities["uid-1"] != "Owned@1" || latest.ResourceVersion != "7" {
		t.Errorf("the remembered ledger lost its records: %+v", latest)
	}
	if len(written.ManagedFields) != 1 {
		t.Error("remember changed the ledger it was given")
	}
}

// The ledgers kept in memory hold one string for each distinct value, not
// one per entry, and every entry as it was written.
func TestRememberedLedgersShareEqualValues(t *testing.T) {
	ledgers := &Ledgers{Namespace: "steward-system"}
	written := &nhi.Ledger{}
	written.Namespace, written.Name, written.ResourceVersion = "steward-system", "ns.apps", "7"
	written.Status.Identities = map[string]string{}
	for i := range 100 {
		// Built at run time, as a decoder builds them: each its own string.
		written.Status.Identities[fmt.Sprintf("uid-%d", i)] = fmt.Sprintf("%s@%d", []string{"Owned", "Unowned"}[i%2], 1765150000)
	}
	want := maps.Clone(written.Status.Identities)
	ledgers.remember(written)

	kept := ledgers.latest["ns.apps"].Status.Identities
	if !maps.Equal(kept, want) {
		t.Fatal("the remembered ledger's entries differ from those written")
	}
	distinct := map[*byte]bool{}
	for _, value := range kept {
		distinct[unsafe.StringData(value)] = true
	}
	if len(distinct) != 2 {
		t.Errorf("the 100 entries hold %d strings for their 2 distinct values", len(distinct))
	}
}
