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
	"fmt"
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/manager"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/access"
)

// Privilege context: what each ServiceAccount can do through RBAC, which a
// reviewer and an auditor need beside its owner. It is read from the cache
// like every other input: the bindings (cached for revocation already,
// indexed here by whom they reach and by their role) and the Roles and
// ClusterRoles (cached here, stripped to their rules). internal/access
// computes the summary.

// +kubebuilder:rbac:groups=rbac.authorization.k8s.io,resources=roles;clusterroles,verbs=get;list;watch

const (
	// accessSubjectIndex indexes RoleBindings and ClusterRoleBindings by
	// whom they reach: "namespace/name" of each ServiceAccount they name,
	// as a ServiceAccount subject or as the user
	// system:serviceaccount:NAMESPACE:NAME (which bindingSubjectIndex does
	// not cover), and "group:NAME" of each ServiceAccount group they name.
	accessSubjectIndex = "steward.dev/access-subjects"
	// accessRoleIndex indexes them by their role, as access.RoleName
	// spells it, so that a role's change finds its bindings.
	accessRoleIndex = "steward.dev/access-role"
	// accessNamespaceIndex indexes them by the namespaces of the
	// ServiceAccounts they name (accessNamespaceKeys).
	accessNamespaceIndex = "steward.dev/access-namespaces"
	// groupKeyPrefix prefixes a group in accessSubjectIndex.
	groupKeyPrefix = "group:"
)

// AccessCacheObjects are the cache options of Roles and ClusterRoles, to
// merge into the manager's cache.Options.ByObject.
func AccessCacheObjects() map[client.Object]cache.ByObject {
	return map[client.Object]cache.ByObject{
		&rbacv1.Role{}:        {Transform: stripRole},
		&rbacv1.ClusterRole{}: {Transform: stripRole},
	}
}

// stripRole keeps of a role only its identity and rules: the summary reads
// nothing else. Labels and annotations go too (a ClusterRole's aggregation
// labels are kube-controller-manager's business, and the rules it
// aggregates are already in .rules), and so does the aggregation rule.
func stripRole(obj any) (any, error) {
	if o, ok := obj.(client.Object); ok {
		o.SetManagedFields(nil)
		o.SetLabels(nil)
		o.SetAnnotations(nil)
		o.SetOwnerReferences(nil)
	}
	if cr, ok := obj.(*rbacv1.ClusterRole); ok {
		cr.AggregationRule = nil
	}
	return obj, nil
}

// bindingOf reads a cached RoleBinding or ClusterRoleBinding.
func bindingOf(obj client.Object) (access.Binding, bool) {
	switch b := obj.(type) {
	case *rbacv1.RoleBinding:
		return access.FromRoleBinding(b), true
	case *rbacv1.ClusterRoleBinding:
		return access.FromClusterRoleBinding(b), true
	}
	return access.Binding{}, false
}

// accessSubjectKeys are a binding's accessSubjectIndex keys. The default
// policy's group subjects have none (access.Binding.Groups).
func accessSubjectKeys(obj client.Object) []string {
	b, ok := bindingOf(obj)
	if !ok {
		return nil
	}
	keys := b.Accounts()
	for _, group := range b.Groups() {
		keys = append(keys, groupKeyPrefix+group)
	}
	return keys
}

// accessNamespaceKeys are the namespaces of the ServiceAccounts a binding
// names: one read of the index finds every binding of a namespace's
// accounts, however many accounts it has.
func accessNamespaceKeys(obj client.Object) []string {
	b, ok := bindingOf(obj)
	if !ok {
		return nil
	}
	var namespaces []string
	for _, account := range b.Accounts() {
		namespace, _, _ := strings.Cut(account, "/")
		namespaces = append(namespaces, namespace)
	}
	return slices.Compact(namespaces) // Accounts are sorted
}

// accessRoleKeys is a binding's accessRoleIndex key.
func accessRoleKeys(obj client.Object) []string {
	b, ok := bindingOf(obj)
	if !ok {
		return nil
	}
	return []string{access.RoleName(b.RoleRef, b.Namespace)}
}

// indexAccessBindings registers accessSubjectIndex and accessRoleIndex for
// both binding kinds.
func indexAccessBindings(ctx context.Context, mgr manager.Manager) error {
	indexer := mgr.GetFieldIndexer()
	for _, obj := range []client.Object{&rbacv1.RoleBinding{}, &rbacv1.ClusterRoleBinding{}} {
		if err := indexer.IndexField(ctx, obj, accessSubjectIndex, accessSubjectKeys); err != nil {
			return fmt.Errorf("indexing bindings by whom they reach: %w", err)
		}
		if err := indexer.IndexField(ctx, obj, accessRoleIndex, accessRoleKeys); err != nil {
			return fmt.Errorf("indexing bindings by role: %w", err)
		}
		if err := indexer.IndexField(ctx, obj, accessNamespaceIndex, accessNamespaceKeys); err != nil {
			return fmt.Errorf("indexing bindings by their accounts' namespaces: %w", err)
		}
	}
	return nil
}

// readAccess summarises what each of a namespace's ServiceAccounts can do
// (access.Summarize); a ServiceAccount with no grant has no entry. The
// bindings through the namespace's groups are read once; each account's
// own through the index. Any read failure is returned: Steward never acts
// on a partial view. A role that does not exist is no failure: it grants
// nothing.
func (r *NamespaceReconciler) readAccess(ctx context.Context, namespace string,
	serviceAccounts []string) (map[string]*nhi.AccessSummary, error) {
	groups := access.GroupsOf(namespace)
	keys := make([]string, 0, len(groups))
	for _, group := range groups {
		keys = append(keys, groupKeyPrefix+group)
	}
	shared, err := r.accessBindings(ctx, accessSubjectIndex, keys...)
	if err != nil {
		return nil, err
	}
	// Every binding naming one of the namespace's accounts, in one read,
	// rather than one read per account.
	naming, err := r.accessBindings(ctx, accessNamespaceIndex, namespace)
	if err != nil {
		return nil, err
	}
	byAccount := map[string][]access.Binding{}
	for _, b := range naming {
		for _, account := range b.Accounts() {
			if ns, name, _ := strings.Cut(account, "/"); ns == namespace {
				byAccount[name] = append(byAccount[name], b)
			}
		}
	}
	rules, rulesErr := r.roleRules(ctx)
	summaries := make(map[string]*nhi.AccessSummary, len(serviceAccounts))
	for _, name := range serviceAccounts {
		named := byAccount[name]
		if len(named) == 0 && len(shared) == 0 {
			continue // nothing reaches it
		}
		summary := access.Summarize(access.GrantsFor(namespace, name, append(slices.Clip(named), shared...)), rules)
		if err := rulesErr(); err != nil {
			return nil, err
		}
		if summary != nil {
			summaries[name] = summary
		}
	}
	return summaries, nil
}

// accessBindings lists the cached bindings of both kinds under any of the
// keys of an index. The cached objects are not copied: they are only read,
// and a namespace of many ServiceAccounts would copy each shared binding
// once per account.
func (r *NamespaceReconciler) accessBindings(ctx context.Context, index string, keys ...string) ([]access.Binding, error) {
	var bindings []access.Binding
	for _, key := range keys {
		selector := client.MatchingFields{index: key}
		roleBindings := &rbacv1.RoleBindingList{}
		if err := r.List(ctx, roleBindings, selector, client.UnsafeDisableDeepCopy); err != nil {
			return nil, fmt.Errorf("listing RoleBindings of %s: %w", key, err)
		}
		for i := range roleBindings.Items {
			bindings = append(bindings, access.FromRoleBinding(&roleBindings.Items[i]))
		}
		clusterBindings := &rbacv1.ClusterRoleBindingList{}
		if err := r.List(ctx, clusterBindings, selector, client.UnsafeDisableDeepCopy); err != nil {
			return nil, fmt.Errorf("listing ClusterRoleBindings of %s: %w", key, err)
		}
		for i := range clusterBindings.Items {
			bindings = append(bindings, access.FromClusterRoleBinding(&clusterBindings.Items[i]))
		}
	}
	return bindings, nil
}

// roleRules looks roles up in the cache, each once per reconcile. access
// asks for rules without taking an error, so the first read failure is
// kept for failed to return; a role that does not exist is not found, and
// no failure.
func (r *NamespaceReconciler) roleRules(ctx context.Context) (rules access.RulesFunc, failed func() error) {
	type read struct {
		rules []rbacv1.PolicyRule
		found bool
	}
	done := map[string]read{}
	var firstErr error
	rules = func(ref rbacv1.RoleRef, namespace string) ([]rbacv1.PolicyRule, bool) {
		name := access.RoleName(ref, namespace)
		if got, ok := done[name]; ok {
			return got.rules, got.found
		}
		var obj client.Object
		var policy *[]rbacv1.PolicyRule
		switch {
		case ref.Kind == access.KindClusterRole:
			role := &rbacv1.ClusterRole{}
			obj, policy = role, &role.Rules
		case ref.Kind == access.KindRole && namespace != "":
			role := &rbacv1.Role{}
			obj, policy = role, &role.Rules
		default:
			// The authorizer resolves no other reference: it grants nothing.
			done[name] = read{}
			return nil, false
		}
		err := r.Get(ctx, types.NamespacedName{Namespace: namespace, Name: ref.Name}, obj)
		switch {
		case apierrors.IsNotFound(err):
			done[name] = read{}
		case err != nil:
			if firstErr == nil {
				firstErr = fmt.Errorf("reading %s: %w", name, err)
			}
			return nil, false
		default:
			done[name] = read{rules: *policy, found: true}
		}
		return done[name].rules, done[name].found
	}
	return rules, func() error { return firstErr }
}
