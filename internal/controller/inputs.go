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
	"cmp"
	"context"
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/governance"
	"github.com/nhi-steward/steward/internal/usage"
)

type reconcileRequest = reconcile.Request

// DirectoryLabel marks the ConfigMaps Steward may read as owner
// directories. Only ConfigMaps carrying it are cached.
const DirectoryLabel = "steward.dev/owner-directory"

var serviceAccountTypeMeta = metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"}

func identityFromMeta(obj *metav1.ObjectMeta, secretType string) governance.Identity {
	kind := nhi.KindServiceAccount
	if secretType != "" {
		kind = nhi.KindSecret
	}
	return governance.Identity{
		Kind: kind, Name: obj.Name, UID: obj.UID, ResourceVersion: obj.ResourceVersion,
		Labels: obj.Labels, Annotations: obj.Annotations, SecretType: secretType, Created: obj.CreationTimestamp.Time,
	}
}

// namespaceInputs is what one reconcile reads from the cache.
type namespaceInputs struct {
	snapshot governance.Snapshot
	// ledgers are the namespace's ledger and its shards: Steward's own
	// records, which the snapshot's identities carry as Recorded; the
	// revocation records are on the first (base).
	ledgers     *namespaceLedgers
	conflicting []*nhi.OwnershipPolicy
}

// readInputs reads everything Evaluate needs about a namespace. Any read
// failure is returned: Steward never acts on a partial view. It returns nil
// when the namespace no longer exists.
func (r *NamespaceReconciler) readInputs(ctx context.Context, namespace string) (*namespaceInputs, error) {
	ns := &metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"}}
	if err := r.Get(ctx, types.NamespacedName{Name: namespace}, ns); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("reading namespace: %w", err)
	}
	in := &namespaceInputs{snapshot: governance.Snapshot{Namespace: namespace, Now: r.Clock.Now()}}
	var err error

	policies := &nhi.OwnershipPolicyList{}
	if err := r.List(ctx, policies); err != nil {
		return nil, fmt.Errorf("listing policies: %w", err)
	}
	policy, conflicting := governance.GoverningPolicy(policies.Items, namespace, ns.Labels, r.StewardNamespace)
	in.snapshot.Policy, in.conflicting = policy, conflicting
	if policy != nil && policy.Spec.Enforcement == nhi.EnforcementEnforce && r.Budget != nil {
		if in.snapshot.Budget, err = r.Budget.Available(ctx, policy, namespace); err != nil {
			return nil, err
		}
	}

	// ServiceAccounts are cached typed but stripped (usage.StripServiceAccount):
	// the metadata Steward reads, and the Secrets they reference.
	sas, err := r.serviceAccounts(ctx, namespace)
	if err != nil {
		return nil, fmt.Errorf("listing service accounts: %w", err)
	}
	var secretTypes []string
	if policy != nil {
		secretTypes = governance.SecretTypes(policy)
	}
	if err := r.Secrets.Ensure(ctx, secretTypes); err != nil {
		return nil, err
	}
	secrets, err := r.Secrets.List(ctx, namespace, secretTypes)
	if err != nil {
		return nil, err
	}
	in.snapshot.Identities = make([]governance.Identity, 0, len(sas)+len(secrets))
	for _, sa := range sas {
		in.snapshot.Identities = append(in.snapshot.Identities, identityFromMeta(&sa.ObjectMeta, ""))
	}
	in.snapshot.Identities = append(in.snapshot.Identities, secrets...)
	if err := r.readContext(ctx, namespace, sas, in.snapshot.Identities); err != nil {
		return nil, err
	}
	r.written.overlayAll(namespace, in.snapshot.Identities)
	if in.ledgers, err = r.Ledgers.OfNamespace(ctx, namespace); err != nil {
		return nil, err
	}
	for i := range in.snapshot.Identities {
		in.snapshot.Identities[i].Recorded = recorded(in.ledgers, in.snapshot.Identities[i].UID)
	}

	// The cache's own objects, not copies (a namespace may hold a thousand
	// ownerships, and every pass read them all): Evaluate never writes to
	// them, nor returns their memory (governance.Snapshot), and each
	// status write patches a deep copy.
	ownerships := &nhi.IdentityOwnershipList{}
	if err := r.List(ctx, ownerships, client.InNamespace(namespace), client.UnsafeDisableDeepCopy); err != nil {
		return nil, fmt.Errorf("listing ownerships: %w", err)
	}
	exceptions := &nhi.OwnershipExceptionList{}
	if err := r.List(ctx, exceptions, client.InNamespace(namespace), client.UnsafeDisableDeepCopy); err != nil {
		return nil, fmt.Errorf("listing exceptions: %w", err)
	}
	reviews := &nhi.OwnershipReviewList{}
	if err := r.List(ctx, reviews, client.InNamespace(namespace), client.UnsafeDisableDeepCopy); err != nil {
		return nil, fmt.Errorf("listing reviews: %w", err)
	}
	in.snapshot.Ownerships, in.snapshot.Exceptions, in.snapshot.Reviews = ownerships.Items, exceptions.Items, reviews.Items

	if policy != nil && policy.Spec.OwnerDirectory != nil {
		in.snapshot.Directory = readDirectory(ctx, r.Directories, policy).Directory
	}
	return in, nil
}

// serviceAccounts are the cached ServiceAccounts of a namespace, typed but
// stripped (usage.StripServiceAccount): the metadata Steward reads, and the
// Secrets they reference.
func (r *NamespaceReconciler) serviceAccounts(ctx context.Context, namespace string) ([]*corev1.ServiceAccount, error) {
	return cachedInNamespace[*corev1.ServiceAccount](ctx, r.Cache, r.Client, &corev1.ServiceAccountList{}, namespace)
}

// readContext adds to each identity who uses it and, for a ServiceAccount,
// what it can do and the cloud identities it is linked to. Context
// informs people and holds revocations; it never grants anything.
func (r *NamespaceReconciler) readContext(ctx context.Context, namespace string, serviceAccounts []*corev1.ServiceAccount,
	identities []governance.Identity) error {
	users, err := r.readUsage(ctx, namespace, serviceAccounts)
	if err != nil {
		return err
	}
	var accounts []string
	for i := range identities {
		if identities[i].Kind == nhi.KindServiceAccount {
			accounts = append(accounts, identities[i].Name)
		}
	}
	summaries, err := r.readAccess(ctx, namespace, accounts)
	if err != nil {
		return err
	}
	// Objects referencing more Secrets than the cache keeps reference them all.
	everySecret := users[nhi.IdentityReference{Kind: nhi.KindSecret, Name: usage.AllSecrets}]
	for i := range identities {
		id := &identities[i]
		id.Users = users[id.Ref()]
		if id.Kind == nhi.KindSecret && len(everySecret) > 0 {
			id.Users = mergeWorkloads(id.Users, everySecret)
		}
		if id.Kind == nhi.KindServiceAccount {
			id.Access = summaries[id.Name]
			id.CloudIdentities = usage.CloudIdentities(id.Annotations)
		}
	}
	return nil
}

// mergeWorkloads is the sorted union of two sorted lists of workloads.
func mergeWorkloads(a, b []nhi.WorkloadReference) []nhi.WorkloadReference {
	out := append(slices.Clone(a), b...)
	slices.SortFunc(out, func(x, y nhi.WorkloadReference) int {
		return cmp.Or(cmp.Compare(x.Kind, y.Kind), cmp.Compare(x.Name, y.Name))
	})
	return slices.Compact(out)
}

// readDirectory reads and checks a policy's owner directory. An unreadable
// directory is unavailable: nobody is considered departed because of it.
func readDirectory(ctx context.Context, c *DirectoryCaches, policy *nhi.OwnershipPolicy) governance.DirectoryCheck {
	ref := policy.Spec.OwnerDirectory
	cm := &corev1.ConfigMap{}
	key := types.NamespacedName{Namespace: ref.ConfigMapRef.Namespace, Name: ref.ConfigMapRef.Name}
	if err := c.Get(ctx, key, cm); err != nil {
		return governance.DirectoryCheck{
			Directory: &governance.Directory{},
			Reason:    nhi.ReasonDirectoryUnreadable,
			Message: fmt.Sprintf("cannot read ConfigMap %s (it must exist and carry the label %s=true): %v",
				key, DirectoryLabel, err),
		}
	}
	text, found := cm.Data[ref.Key]
	if !found {
		return governance.DirectoryCheck{
			Directory: &governance.Directory{},
			Reason:    nhi.ReasonDirectoryUnreadable,
			Message:   fmt.Sprintf("ConfigMap %s has no key %q", key, ref.Key),
		}
	}
	return governance.CheckDirectory(governance.ParseDirectory(text),
		policy.Status.AcceptedDirectoryEntries, ref.MaxShrinkPercent)
}
