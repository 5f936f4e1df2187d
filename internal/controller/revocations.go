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
// any interrupted by a restart, and restores access to identities that are
// Owned again. Each revocation is committed by one patch that marks the
// identity Revoked; its Event and decision-log line follow that patch, so it
// is recorded exactly once. One identity's failure (a binding an admission
// policy protects, say) does not stop the others: the errors are returned
// together.
func (r *NamespaceReconciler) revokeDue(ctx context.Context, in *namespaceInputs, result *governance.Result) error {
	policy := in.snapshot.Policy
	if policy == nil || r.Revoker == nil || governance.IsProtected(in.snapshot.Namespace, r.StewardNamespace) {
		return nil
	}
	var errs []error
	for i := range result.Identities {
		id := &result.Identities[i]
		var err error
		switch {
		case !id.Governed:
		case id.Action == governance.ActionRevoke:
			err = r.revoke(ctx, in, result, id)
		case id.State == nhi.StateRevoked:
			err = r.keepRevoked(ctx, in, id)
		case id.Identity.Annotations[governance.AnnotationRevokedAt] != "" &&
			(id.State == nhi.StateOwned || id.State == nhi.StateExcepted):
			err = r.restore(ctx, in, id)
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

func (r *NamespaceReconciler) revoke(ctx context.Context, in *namespaceInputs, result *governance.Result,
	id *governance.IdentityResult) error {
	log := logf.FromContext(ctx)
	policy := in.snapshot.Policy
	ns, name := in.snapshot.Namespace, id.Identity.Name

	// 1. Count it against the cap once, and mark it in progress.
	if id.Identity.Annotations[governance.AnnotationRevoking] == "" {
		ok, windowEnd, err := r.Budget.Reserve(ctx, policy.Name)
		if err != nil {
			return err
		}
		if !ok {
			// Reported like a DryRun revocation; retried when the window ends.
			log.Info("revocation halted by the blast-radius cap", "kind", id.Identity.Kind, "name", name, "policy", policy.Name)
			id.Action = governance.ActionWouldRevoke
			id.Labels[governance.LabelWouldRevoke] = "true"
			if result.NextDeadline.IsZero() || windowEnd.Before(result.NextDeadline) {
				result.NextDeadline = windowEnd
			}
			return nil
		}
		started := formatNow(in)
		if err := r.patchAnnotations(ctx, in, id, map[string]*string{governance.AnnotationRevoking: &started}); err != nil {
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
				_, removed, err := r.removeBindings(ctx, in, id)
				if err != nil {
					return err
				}
				done = append(done, fmt.Sprintf("RemoveBindings (removed from %d bindings%s)", len(removed), listSuffix(removed)))
			case nhi.RevokeDelete:
				deleteAfter = true
				done = append(done, "Delete")
			}
		}
	} else {
		deleteAfter = true
		done = append(done, "Delete (the upstream credential the Secret holds is NOT revoked by this; rotate it at its source)")
	}

	// 3. Record, then commit: the identity is Revoked; then delete. The
	// record comes first so that a crash can repeat it (with the same
	// revocation id) but never lose it.
	finding, revokeAt := id.ActionReason, id.RevokeAt
	message := fmt.Sprintf("%s %s revoked (%s) under policy %s: %s%s", id.Identity.Kind, name, finding, policy.Name,
		strings.Join(done, "; "), departureTimeline(in, id, finding))
	r.recordAction(ctx, in, id, evidence.Decision{
		Action: string(governance.ActionRevoke), Reason: finding, Message: message,
		Revocation: string(id.Identity.UID) + "@" + id.Identity.Annotations[governance.AnnotationRevoking],
	}, corev1.EventTypeWarning, EventReasonRevoked)
	markRevoked(id, in)
	if err := r.commitRevoked(ctx, in, id); err != nil {
		return err
	}
	evidence.ObserveDeadline("revoke", revokeAt, r.Clock.Now())
	log.Info("identity revoked", "kind", id.Identity.Kind, "name", name, "reason", finding, "strategies", done)
	if deleteAfter {
		return r.Revoker.Delete(ctx, string(id.Identity.Kind), ns, name, id.Identity.UID)
	}
	return nil
}

// removeBindings records the subjects it is about to remove on the
// ServiceAccount first, so that a crash midway loses no record. It returns
// the bindings that named the account now, and every binding recorded.
func (r *NamespaceReconciler) removeBindings(ctx context.Context, in *namespaceInputs,
	id *governance.IdentityResult) (found, all []revoke.RemovedBinding, err error) {
	found, err = r.Revoker.FindBindings(ctx, in.snapshot.Namespace, id.Identity.Name)
	if err != nil {
		return nil, nil, err
	}
	recorded, err := revoke.DecodeBindings(id.Identity.Annotations[governance.AnnotationRemovedBindings])
	if err != nil {
		return nil, nil, err
	}
	all = recorded
	for _, b := range found {
		if !slices.Contains(all, b) {
			all = append(all, b)
		}
	}
	if len(all) > len(recorded) {
		value := revoke.EncodeBindings(all)
		if err := r.patchAnnotations(ctx, in, id, map[string]*string{governance.AnnotationRemovedBindings: &value}); err != nil {
			return nil, nil, err
		}
	}
	return found, all, r.Revoker.RemoveSubjects(ctx, found)
}

// keepRevoked keeps a revoked identity revoked: it completes a Delete
// interrupted after its commit, and removes a revoked ServiceAccount again
// from bindings that name it anew (a GitOps sync re-applying a binding, a
// person adding it back). The cache's binding index says whether any does;
// the API server's answer decides what is removed.
func (r *NamespaceReconciler) keepRevoked(ctx context.Context, in *namespaceInputs, id *governance.IdentityResult) error {
	if deleted, err := r.finishDelete(ctx, in, id); deleted || err != nil {
		return err
	}
	policy := in.snapshot.Policy
	if id.Identity.Kind != nhi.KindServiceAccount || id.Identity.Annotations[governance.AnnotationRevokedAt] == "" ||
		!revocationAllowed(policy) || !slices.Contains(serviceAccountStrategies(policy), nhi.RevokeRemoveBindings) {
		return nil
	}
	named, err := r.namedInBindings(ctx, in.snapshot.Namespace, id.Identity.Name)
	if err != nil || !named {
		return err
	}
	found, _, err := r.removeBindings(ctx, in, id)
	if err != nil || len(found) == 0 {
		return err
	}
	message := fmt.Sprintf("%s %s is Revoked, but %d bindings named it again: removed it again%s", id.Identity.Kind,
		id.Identity.Name, len(found), listSuffix(found))
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

// finishDelete completes a Delete strategy interrupted after its commit,
// and says whether the identity is deleted.
func (r *NamespaceReconciler) finishDelete(ctx context.Context, in *namespaceInputs, id *governance.IdentityResult) (bool, error) {
	deletes := id.Identity.Kind == nhi.KindSecret || slices.Contains(serviceAccountStrategies(in.snapshot.Policy), nhi.RevokeDelete)
	if !deletes || id.Identity.Annotations[governance.AnnotationRevokedAt] == "" {
		return false, nil
	}
	return true, r.Revoker.Delete(ctx, string(id.Identity.Kind), in.snapshot.Namespace, id.Identity.Name, id.Identity.UID)
}

// revocationAllowed: the policy enforces, and its cap is not 0, which
// forbids revocation altogether. Keeping a revocation in force is still
// revoking: a policy switched to DryRun touches nothing.
func revocationAllowed(policy *nhi.OwnershipPolicy) bool {
	return policy.Spec.Enforcement == nhi.EnforcementEnforce && maxRevocationsPerHour(policy) > 0
}

// restore gives back the binding subjects a revocation removed, now that
// the identity is Owned again, and clears the revocation marks.
func (r *NamespaceReconciler) restore(ctx context.Context, in *namespaceInputs, id *governance.IdentityResult) error {
	recorded, err := revoke.DecodeBindings(id.Identity.Annotations[governance.AnnotationRemovedBindings])
	if err != nil {
		return err
	}
	restored, err := r.Revoker.RestoreSubjects(ctx, recorded)
	if err != nil {
		return err
	}
	if err := r.patchAnnotations(ctx, in, id, map[string]*string{
		governance.AnnotationRevokedAt: nil, governance.AnnotationRevoking: nil, governance.AnnotationRemovedBindings: nil,
	}); err != nil {
		return err
	}
	message := fmt.Sprintf("%s %s is %s again: restored it to %d of %d recorded bindings%s (deleted tokens are not restored)",
		id.Identity.Kind, id.Identity.Name, id.State, len(restored), len(recorded), listSuffix(restored))
	r.recordAction(ctx, in, id, evidence.Decision{Action: EventReasonRestored, Message: message},
		corev1.EventTypeNormal, EventReasonRestored)
	return nil
}

// markRevoked turns an evaluated identity into its revoked form, as the next
// evaluation will see it.
func markRevoked(id *governance.IdentityResult, in *namespaceInputs) {
	id.State, id.Action, id.Since = nhi.StateRevoked, governance.ActionNone, in.snapshot.Now.Truncate(1e9)
	id.Labels = map[string]string{governance.LabelFinding: governance.Kebab(nhi.StateRevoked)}
	id.Annotations[governance.AnnotationState] = string(nhi.StateRevoked)
	id.Annotations[governance.AnnotationFindingSince] = formatNow(in)
}

// commitRevoked writes the revoked state and the revoked-at mark in one patch.
func (r *NamespaceReconciler) commitRevoked(ctx context.Context, in *namespaceInputs, id *governance.IdentityResult) error {
	labels := governance.Diff(id.Identity.Labels, id.Labels, governance.ManagedLabels)
	annotations := governance.Diff(id.Identity.Annotations, id.Annotations, governance.ManagedAnnotations)
	revokedAt := formatNow(in)
	annotations[governance.AnnotationRevokedAt] = &revokedAt
	annotations[governance.AnnotationRevoking] = nil
	obj, err := r.patchMetadata(ctx, in.snapshot.Namespace, id.Identity, labels, annotations)
	if err != nil {
		return err
	}
	r.recordWrite(ctx, in.snapshot.Namespace, id.Identity, obj, labels, annotations)
	r.recordIdentity(ctx, in, id, obj)
	id.Identity.Labels, id.Identity.Annotations, id.Identity.ResourceVersion = obj.Labels, obj.Annotations, obj.ResourceVersion
	return nil
}

// patchAnnotations writes revocation bookkeeping and keeps the in-memory
// copy current.
func (r *NamespaceReconciler) patchAnnotations(ctx context.Context, in *namespaceInputs, id *governance.IdentityResult,
	annotations map[string]*string) error {
	obj, err := r.patchMetadata(ctx, in.snapshot.Namespace, id.Identity, nil, annotations)
	if err != nil {
		return err
	}
	r.recordWrite(ctx, in.snapshot.Namespace, id.Identity, obj, nil, annotations)
	id.Identity.Labels, id.Identity.Annotations, id.Identity.ResourceVersion = obj.Labels, obj.Annotations, obj.ResourceVersion
	return nil
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

func formatNow(in *namespaceInputs) string {
	return in.snapshot.Now.UTC().Truncate(1e9).Format("2006-01-02T15:04:05Z07:00")
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
