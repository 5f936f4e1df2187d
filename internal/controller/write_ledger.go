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
	"maps"
	"sync"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/resourceversion"

	"github.com/nhi-steward/steward/internal/governance"
)

// writeLedger remembers Steward's own recent metadata patches until the
// cache has caught up with them.
//
// A reconcile may start before the watch event of the previous reconcile's
// patch reaches the cache. Evaluating that stale copy would see the old
// state again, patch again, and record the same transition twice. So until
// the cache holds the version Steward's last patch produced, or a later one,
// the patched values are overlaid on the cached metadata.
type writeLedger struct {
	mu      sync.Mutex
	entries map[types.UID]ledgerEntry
}

type ledgerEntry struct {
	namespace string
	// written is the resourceVersion Steward's latest patch produced: a
	// cache holding it, or a later version, has seen every patch.
	written string
	// staleVersions are the versions Steward's patches were applied to and
	// produced before the latest: the fallback when resourceVersions do not
	// compare (they are etcd revisions, comparable since KEP-5504, but an
	// aggregated or unusual storage may not give integers).
	staleVersions map[string]bool
	labels        map[string]*string
	annotations   map[string]*string
}

// record notes a successful patch applied to the identity as read at its
// ResourceVersion, which produced the version written. Several patches in a
// row accumulate.
func (l *writeLedger) record(namespace string, id governance.Identity, written string, labels, annotations map[string]*string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.entries == nil {
		l.entries = map[types.UID]ledgerEntry{}
	}
	entry, pending := l.entries[id.UID]
	if !pending {
		entry = ledgerEntry{namespace: namespace, staleVersions: map[string]bool{},
			labels: map[string]*string{}, annotations: map[string]*string{}}
	}
	entry.staleVersions[id.ResourceVersion] = true
	if entry.written != "" {
		entry.staleVersions[entry.written] = true
	}
	entry.written = written
	maps.Copy(entry.labels, labels)
	maps.Copy(entry.annotations, annotations)
	l.entries[id.UID] = entry
}

// caughtUp says whether a cache holding resourceVersion has seen every
// patch of the entry.
func (e ledgerEntry) caughtUp(resourceVersion string) bool {
	if cmp, err := resourceversion.CompareResourceVersion(resourceVersion, e.written); err == nil {
		return cmp >= 0
	}
	return resourceVersion == e.written || !e.staleVersions[resourceVersion]
}

// observed is told of each version of an identity the cache holds: once
// it has caught up, the entry is dropped. Without this, entries would wait
// for the namespace's next evaluation, which a quiet namespace never has.
func (l *writeLedger) observed(uid types.UID, resourceVersion string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if entry, pending := l.entries[uid]; pending && entry.caughtUp(resourceVersion) {
		delete(l.entries, uid)
	}
}

// overlayAll applies pending patches to a namespace's identities and forgets
// the entries of identities that no longer exist.
func (l *writeLedger) overlayAll(namespace string, identities []governance.Identity) {
	seen := make(map[types.UID]bool, len(identities))
	for i := range identities {
		seen[identities[i].UID] = true
		l.overlay(&identities[i])
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for uid, entry := range l.entries {
		if entry.namespace == namespace && !seen[uid] {
			delete(l.entries, uid)
		}
	}
}

// overlay applies pending patches to an identity read from a cache that has
// not caught up yet, and forgets those the cache has seen.
func (l *writeLedger) overlay(id *governance.Identity) {
	l.mu.Lock()
	defer l.mu.Unlock()
	entry, pending := l.entries[id.UID]
	if !pending {
		return
	}
	if entry.caughtUp(id.ResourceVersion) {
		delete(l.entries, id.UID)
		return
	}
	id.Labels = applyChanges(id.Labels, entry.labels)
	id.Annotations = applyChanges(id.Annotations, entry.annotations)
}

func applyChanges(current map[string]string, changes map[string]*string) map[string]string {
	out := maps.Clone(current)
	if out == nil {
		out = map[string]string{}
	}
	for k, v := range changes {
		if v == nil {
			delete(out, k)
		} else {
			out[k] = *v
		}
	}
	return out
}
