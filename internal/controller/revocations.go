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
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/evidence"
	"github.com/nhi-steward/steward/internal/governance"
	"github.com/nhi-steward/steward/internal/revoke"
)

// Event reasons of revocations.
const (
	// EventReasonRevoked: Steward revoked the identity.
	EventReasonRevoked = "Revoked"
	// EventReasonRestored: access removed by a revocation was given back
	// after the identity became Owned again.
	EventReasonRestored = "Restored"
	// EventReasonRevocationHalted: a revocation was due but the policy's
	// blast-radius cap is reached.
	EventReasonRevocationHalted = "RevocationHalted"
	// EventReasonRevocationReapplied: a binding named a revoked
	// ServiceAccount again, and Steward removed it again.
	EventReasonRevocationReapplied = "RevocationReapplied"
)

// revokeDue carries out the revocations the evaluation decided, finishes
// any interrupted by a restart, keeps revoked identities revoked, and
// restores access to identities that are Owned again. Every step acts on
// Steward's ledger only, never on labels or annotations of the identity,
// and nothing is deleted or restored unless the policy enforces. Each
// revocation is recorded in the ledger before each step and committed
// there; its Event and decision-log line precede the commit, with a stable
// id, so a crash can repeat a record but never lose one. One identity's
// failure (a binding an admission policy protects, say) does not stop the
// others: the errors are returned together.
func (r *NamespaceReconciler) revokeDue(ctx context.Context, in *namespaceInputs, result *governance.Result) error {
	policy := in.snapshot.Policy
	if policy == nil || r.Revoker == nil || governance.IsProtected(in.snapshot.Namespace, r.StewardNamespace) {
		return nil
	}
	var errs []error
	for i := range result.Identities {
		id := &result.Identities[i]
		record, recorded := in.ledgers.base().Status.Revocations[string(id.Identity.UID)]
		var err error
		switch {
		case !id.Governed:
		case id.Action == governance.ActionRevoke:
			err = r.revoke(ctx, in, id)
		case !recorded || !revocationAllowed(policy):
			// DryRun, or a cap of 0: nothing is deleted, re-removed or restored.
		case id.State == nhi.StateRevoked:
			err = r.keepRevoked(ctx, in, id, &record)
		case id.State == nhi.StateOwned || id.State == nhi.StateExcepted:
			err = r.restore(ctx, in, id, &record)
		}
		if apierrors.IsNotFound(err) {
			err = nil
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("revocation of %s %s: %w", id.Identity.Kind, id.Identity.Name, err))
		}
	}
	return errors.Join(errs...)
}

// errBudgetRaced: a revocation the evaluation allowed found the budget
// spent by a concurrent reconcile; the namespace is evaluated again.
var errBudgetRaced = errors.New("the revocation budget was spent by another namespace meanwhile; evaluating again")

func (r *NamespaceReconciler) revoke(ctx context.Context, in *namespaceInputs, id *governance.IdentityResult) error {
	log := logf.FromContext(ctx)
	policy := in.snapshot.Policy
	ns, name, uid := in.snapshot.Namespace, id.Identity.Name, id.Identity.UID

	// 1. Count it against the cap once, and record it in progress.
	record, inProgress := in.ledgers.base().Status.Revocations[string(uid)]
	if !inProgress {
		ok, _, err := r.Budget.Reserve(ctx, policy, ns, uid)
		if err != nil {
			return err
		}
		if !ok {
			// Another namespace took the last slot since this evaluation
			// read the budget: nothing is done now, and the next
			// evaluation, with the budget as it is, decides again.
			log.Info("revocation not started: the budget was spent meanwhile", "kind", id.Identity.Kind, "name", name,
				"policy", policy.Name)
			return errBudgetRaced
		}
		now := metav1.NewTime(in.snapshot.Now.Truncate(time.Second))
		record = nhi.RevocationRecord{Kind: id.Identity.Kind, Name: name, ID: string(uid) + "@" + governance.Timestamp(in.snapshot.Now.Truncate(time.Second)),
			Policy: policy.Name, Reason: id.ActionReason, ReservedAt: now}
		if err := r.Ledgers.PutRevocation(ctx, in.ledgers.base(), uid, &record); err != nil {
			return err
		}
	}

	// 2. Apply the strategies that leave the identity in place.
	var done []string
	deleteAfter := false
	if id.Identity.Kind == nhi.KindServiceAccount {
		for _, strategy := range serviceAccountStrategies(policy) {
			switch strategy {
			case nhi.RevokeDeleteTokens:
				tokens, err := r.Revoker.DeleteTokens(ctx, ns, name)
				if err != nil {
					return err
				}
				done = append(done, fmt.Sprintf("DeleteTokens (%d token Secrets deleted%s)", len(tokens), listSuffix(tokens)))
			case nhi.RevokeRemoveBindings:
				if _, err := r.removeBindings(ctx, in, id, &record); err != nil {
					return err
				}
				done = append(done, fmt.Sprintf("RemoveBindings (removed from %d bindings%s)",
					len(record.RemovedBindings), listSuffix(bindingStrings(record.RemovedBindings))))
				if len(record.ResidualAccess) > 0 {
					done = append(done, fmt.Sprintf("residual access through groups, not removable for one account alone: %s",
						strings.Join(record.ResidualAccess, ", ")))
				}
			case nhi.RevokeDelete:
				deleteAfter = true
				done = append(done, "Delete")
			}
		}
	} else {
		deleteAfter = true
		done = append(done, "Delete (the upstream credential the Secret holds is NOT revoked by this; rotate it at its source)")
	}

	// 3. Record, then commit in the ledger: the identity is Revoked; then
	// delete. The record comes first so that a crash can repeat it (with
	// the same revocation id) but never lose it.
	finding, revokeAt := id.ActionReason, id.RevokeAt
	message := fmt.Sprintf("%s %s revoked (%s) under policy %s: %s%s", id.Identity.Kind, name, finding, policy.Name,
		strings.Join(done, "; "), departureTimeline(in, id, finding))
	r.recordAction(ctx, in, id, evidence.Decision{
		Action: string(governance.ActionRevoke), Reason: finding, Message: message, Revocation: record.ID,
	}, corev1.EventTypeWarning, EventReasonRevoked)
	revokedAt := metav1.NewTime(in.snapshot.Now.Truncate(time.Second))
	record.RevokedAt = &revokedAt
	if err := r.Ledgers.PutRevocation(ctx, in.ledgers.base(), uid, &record); err != nil {
		return err
	}
	governance.MarkRevoked(id, revokedAt.Time, describeBindings(record.RemovedBindings))
	evidence.ObserveDeadline("revoke", revokeAt, r.Clock.Now())
	log.Info("identity revoked", "kind", id.Identity.Kind, "name", name, "reason", finding, "strategies", done)
	if deleteAfter {
		return r.Revoker.Delete(ctx, string(id.Identity.Kind), ns, name, uid)
	}
	return nil
}

// removeBindings records the subjects it is about to remove in the ledger
// first, so that a crash midway loses no record, then removes them. It
// returns the bindings that named the account now.
func (r *NamespaceReconciler) removeBindings(ctx context.Context, in *namespaceInputs, id *governance.IdentityResult,
	record *nhi.RevocationRecord) ([]nhi.RemovedBinding, error) {
	ns, name := in.snapshot.Namespace, id.Identity.Name
	access, err := r.Revoker.FindBindings(ctx, ns, name)
	if err != nil {
		return nil, err
	}
	grew := !slices.Equal(record.ResidualAccess, access.Residual)
	record.ResidualAccess = access.Residual
	for _, b := range access.Bindings {
		if !slices.Contains(record.RemovedBindings, b) {
			record.RemovedBindings = append(record.RemovedBindings, b)
			grew = true
		}
	}
	if grew {
		if err := r.Ledgers.PutRevocation(ctx, in.ledgers.base(), id.Identity.UID, record); err != nil {
			return nil, err
		}
	}
	return access.Bindings, r.Revoker.RemoveSubjects(ctx, ns, name, access.Bindings)
}

// keepRevoked keeps a revoked identity revoked (the policy enforces): it
// completes a Delete interrupted after its commit, and removes a revoked
// ServiceAccount again from bindings that name it anew (a GitOps sync
// re-applying a binding, a person adding it back). The cache's binding
// index says whether any does; the API server's answer decides what is
// removed.
func (r *NamespaceReconciler) keepRevoked(ctx context.Context, in *namespaceInputs, id *governance.IdentityResult,
	record *nhi.RevocationRecord) error {
	policy := in.snapshot.Policy
	if id.Identity.Kind == nhi.KindSecret || slices.Contains(serviceAccountStrategies(policy), nhi.RevokeDelete) {
		return r.Revoker.Delete(ctx, string(id.Identity.Kind), in.snapshot.Namespace, id.Identity.Name, id.Identity.UID)
	}
	if !slices.Contains(serviceAccountStrategies(policy), nhi.RevokeRemoveBindings) {
		return nil
	}
	named, err := r.namedInBindings(ctx, in.snapshot.Namespace, id.Identity.Name)
	if err != nil || !named {
		return err
	}
	found, err := r.removeBindings(ctx, in, id, record)
	if err != nil || len(found) == 0 {
		return err
	}
	message := fmt.Sprintf("%s %s is Revoked, but %d bindings named it again: removed it again%s", id.Identity.Kind,
		id.Identity.Name, len(found), listSuffix(bindingStrings(found)))
	r.recordAction(ctx, in, id, evidence.Decision{Action: EventReasonRevocationReapplied, Message: message},
		corev1.EventTypeWarning, EventReasonRevocationReapplied)
	logf.FromContext(ctx).Info("revocation reapplied", "kind", id.Identity.Kind, "name", id.Identity.Name,
		"bindings", len(found))
	return nil
}

// namedInBindings says, from the cache, whether any RoleBinding or
// ClusterRoleBinding names the ServiceAccount.
func (r *NamespaceReconciler) namedInBindings(ctx context.Context, namespace, name string) (bool, error) {
	key := client.MatchingFields{bindingSubjectIndex: namespace + "/" + name}
	roleBindings := &rbacv1.RoleBindingList{}
	if err := r.List(ctx, roleBindings, key); err != nil {
		return false, fmt.Errorf("listing RoleBindings from the cache: %w", err)
	}
	if len(roleBindings.Items) > 0 {
		return true, nil
	}
	clusterBindings := &rbacv1.ClusterRoleBindingList{}
	if err := r.List(ctx, clusterBindings, key); err != nil {
		return false, fmt.Errorf("listing ClusterRoleBindings from the cache: %w", err)
	}
	return len(clusterBindings.Items) > 0, nil
}

// revocationAllowed: the policy enforces, and its cap is not 0, which
// forbids revocation altogether. Keeping a revocation in force, and
// restoring access, are revoking too: a policy switched to DryRun touches
// nothing.
func revocationAllowed(policy *nhi.OwnershipPolicy) bool {
	return policy.Spec.Enforcement == nhi.EnforcementEnforce && maxRevocationsPerHour(policy) > 0
}

// restore gives back the access a revocation removed, now that the
// identity is Owned again: the ServiceAccount itself is re-added to the
// bindings the ledger says Steward removed it from (same object, same
// role), and the record is closed.
func (r *NamespaceReconciler) restore(ctx context.Context, in *namespaceInputs, id *governance.IdentityResult,
	record *nhi.RevocationRecord) error {
	var restored, skipped []nhi.RemovedBinding
	if id.Identity.Kind == nhi.KindServiceAccount {
		var err error
		restored, skipped, err = r.Revoker.RestoreSubjects(ctx, in.snapshot.Namespace, id.Identity.Name, record.RemovedBindings)
		if err != nil {
			return err
		}
	}
	if err := r.Ledgers.PutRevocation(ctx, in.ledgers.base(), id.Identity.UID, nil); err != nil {
		return err
	}
	message := fmt.Sprintf("%s %s is %s again: restored it to %d of %d recorded bindings%s (deleted tokens are not restored)",
		id.Identity.Kind, id.Identity.Name, id.State, len(restored), len(record.RemovedBindings),
		listSuffix(bindingStrings(restored)))
	if len(skipped) > 0 {
		message += fmt.Sprintf("; not restored (the binding is gone, was re-created, changed role or refused the update): %s",
			strings.Join(bindingStrings(skipped), ", "))
	}
	r.recordAction(ctx, in, id, evidence.Decision{Action: EventReasonRestored, Message: message},
		corev1.EventTypeNormal, EventReasonRestored)
	return nil
}

// bindingString and bindingStrings describe recorded bindings for people.
var bindingString = revoke.BindingString

func bindingStrings(bindings []nhi.RemovedBinding) []string {
	out := make([]string, len(bindings))
	for i, b := range bindings {
		out[i] = bindingString(b)
	}
	return out
}

// departureTimeline is the offboarding evidence of a revocation for
// OwnerDeparted: when the departure was first seen, when the identity was
// flagged, and how long until revocation.
func departureTimeline(in *namespaceInputs, id *governance.IdentityResult, finding string) string {
	if finding != string(nhi.FindingOwnerDeparted) {
		return ""
	}
	for i := range in.snapshot.Ownerships {
		o := &in.snapshot.Ownerships[i]
		if o.Name != id.Ownership || o.Status.Departure == nil {
			continue
		}
		d := o.Status.Departure
		text := fmt.Sprintf("; departure of %s first seen at %s", governance.JoinPeople(d.DepartedContacts), d.FirstSeen.UTC().Format(time.RFC3339))
		if d.AllDepartedAt != nil {
			text += fmt.Sprintf(", flagged OwnerDeparted at %s", d.AllDepartedAt.UTC().Format(time.RFC3339))
		}
		return text + fmt.Sprintf(", revoked %s after it was first seen", in.snapshot.Now.Sub(d.FirstSeen.Time).Round(time.Second))
	}
	return ""
}

func serviceAccountStrategies(policy *nhi.OwnershipPolicy) []nhi.ServiceAccountRevocationStrategy {
	if s := policy.Spec.Revocation.ServiceAccountStrategies; len(s) > 0 {
		return s
	}
	return []nhi.ServiceAccountRevocationStrategy{nhi.RevokeDeleteTokens, nhi.RevokeRemoveBindings}
}

func listSuffix[T any](items []T) string {
	if len(items) == 0 {
		return ""
	}
	parts := make([]string, len(items))
	for i, item := range items {
		parts[i] = fmt.Sprint(item)
	}
	return ": " + strings.Join(parts, ", ")
}
