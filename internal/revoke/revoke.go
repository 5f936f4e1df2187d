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

// Package revoke cuts a machine identity's access. Every strategy is
// idempotent: running it twice, or again after a crash midway, leaves the
// same result and removes nothing more.
package revoke

import (
	"context"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

// RemovedBinding records one subject removed from one binding (the
// ledger's record), so that it can be restored after re-approval and shown
// to an auditor.
type RemovedBinding = nhi.RemovedBinding

// AnnotationRemovedSubjects, on a binding, lists the ServiceAccounts
// ("namespace/name", comma-separated) Steward removed from it. Steward
// writes it in the very update that removes a subject and clears the entry
// in the update that restores it. Steward never reads it: the ledger is its
// record. It exists for the manager-bounds admission policy, which admits a
// ServiceAccount subject added by Steward only if the binding lists it, so
// that a stolen manager token can re-add what Steward removed and grant
// nothing new.
const AnnotationRemovedSubjects = "steward.dev/removed-subjects"

// BindingString describes a recorded binding for people.
func BindingString(b RemovedBinding) string {
	where := b.Name
	if b.Namespace != "" {
		where = b.Namespace + "/" + b.Name
	}
	return fmt.Sprintf("%s %s (%s %s)", b.Kind, where, b.RoleRef.Kind, b.RoleRef.Name)
}

// bootstrapLabel marks the API server's default RBAC policy (discovery,
// basic-user, public-info-viewer): access every authenticated client has,
// which is not residual access of one identity.
const bootstrapLabel = "kubernetes.io/bootstrapping"

// residualGroups are the groups every ServiceAccount of a namespace belongs
// to; access granted to them cannot be taken from one account alone.
func residualGroups(namespace string) []string {
	return []string{"system:serviceaccounts", "system:serviceaccounts:" + namespace, "system:authenticated"}
}

// Revoker applies revocation strategies. Reader should read from the API
// server, not a cache: a revocation must see every binding and token.
type Revoker struct {
	Client client.Client
	Reader client.Reader
}

// DeleteTokens deletes the legacy token Secrets bound to a ServiceAccount and
// returns their names. Only metadata is read: no token is ever loaded.
func (r *Revoker) DeleteTokens(ctx context.Context, namespace, account string) ([]string, error) {
	list := &metav1.PartialObjectMetadataList{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "SecretList"}}
	if err := r.Reader.List(ctx, list, client.InNamespace(namespace), client.MatchingFieldsSelector{
		Selector: fields.OneTermEqualSelector("type", string(corev1.SecretTypeServiceAccountToken)),
	}); err != nil {
		return nil, fmt.Errorf("listing token Secrets: %w", err)
	}
	var deleted []string
	for i := range list.Items {
		secret := &list.Items[i]
		if secret.Annotations[corev1.ServiceAccountNameKey] != account {
			continue
		}
		secret.TypeMeta = metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"}
		if err := r.Client.Delete(ctx, secret); err != nil && !apierrors.IsNotFound(err) {
			return deleted, fmt.Errorf("deleting token Secret %s: %w", secret.Name, err)
		}
		deleted = append(deleted, secret.Name)
	}
	slices.Sort(deleted)
	return deleted, nil
}

// ServiceAccountOf is the "namespace/name" of a ServiceAccount subject, as
// the RBAC authorizer reads it: a RoleBinding's ServiceAccount subject
// without a namespace is in the binding's namespace (bindingNamespace; empty
// for a ClusterRoleBinding). False for any other subject.
func ServiceAccountOf(bindingNamespace string, s rbacv1.Subject) (string, bool) {
	if s.Kind != rbacv1.ServiceAccountKind {
		return "", false
	}
	namespace := s.Namespace
	if namespace == "" {
		namespace = bindingNamespace
	}
	return namespace + "/" + s.Name, namespace != ""
}

// namesAccount reports whether a binding subject is the ServiceAccount
// namespace/account: as a ServiceAccount subject, or as the User
// system:serviceaccount:NAMESPACE:NAME its tokens authenticate as.
func namesAccount(bindingNamespace string, s rbacv1.Subject, namespace, account string) bool {
	if key, ok := ServiceAccountOf(bindingNamespace, s); ok {
		return key == namespace+"/"+account
	}
	return s.Kind == rbacv1.UserKind && s.Name == "system:serviceaccount:"+namespace+":"+account
}

// Access is what FindBindings found: the binding subjects that name the
// ServiceAccount (removable), and the bindings that reach it through a
// group every ServiceAccount of its namespace belongs to (residual).
type Access struct {
	Bindings []RemovedBinding
	Residual []string
}

// FindBindings lists every RoleBinding (in any namespace) and
// ClusterRoleBinding naming the ServiceAccount as a subject, and the
// bindings that grant it access through a group.
func (r *Revoker) FindBindings(ctx context.Context, namespace, account string) (Access, error) {
	var found Access
	groups := residualGroups(namespace)
	visit := func(kind, bindingNamespace, name string, uid types.UID, roleRef rbacv1.RoleRef, subjects []rbacv1.Subject,
		labels map[string]string) {
		for _, s := range subjects {
			switch {
			case namesAccount(bindingNamespace, s, namespace, account):
				found.Bindings = append(found.Bindings, RemovedBinding{Kind: kind, Namespace: bindingNamespace, Name: name,
					UID: uid, RoleRef: roleRef, Subject: s})
			case s.Kind == rbacv1.GroupKind && slices.Contains(groups, s.Name) &&
				(kind != "ClusterRoleBinding" || labels[bootstrapLabel] != "rbac-defaults" ||
					!strings.HasPrefix(name, "system:")):
				b := RemovedBinding{Kind: kind, Namespace: bindingNamespace, Name: name, RoleRef: roleRef}
				found.Residual = append(found.Residual, BindingString(b)+" through Group "+s.Name)
			}
		}
	}
	roleBindings := &rbacv1.RoleBindingList{}
	if err := r.Reader.List(ctx, roleBindings); err != nil {
		return Access{}, fmt.Errorf("listing RoleBindings: %w", err)
	}
	for _, b := range roleBindings.Items {
		visit("RoleBinding", b.Namespace, b.Name, b.UID, b.RoleRef, b.Subjects, b.Labels)
	}
	clusterBindings := &rbacv1.ClusterRoleBindingList{}
	if err := r.Reader.List(ctx, clusterBindings); err != nil {
		return Access{}, fmt.Errorf("listing ClusterRoleBindings: %w", err)
	}
	for _, b := range clusterBindings.Items {
		visit("ClusterRoleBinding", "", b.Name, b.UID, b.RoleRef, b.Subjects, b.Labels)
	}
	slices.Sort(found.Residual)
	found.Residual = slices.Compact(found.Residual)
	return found, nil
}

// RemoveSubjects removes each found subject from its binding (the very
// object found: same UID, same role), and lists the account in the
// binding's AnnotationRemovedSubjects in the same update. Bindings already
// gone or already without the subject are skipped.
func (r *Revoker) RemoveSubjects(ctx context.Context, namespace, account string, bindings []RemovedBinding) error {
	entry := namespace + "/" + account
	for _, b := range bindings {
		if _, err := r.editBinding(ctx, b, func(subjects []rbacv1.Subject, removed []string) ([]rbacv1.Subject, []string) {
			kept := slices.DeleteFunc(subjects, func(s rbacv1.Subject) bool { return s == b.Subject })
			if len(kept) == len(subjects) {
				return subjects, removed
			}
			if !slices.Contains(removed, entry) {
				removed = append(removed, entry)
			}
			return kept, removed
		}); err != nil {
			return err
		}
	}
	return nil
}

// RestoreSubjects gives access back after re-approval. It adds the account
// itself, as a ServiceAccount subject — whatever subject the record names —
// only to bindings Steward removed it from: the same object (UID), still
// referring to the same role. It returns what was restored, and what could
// not be (the binding is gone, was re-created, or an admission policy
// refused the update).
func (r *Revoker) RestoreSubjects(ctx context.Context, namespace, account string,
	bindings []RemovedBinding) (restored, skipped []RemovedBinding, err error) {
	entry := namespace + "/" + account
	self := rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: account, Namespace: namespace}
	for _, b := range bindings {
		changed, err := r.editBinding(ctx, b, func(subjects []rbacv1.Subject, removed []string) ([]rbacv1.Subject, []string) {
			removed = slices.DeleteFunc(removed, func(e string) bool { return e == entry })
			if slices.ContainsFunc(subjects, func(s rbacv1.Subject) bool { return namesAccount(b.Namespace, s, namespace, account) }) {
				return subjects, removed
			}
			return append(subjects, self), removed
		})
		switch {
		case apierrors.IsForbidden(err) || apierrors.IsInvalid(err):
			skipped = append(skipped, b)
		case err != nil:
			return restored, skipped, err
		case changed:
			restored = append(restored, b)
		default:
			skipped = append(skipped, b)
		}
	}
	return restored, skipped, nil
}

// editBinding rewrites a binding's subjects and its AnnotationRemovedSubjects
// list with optimistic concurrency. A binding that is gone, was re-created
// (another UID), or now refers to another role is left alone. It reports
// whether the subjects changed.
func (r *Revoker) editBinding(ctx context.Context, b RemovedBinding,
	edit func(subjects []rbacv1.Subject, removed []string) ([]rbacv1.Subject, []string)) (bool, error) {
	key := types.NamespacedName{Namespace: b.Namespace, Name: b.Name}
	changed := false
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		changed = false
		var obj client.Object
		var subjects *[]rbacv1.Subject
		var roleRef rbacv1.RoleRef
		if b.Kind == "ClusterRoleBinding" {
			crb := &rbacv1.ClusterRoleBinding{}
			obj, subjects = crb, &crb.Subjects
			if err := r.Reader.Get(ctx, key, crb); err != nil {
				return client.IgnoreNotFound(err)
			}
			roleRef = crb.RoleRef
		} else {
			rb := &rbacv1.RoleBinding{}
			obj, subjects = rb, &rb.Subjects
			if err := r.Reader.Get(ctx, key, rb); err != nil {
				return client.IgnoreNotFound(err)
			}
			roleRef = rb.RoleRef
		}
		if roleRef != b.RoleRef || (b.UID != "" && obj.GetUID() != b.UID) {
			return nil
		}
		annotations := obj.GetAnnotations()
		var removed []string
		if list := annotations[AnnotationRemovedSubjects]; list != "" {
			removed = strings.Split(list, ",")
		}
		updated, updatedRemoved := edit(slices.Clone(*subjects), slices.Clone(removed))
		if slices.Equal(updated, *subjects) && slices.Equal(updatedRemoved, removed) {
			return nil
		}
		changed = !slices.Equal(updated, *subjects)
		*subjects = updated
		if annotations == nil {
			annotations = map[string]string{}
		}
		if len(updatedRemoved) == 0 {
			delete(annotations, AnnotationRemovedSubjects)
		} else {
			annotations[AnnotationRemovedSubjects] = strings.Join(updatedRemoved, ",")
		}
		obj.SetAnnotations(annotations)
		if err := r.Client.Update(ctx, obj); err != nil && !apierrors.IsNotFound(err) {
			changed = false
			return err
		}
		return nil
	})
	return changed, err
}

// Delete deletes an identity, only if it is still the object evaluated (same
// UID): a re-created namesake is never deleted by mistake.
func (r *Revoker) Delete(ctx context.Context, kind, namespace, name string, uid types.UID) error {
	obj := &metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: kind}}
	obj.Namespace, obj.Name = namespace, name
	err := r.Client.Delete(ctx, obj, client.Preconditions{UID: &uid})
	if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
		return nil
	}
	return err
}
