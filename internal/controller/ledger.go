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
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/resourceversion"
	"sigs.k8s.io/controller-runtime/pkg/client"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

// +kubebuilder:rbac:groups=nhi.steward.dev,namespace=steward-system,resources=ledgers,verbs=get;create
// +kubebuilder:rbac:groups=nhi.steward.dev,namespace=steward-system,resources=ledgers/status,verbs=get;patch;update

// Ledgers reads and writes Steward's own records (docs/security.md): the
// Ledger objects in Steward's namespace, through their status subresource.
// They are read from the API server, never from an informer's cache, and
// from Steward's namespace only: a Ledger anywhere else is nobody's record.
//
// Namespace ledgers are also remembered as last read or written: only the
// leader writes them (the admission policies refuse anyone else), so the
// copy a successful write returned is the latest, and a reconcile needs no
// read. A failed write forgets the copy, so the next reconcile reads the
// ledger again (an administrator may have deleted it).
type Ledgers struct {
	Reader    client.Reader
	Writer    client.Client
	Namespace string
	// Capacity is how many identity entries one namespace ledger or shard
	// holds; 0 means nhi.LedgerCapacity.
	Capacity int

	mu     sync.Mutex
	latest map[string]*nhi.Ledger
}

// Latest returns a namespace ledger as last written, reading it only when
// this process has not seen it yet.
func (l *Ledgers) Latest(ctx context.Context, name string) (*nhi.Ledger, error) {
	l.mu.Lock()
	known := l.latest[name]
	l.mu.Unlock()
	if known != nil {
		return known.DeepCopy(), nil
	}
	ledger, err := l.Get(ctx, name)
	if err == nil {
		// A ledger not created yet is remembered too: only this process
		// creates it, and then remembers what it created.
		l.remember(ledger)
	}
	return ledger, err
}

// remember keeps a ledger as read or written, unless a later version of it
// is known already (concurrent writers of one policy's budget may finish
// out of order).
func (l *Ledgers) remember(ledger *nhi.Ledger) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.latest == nil {
		l.latest = map[string]*nhi.Ledger{}
	}
	if known := l.latest[ledger.Name]; known != nil && known.ResourceVersion != "" {
		if cmp, err := resourceversion.CompareResourceVersion(known.ResourceVersion, ledger.ResourceVersion); err == nil && cmp > 0 {
			return
		}
	}
	kept := ledger.DeepCopy()
	// Steward never reads a ledger's managedFields, and an old ledger's,
	// written before its maps were atomic, name every entry.
	kept.ManagedFields = nil
	shareEqualValues(kept.Status.Identities)
	l.latest[ledger.Name] = kept
}

// shareEqualValues makes the equal values of a ledger's entries one string.
// Decoded, every "State@unixSeconds" is a string of its own, though most of
// a namespace's identities entered their state in the same second; the
// ledgers kept hold an entry for every identity of the cluster.
func shareEqualValues(entries map[string]string) {
	seen := make(map[string]string, 16)
	for uid, value := range entries {
		if shared, ok := seen[value]; ok {
			entries[uid] = shared
		} else if len(seen) < 4096 {
			seen[value] = value
		}
	}
}

func (l *Ledgers) forget(name string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.latest, name)
}

// Get returns the ledger of that name; an empty one, not yet created, when
// there is none.
func (l *Ledgers) Get(ctx context.Context, name string) (*nhi.Ledger, error) {
	ledger := &nhi.Ledger{}
	err := l.Reader.Get(ctx, types.NamespacedName{Namespace: l.Namespace, Name: name}, ledger)
	if apierrors.IsNotFound(err) {
		ledger = &nhi.Ledger{}
		ledger.Namespace, ledger.Name = l.Namespace, name
		return ledger, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading ledger %s/%s: %w", l.Namespace, name, err)
	}
	return ledger, nil
}

// LedgerChanges are the entries a patch sets (non-nil) or removes (nil).
type LedgerChanges struct {
	Identities  map[string]*string
	Revocations map[string]*nhi.RevocationRecord
	// Shards, when set, is the namespace ledger's new count of shards.
	Shards *int32
}

// Empty reports whether there is nothing to write.
func (c *LedgerChanges) Empty() bool {
	return len(c.Identities) == 0 && len(c.Revocations) == 0 && c.Shards == nil
}

// Patch writes changes to a ledger's status, creating the ledger first if
// it does not exist yet, and keeps the in-memory copy current.
func (l *Ledgers) Patch(ctx context.Context, ledger *nhi.Ledger, changes LedgerChanges) error {
	if changes.Empty() {
		return nil
	}
	if err := l.Create(ctx, ledger); err != nil {
		return err
	}
	status := map[string]any{}
	if len(changes.Identities) > 0 {
		status["identities"] = changes.Identities
	}
	if len(changes.Revocations) > 0 {
		revocations := make(map[string]any, len(changes.Revocations))
		for uid, record := range changes.Revocations {
			whole, err := wholeRecord(record)
			if err != nil {
				return err
			}
			revocations[uid] = whole
		}
		status["revocations"] = revocations
	}
	if changes.Shards != nil {
		status["shards"] = *changes.Shards
	}
	patch, err := json.Marshal(map[string]any{"status": status})
	if err != nil {
		return err
	}
	patched := &nhi.Ledger{}
	patched.Namespace, patched.Name = ledger.Namespace, ledger.Name
	if err := l.Writer.Status().Patch(ctx, patched, client.RawPatch(types.MergePatchType, patch)); err != nil {
		l.forget(ledger.Name)
		return fmt.Errorf("writing ledger %s/%s: %w", ledger.Namespace, ledger.Name, err)
	}
	*ledger = *patched
	if strings.HasPrefix(ledger.Name, nhi.LedgerPrefixNamespace) {
		l.remember(ledger)
	}
	return nil
}

// Create creates a ledger not yet created (its status comes later, through
// the status subresource); a ledger that exists is left as it is.
func (l *Ledgers) Create(ctx context.Context, ledger *nhi.Ledger) error {
	if ledger.ResourceVersion != "" {
		return nil
	}
	fresh := &nhi.Ledger{}
	fresh.Namespace, fresh.Name = ledger.Namespace, ledger.Name
	fresh.Labels = map[string]string{"app.kubernetes.io/managed-by": "steward"}
	err := l.Writer.Create(ctx, fresh)
	if apierrors.IsAlreadyExists(err) {
		existing, err := l.Get(ctx, ledger.Name)
		if err != nil {
			return err
		}
		*ledger = *existing
		return nil
	}
	if err != nil {
		return fmt.Errorf("creating ledger %s/%s: %w", ledger.Namespace, ledger.Name, err)
	}
	fresh.Status = ledger.Status
	*ledger = *fresh
	return nil
}

// PutRevocation records one revocation's progress before Steward acts on it.
func (l *Ledgers) PutRevocation(ctx context.Context, ledger *nhi.Ledger, uid types.UID, record *nhi.RevocationRecord) error {
	return l.Patch(ctx, ledger, LedgerChanges{Revocations: map[string]*nhi.RevocationRecord{string(uid): record}})
}

// wholeRecord is a revocation record as a JSON merge patch that replaces
// the record on the server whole, or nil, which removes it. A merge patch
// merges objects field by field: a field left out because it became empty
// (omitempty: the residual access once the group binding is gone) would
// keep its old value, and the evidence would say what is no longer true.
// So every field the record leaves out is sent as null.
func wholeRecord(record *nhi.RevocationRecord) (map[string]any, error) {
	if record == nil {
		return nil, nil
	}
	raw, err := json.Marshal(record)
	if err != nil {
		return nil, err
	}
	fields := map[string]any{}
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil, err
	}
	for _, name := range revocationRecordFields {
		if _, set := fields[name]; !set {
			fields[name] = nil
		}
	}
	return fields, nil
}

// revocationRecordFields are the JSON names of a revocation record's
// fields, read from the type so that a field added later is covered too.
var revocationRecordFields = func() []string {
	t := reflect.TypeFor[nhi.RevocationRecord]()
	names := make([]string, 0, t.NumField())
	for field := range t.Fields() {
		if name, _, _ := strings.Cut(field.Tag.Get("json"), ","); name != "" && name != "-" {
			names = append(names, name)
		}
	}
	return names
}()

// namespaceLedgerName is the name of a governed namespace's ledger.
func namespaceLedgerName(namespace string) string { return nhi.LedgerPrefixNamespace + namespace }

// policyLedgerName is the name of a policy's revocation-budget ledger.
func policyLedgerName(policy string) string { return nhi.LedgerPrefixPolicy + policy }

// describeBindings is the people's copy of a removed-bindings record.
func describeBindings(bindings []nhi.RemovedBinding) string {
	return strings.Join(bindingStrings(bindings), ", ")
}
