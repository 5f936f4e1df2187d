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

// Package access computes what a ServiceAccount can do through RBAC, as the
// nhi.AccessSummary reviewers and auditors read: where (cluster-wide, which
// namespaces), through which roles, whether through a group, and which of
// its permissions are the risky ones an auditor asks about first. It is
// pure: the controller reads bindings and roles from its cache and passes
// them in, and an unreadable input never reaches it.
package access

import (
	"slices"

	rbacv1 "k8s.io/api/rbac/v1"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

// MaxListedRoles is how many roles a summary names (the API's MaxItems).
const MaxListedRoles = 8

// ClusterAdmin is the built-in ClusterRole with every permission.
const ClusterAdmin = "cluster-admin"

// Role kinds, as a RoleRef names them.
const (
	KindRole        = "Role"
	KindClusterRole = "ClusterRole"
)

// Grant is one binding that reaches a ServiceAccount.
type Grant struct {
	// BindingKind is KindRoleBinding or KindClusterRoleBinding.
	BindingKind string
	// BindingNamespace is the RoleBinding's namespace, where it grants
	// (empty for a ClusterRoleBinding).
	BindingNamespace string
	BindingName      string
	RoleRef          rbacv1.RoleRef
	// ViaGroup is true when the binding reaches the ServiceAccount only
	// through one of its groups.
	ViaGroup bool
}

// RulesFunc looks up the rules of a binding's role; namespace is the
// binding's (a Role is in it). found is false for a role that does not
// exist.
type RulesFunc func(ref rbacv1.RoleRef, namespace string) (rules []rbacv1.PolicyRule, found bool)

// RoleName names a role for people: ClusterRole/NAME or
// Role/NAMESPACE/NAME, namespace being the binding's.
func RoleName(ref rbacv1.RoleRef, namespace string) string {
	if ref.Kind == KindClusterRole {
		return KindClusterRole + "/" + ref.Name
	}
	return KindRole + "/" + namespace + "/" + ref.Name
}

// Summarize is what the grants allow; nil when there are none.
//
// A RoleBinding grants in its namespace, also when it refers to a
// ClusterRole; a ClusterRoleBinding grants cluster-wide. Where a grant
// applies is read from the binding alone, so a binding to a role that does
// not exist still counts its namespace, or ClusterWide: it grants nothing
// today, but whatever a role of that name is given the day it is created.
// Such a role is listed, and contributes no risky permission. A binding to
// cluster-admin is ClusterAdmin whether it is a RoleBinding (all of one
// namespace) or a ClusterRoleBinding (ClusterWide says which); the risky
// permissions its rules imply are added when they are known.
func Summarize(grants []Grant, rules RulesFunc) *nhi.AccessSummary {
	if len(grants) == 0 {
		return nil
	}
	summary := &nhi.AccessSummary{}
	namespaces := map[string]bool{}
	roles := map[string]bool{}
	risky := map[nhi.RiskyPermission]bool{}
	for _, g := range grants {
		if g.BindingKind == KindClusterRoleBinding {
			summary.ClusterWide = true
		} else {
			namespaces[g.BindingNamespace] = true
		}
		summary.ViaGroups = summary.ViaGroups || g.ViaGroup
		if g.RoleRef.Kind == KindClusterRole && g.RoleRef.Name == ClusterAdmin {
			risky[nhi.RiskClusterAdmin] = true
		}
		role := RoleName(g.RoleRef, g.BindingNamespace)
		if roles[role] {
			continue
		}
		roles[role] = true
		ruleList, found := rules(g.RoleRef, g.BindingNamespace)
		if !found {
			continue
		}
		for _, rule := range ruleList {
			for _, risk := range RiskyOf(rule) {
				risky[risk] = true
			}
		}
	}
	summary.NamespaceCount = int32(len(namespaces))
	summary.Namespaces = firstSorted(namespaces, nhi.MaxListedNamespaces)
	summary.Roles = firstSorted(roles, MaxListedRoles)
	summary.Risky = ordered(risky)
	return summary
}

// firstSorted lists the first n keys of a set, sorted; nil for none.
func firstSorted(set map[string]bool, n int) []string {
	if len(set) == 0 {
		return nil
	}
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys[:min(n, len(keys))]
}
