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
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	"github.com/nhi-steward/steward/internal/access"
)

// A ServiceAccount's access summary must stay true when what it is made of
// changes: a role's rules, or the subjects of a binding. Each change wakes
// the namespaces of the ServiceAccounts it reaches.
//
// A grant to a group of every ServiceAccount (system:serviceaccounts,
// system:authenticated) is in no summary (access.Binding.GrantFor), so it
// wakes nothing: otherwise one tenant's RoleBinding to such a group would
// rewrite every ownership status in the cluster.

// watchAccess adds the watches of Roles and ClusterRoles to the namespace
// controller. A role's change enqueues its namespace (a Role) and the
// namespaces of the ServiceAccounts its bindings reach, found through
// accessRoleIndex.
func (r *NamespaceReconciler) watchAccess(b *builder.Builder) *builder.Builder {
	toNamespaces := handler.EnqueueRequestsFromMapFunc(r.roleNamespaces)
	rulesChanged := builder.WithPredicates(rulesChanged)
	return b.
		Watches(&rbacv1.Role{}, toNamespaces, rulesChanged).
		Watches(&rbacv1.ClusterRole{}, toNamespaces, rulesChanged)
}

// accessChangedBindings is the handler and predicate of a watch of
// RoleBindings and ClusterRoleBindings: any change to whom a binding
// reaches — created, deleted, subjects or its rbac-defaults label changed —
// enqueues the namespaces of the ServiceAccounts it reached before and
// after. That includes every binding that names a ServiceAccount anew,
// which keepRevoked removes again.
func (r *NamespaceReconciler) accessChangedBindings() (handler.EventHandler, predicate.Predicate) {
	return handler.EnqueueRequestsFromMapFunc(r.bindingNamespaces), reachChanged
}

// bindingNamespaces maps a binding to the namespaces of the ServiceAccounts
// it reaches.
func (r *NamespaceReconciler) bindingNamespaces(_ context.Context, obj client.Object) []reconcileRequest {
	b, ok := bindingOf(obj)
	if !ok {
		return nil
	}
	return r.reachedNamespaces(nil, []access.Binding{b})
}

// reachChanged passes binding events that can change a ServiceAccount's
// access.
var reachChanged = predicate.Funcs{
	CreateFunc: func(e event.CreateEvent) bool { return reachesAccounts(e.Object) },
	DeleteFunc: func(e event.DeleteEvent) bool { return reachesAccounts(e.Object) },
	UpdateFunc: func(e event.UpdateEvent) bool {
		before, okBefore := bindingOf(e.ObjectOld)
		after, okAfter := bindingOf(e.ObjectNew)
		if !okBefore || !okAfter {
			return false
		}
		if !reachesAccounts(e.ObjectOld) && !reachesAccounts(e.ObjectNew) {
			return false
		}
		return before.Defaults != after.Defaults || before.RoleRef != after.RoleRef ||
			!slices.Equal(before.Subjects, after.Subjects)
	},
	GenericFunc: func(event.GenericEvent) bool { return false },
}

// reachesAccounts reports whether a binding reaches some ServiceAccount.
func reachesAccounts(obj client.Object) bool {
	return len(accessSubjectKeys(obj)) > 0
}

// rulesChanged passes a role's creation and deletion, and updates of its
// rules (the cache holds nothing else of it).
var rulesChanged = predicate.Funcs{
	UpdateFunc: func(e event.UpdateEvent) bool {
		return !equality.Semantic.DeepEqual(rulesOf(e.ObjectOld), rulesOf(e.ObjectNew))
	},
	GenericFunc: func(event.GenericEvent) bool { return false },
}

func rulesOf(obj client.Object) []rbacv1.PolicyRule {
	switch role := obj.(type) {
	case *rbacv1.Role:
		return role.Rules
	case *rbacv1.ClusterRole:
		return role.Rules
	}
	return nil
}

// roleNamespaces maps a Role or ClusterRole to the namespaces whose
// summaries it is part of. A failed read of the cache is logged; the
// namespaces found so far are still enqueued.
func (r *NamespaceReconciler) roleNamespaces(ctx context.Context, role client.Object) []reconcileRequest {
	ref := rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: access.KindClusterRole, Name: role.GetName()}
	var namespaces []string
	if _, ok := role.(*rbacv1.Role); ok {
		ref.Kind = access.KindRole
		namespaces = append(namespaces, role.GetNamespace())
	}
	bindings, err := r.accessBindings(ctx, accessRoleIndex, access.RoleName(ref, role.GetNamespace()))
	if err != nil {
		logf.FromContext(ctx).Error(err, "finding the bindings of a changed role", "role", access.RoleName(ref, role.GetNamespace()))
	}
	return r.reachedNamespaces(namespaces, bindings)
}

// reachedNamespaces are the requests of the given namespaces and of those
// the bindings reach.
func (r *NamespaceReconciler) reachedNamespaces(namespaces []string, bindings []access.Binding) []reconcileRequest {
	for _, b := range bindings {
		namespaces = append(namespaces, b.Namespaces()...)
	}
	namespaces = slices.Compact(slices.Sorted(slices.Values(namespaces)))
	requests := make([]reconcileRequest, 0, len(namespaces))
	for _, namespace := range namespaces {
		requests = append(requests, reconcileRequest{NamespacedName: types.NamespacedName{Name: namespace}})
	}
	return requests
}
