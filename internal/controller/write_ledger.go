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

	"github.com/nhi-steward/steward/internal/governance"
)

// writeLedger remembers Steward's own recent metadata patches until the
// cache has caught up with them.
//
// A reconcile may start before the watch event of the previous reconcile's
// patch reaches the cache. Evaluating that stale copy would see the old
// state again, patch again, and record the same transition twice. So until
// the cache shows a newer resourceVersion than the one patched, the patched
// values are overlaid on the cached metadata.
type writeLedger struct {
	mu      sync.Mutex
	entries map[types.UID]ledgerEntry
}

type ledgerEntry struct {
	namespace string
	// staleVersions are the resourceVersions Steward's patches were applied
	// to: a cache still showing one of them has not seen the patches yet.
	staleVersions map[string]bool
	labels        map[string]*string
	annotations   map[string]*string
}

// record notes a successful patch applied to the identity at its
// ResourceVersion. Several patches in a row accumulate.
func (l *writeLedger) record(namespace string, id governance.Identity, labels, annotations map[string]*string) {
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
	maps.Copy(entry.labels, labels)
	maps.Copy(entry.annotations, annotations)
	l.entries[id.UID] = entry
}

// observed is told of each update the cache receives for an identity: once
// the cache holds a version Steward's patches were not applied to, it has
// caught up, and the entry is dropped. Without this, entries would wait for
// the namespace's next evaluation, which a quiet namespace never has.
func (l *writeLedger) observed(uid types.UID, resourceVersion string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if entry, pending := l.entries[uid]; pending && !entry.staleVersions[resourceVersion] {
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
	if !entry.staleVersions[id.ResourceVersion] {
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
