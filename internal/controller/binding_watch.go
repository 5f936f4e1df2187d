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

	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/manager"

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
