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

package access

import (
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
)

// Binding kinds, as Grant.BindingKind names them.
const (
	KindRoleBinding        = "RoleBinding"
	KindClusterRoleBinding = "ClusterRoleBinding"
)

// Binding is a RoleBinding or a ClusterRoleBinding, reduced to what
// decides whom it reaches.
type Binding struct {
	// Kind is KindRoleBinding or KindClusterRoleBinding.
	Kind string
	// Namespace is the RoleBinding's namespace; empty for a
	// ClusterRoleBinding.
	Namespace string
	Name      string
	RoleRef   rbacv1.RoleRef
	Subjects  []rbacv1.Subject
	// Defaults is true for the API server's default policy (BootstrapLabel):
	// its group subjects are ignored.
	Defaults bool
}

// FromRoleBinding reads a RoleBinding. A RoleBinding is never the default
// policy: namespace admins write RoleBindings, and their label could
// otherwise hide a grant from reviewers.
func FromRoleBinding(b *rbacv1.RoleBinding) Binding {
	return Binding{Kind: KindRoleBinding, Namespace: b.Namespace, Name: b.Name, RoleRef: b.RoleRef,
		Subjects: b.Subjects}
}

// FromClusterRoleBinding reads a ClusterRoleBinding; IsDefaultPolicy says
// whether it is the API server's own.
func FromClusterRoleBinding(b *rbacv1.ClusterRoleBinding) Binding {
	return Binding{Kind: KindClusterRoleBinding, Name: b.Name, RoleRef: b.RoleRef,
		Subjects: b.Subjects, Defaults: IsDefaultPolicy(b.Name, b.Labels)}
}

// IsDefaultPolicy reports whether a ClusterRoleBinding is the API server's
// default policy: labelled BootstrapDefaults and named system:…. Only
// cluster admins write ClusterRoleBindings.
func IsDefaultPolicy(name string, labels map[string]string) bool {
	return labels[BootstrapLabel] == BootstrapDefaults && strings.HasPrefix(name, "system:")
}

// Accounts are the ServiceAccounts the binding names ("namespace/name",
// either as ServiceAccount or as system:serviceaccount: user subjects),
// sorted, without duplicates.
func (b Binding) Accounts() []string {
	var out []string
	for _, s := range b.Subjects {
		if account, ok := AccountOf(s, b.Namespace); ok {
			out = append(out, account)
		}
	}
	return slices.Compact(slices.Sorted(slices.Values(out)))
}

// Groups are the groups of one namespace's ServiceAccounts the binding
// names (see GroupNamespace), sorted, without duplicates; none for the
// default policy.
func (b Binding) Groups() []string {
	if b.Defaults {
		return nil
	}
	var out []string
	for _, s := range b.Subjects {
		if _, every, ok := GroupNamespace(s.Name); ok && !every && s.Kind == rbacv1.GroupKind {
			out = append(out, s.Name)
		}
	}
	return slices.Compact(slices.Sorted(slices.Values(out)))
}

// Namespaces are the namespaces of the ServiceAccounts the binding reaches,
// sorted: a change to the binding, or to its role, changes what these
// ServiceAccounts can do. Groups of every ServiceAccount are not counted
// (see GrantFor).
func (b Binding) Namespaces() []string {
	accounts, groups := b.Accounts(), b.Groups()
	namespaces := make([]string, 0, len(accounts)+len(groups))
	for _, account := range accounts {
		namespace, _, _ := strings.Cut(account, "/")
		namespaces = append(namespaces, namespace)
	}
	for _, group := range groups {
		namespace, _, _ := GroupNamespace(group)
		namespaces = append(namespaces, namespace)
	}
	return slices.Compact(slices.Sorted(slices.Values(namespaces)))
}

// GrantFor is what the binding grants the ServiceAccount namespace/name:
// false when no subject reaches it. A binding that names the account
// directly is not ViaGroup, even when it also names one of its groups:
// revoking the account removes that grant.
func (b Binding) GrantFor(namespace, name string) (Grant, bool) {
	reached, direct := false, false
	for _, s := range b.Subjects {
		if s.Kind == rbacv1.GroupKind {
			if _, every, _ := GroupNamespace(s.Name); every || b.Defaults {
				// A grant to every ServiceAccount at once is nobody's own
				// privilege: attributing it to each would rewrite every
				// summary in the cluster whenever one such binding changes.
				continue
			}
		}
		if ok, viaGroup := Reaches(namespace, name, s, b.Namespace); ok {
			reached, direct = true, direct || !viaGroup
		}
	}
	if !reached {
		return Grant{}, false
	}
	return Grant{BindingKind: b.Kind, BindingNamespace: b.Namespace, BindingName: b.Name, RoleRef: b.RoleRef,
		ViaGroup: !direct}, true
}

// GrantsFor are the grants of the bindings that reach the ServiceAccount
// namespace/name. A binding listed twice (found both by name and through a
// group) counts once.
func GrantsFor(namespace, name string, bindings []Binding) []Grant {
	type key struct{ kind, namespace, name string }
	seen := map[key]bool{}
	var grants []Grant
	for _, b := range bindings {
		k := key{b.Kind, b.Namespace, b.Name}
		if seen[k] {
			continue
		}
		seen[k] = true
		if g, ok := b.GrantFor(namespace, name); ok {
			grants = append(grants, g)
		}
	}
	return grants
}
