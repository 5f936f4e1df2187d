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
	"encoding/json"
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// RemovedBinding records one subject removed from one binding, so that it
// can be restored after re-approval and shown to an auditor.
type RemovedBinding struct {
	// Kind is RoleBinding or ClusterRoleBinding.
	Kind string `json:"kind"`
	// Namespace of a RoleBinding; empty for a ClusterRoleBinding.
	Namespace string         `json:"namespace,omitempty"`
	Name      string         `json:"name"`
	RoleRef   rbacv1.RoleRef `json:"roleRef"`
	Subject   rbacv1.Subject `json:"subject"`
}

func (b RemovedBinding) String() string {
	where := b.Name
	if b.Namespace != "" {
		where = b.Namespace + "/" + b.Name
	}
	return fmt.Sprintf("%s %s (%s %s)", b.Kind, where, b.RoleRef.Kind, b.RoleRef.Name)
}

// EncodeBindings and DecodeBindings store the record in an annotation.
func EncodeBindings(bindings []RemovedBinding) string {
	data, _ := json.Marshal(bindings)
	return string(data)
}

// DecodeBindings reads a record written by EncodeBindings.
func DecodeBindings(value string) ([]RemovedBinding, error) {
	if value == "" {
		return nil, nil
	}
	var bindings []RemovedBinding
	if err := json.Unmarshal([]byte(value), &bindings); err != nil {
		return nil, fmt.Errorf("decoding the removed-bindings record: %w", err)
	}
	return bindings, nil
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

// FindBindings lists every RoleBinding (in any namespace) and
// ClusterRoleBinding naming the ServiceAccount as a subject.
func (r *Revoker) FindBindings(ctx context.Context, namespace, account string) ([]RemovedBinding, error) {
	want := namespace + "/" + account
	names := func(bindingNamespace string, s rbacv1.Subject) bool {
		key, ok := ServiceAccountOf(bindingNamespace, s)
		return ok && key == want
	}
	var found []RemovedBinding
	roleBindings := &rbacv1.RoleBindingList{}
	if err := r.Reader.List(ctx, roleBindings); err != nil {
		return nil, fmt.Errorf("listing RoleBindings: %w", err)
	}
	for _, b := range roleBindings.Items {
		for _, s := range b.Subjects {
			if names(b.Namespace, s) {
				found = append(found, RemovedBinding{Kind: "RoleBinding", Namespace: b.Namespace, Name: b.Name, RoleRef: b.RoleRef, Subject: s})
			}
		}
	}
	clusterBindings := &rbacv1.ClusterRoleBindingList{}
	if err := r.Reader.List(ctx, clusterBindings); err != nil {
		return nil, fmt.Errorf("listing ClusterRoleBindings: %w", err)
	}
	for _, b := range clusterBindings.Items {
		for _, s := range b.Subjects {
			if names("", s) {
				found = append(found, RemovedBinding{Kind: "ClusterRoleBinding", Name: b.Name, RoleRef: b.RoleRef, Subject: s})
			}
		}
	}
	return found, nil
}

// RemoveSubjects removes each recorded subject from its binding. Bindings
// already gone or already without the subject are skipped.
func (r *Revoker) RemoveSubjects(ctx context.Context, bindings []RemovedBinding) error {
	for _, b := range bindings {
		if err := r.editSubjects(ctx, b, func(subjects []rbacv1.Subject) []rbacv1.Subject {
			return slices.DeleteFunc(subjects, func(s rbacv1.Subject) bool { return s == b.Subject })
		}); err != nil {
			return err
		}
	}
	return nil
}

// RestoreSubjects adds each recorded subject back to its binding where the
// binding still exists with the same role. It returns what was restored.
func (r *Revoker) RestoreSubjects(ctx context.Context, bindings []RemovedBinding) ([]RemovedBinding, error) {
	var restored []RemovedBinding
	for _, b := range bindings {
		added := false
		err := r.editSubjects(ctx, b, func(subjects []rbacv1.Subject) []rbacv1.Subject {
			if slices.Contains(subjects, b.Subject) {
				return subjects
			}
			added = true
			return append(subjects, b.Subject)
		})
		if err != nil {
			return restored, err
		}
		if added {
			restored = append(restored, b)
		}
	}
	return restored, nil
}

// editSubjects rewrites a binding's subjects with optimistic concurrency. A
// binding that is gone, or now refers to another role, is left alone.
func (r *Revoker) editSubjects(ctx context.Context, b RemovedBinding, edit func([]rbacv1.Subject) []rbacv1.Subject) error {
	key := types.NamespacedName{Namespace: b.Namespace, Name: b.Name}
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
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
		if roleRef != b.RoleRef {
			return nil
		}
		before := len(*subjects)
		updated := edit(slices.Clone(*subjects))
		if len(updated) == before {
			return nil
		}
		*subjects = updated
		if err := r.Client.Update(ctx, obj); err != nil && !apierrors.IsNotFound(err) {
			return err
		}
		return nil
	})
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
