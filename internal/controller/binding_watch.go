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
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	"github.com/nhi-steward/steward/internal/revoke"
)

// A revoked ServiceAccount must stay revoked: a GitOps tool re-applying a
// RoleBinding, or a person adding the account back, would otherwise give
// back the access Steward removed. So Steward watches the bindings, wakes
// the namespace of every ServiceAccount a binding gains, and removes a
// revoked account again (see keepRevoked).

// bindingSubjectIndex indexes RoleBindings and ClusterRoleBindings in the
// cache by the ServiceAccounts they name, as "namespace/name".
const bindingSubjectIndex = "steward.dev/service-account-subjects"

// serviceAccountSubjects are the ServiceAccounts a binding names, as
// "namespace/name".
func serviceAccountSubjects(binding client.Object) []string {
	var subjects []rbacv1.Subject
	switch b := binding.(type) {
	case *rbacv1.RoleBinding:
		subjects = b.Subjects
	case *rbacv1.ClusterRoleBinding:
		subjects = b.Subjects
	}
	var out []string
	for _, s := range subjects {
		if key, ok := revoke.ServiceAccountOf(binding.GetNamespace(), s); ok {
			out = append(out, key)
		}
	}
	return slices.Compact(slices.Sorted(slices.Values(out)))
}

// indexBindingSubjects registers bindingSubjectIndex for both kinds.
func indexBindingSubjects(ctx context.Context, mgr manager.Manager) error {
	for _, obj := range []client.Object{&rbacv1.RoleBinding{}, &rbacv1.ClusterRoleBinding{}} {
		if err := mgr.GetFieldIndexer().IndexField(ctx, obj, bindingSubjectIndex, serviceAccountSubjects); err != nil {
			return err
		}
	}
	return nil
}

// subjectNamespaces maps a binding to the namespaces of the ServiceAccounts
// it names.
func subjectNamespaces(_ context.Context, binding client.Object) []reconcileRequest {
	var requests []reconcileRequest
	for _, subject := range serviceAccountSubjects(binding) {
		namespace, _, _ := strings.Cut(subject, "/")
		request := reconcileRequest{NamespacedName: types.NamespacedName{Name: namespace}}
		if !slices.Contains(requests, request) {
			requests = append(requests, request)
		}
	}
	return requests
}

// subjectsGained passes a binding created with ServiceAccount subjects, or
// updated to name a ServiceAccount it did not name before. Removals and
// deletions take access away: nothing to keep revoked.
var subjectsGained = predicate.Funcs{
	CreateFunc: func(e event.CreateEvent) bool { return len(serviceAccountSubjects(e.Object)) > 0 },
	UpdateFunc: func(e event.UpdateEvent) bool {
		before := serviceAccountSubjects(e.ObjectOld)
		for _, s := range serviceAccountSubjects(e.ObjectNew) {
			if !slices.Contains(before, s) {
				return true
			}
		}
		return false
	},
	DeleteFunc:  func(event.DeleteEvent) bool { return false },
	GenericFunc: func(event.GenericEvent) bool { return false },
}
