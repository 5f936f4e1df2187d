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

// The groups a ServiceAccount's token authenticates with. Access granted to
// them reaches the account without naming it, and revoking the one account
// cannot take it away (internal/revoke reports it as residual).
const (
	// GroupAllServiceAccounts holds every ServiceAccount of the cluster.
	GroupAllServiceAccounts = "system:serviceaccounts"
	// GroupAuthenticated holds every authenticated client, ServiceAccounts
	// included.
	GroupAuthenticated = "system:authenticated"
	// groupNamespacePrefix prefixes the group of one namespace's
	// ServiceAccounts.
	groupNamespacePrefix = GroupAllServiceAccounts + ":"
	// userPrefix prefixes the user name a ServiceAccount authenticates as:
	// system:serviceaccount:NAMESPACE:NAME.
	userPrefix = "system:serviceaccount:"
)

// BootstrapLabel and BootstrapDefaults mark the API server's default RBAC
// policy. Its group bindings (discovery, basic-user, public-info-viewer,
// service-account-issuer-discovery) give every authenticated client the
// same harmless access: reporting them on every ServiceAccount would tell a
// reviewer nothing, so their group subjects are ignored, as internal/revoke
// ignores them for residual access. Its bindings that name a ServiceAccount
// directly (the kube-system controllers) are still reported.
const (
	BootstrapLabel    = "kubernetes.io/bootstrapping"
	BootstrapDefaults = "rbac-defaults"
)

// GroupsOf are the groups every ServiceAccount of a namespace belongs to.
func GroupsOf(namespace string) []string {
	return []string{GroupAllServiceAccounts, groupNamespacePrefix + namespace, GroupAuthenticated}
}

// GroupNamespace tells which ServiceAccounts a group holds: those of one
// namespace (system:serviceaccounts:NAMESPACE), or all of them (every is
// true). ok is false for a group no ServiceAccount is in.
func GroupNamespace(group string) (namespace string, every, ok bool) {
	switch {
	case group == GroupAllServiceAccounts || group == GroupAuthenticated:
		return "", true, true
	case strings.HasPrefix(group, groupNamespacePrefix) && len(group) > len(groupNamespacePrefix):
		return strings.TrimPrefix(group, groupNamespacePrefix), false, true
	}
	return "", false, false
}

// AccountOf is the "namespace/name" of the ServiceAccount a subject names,
// as the RBAC authorizer reads it: a ServiceAccount subject (without a
// namespace, in the binding's namespace; bindingNamespace is empty for a
// ClusterRoleBinding), or the user system:serviceaccount:NAMESPACE:NAME its
// tokens authenticate as. The API group of the subject is not compared: the
// authorizer does not compare it either.
func AccountOf(subject rbacv1.Subject, bindingNamespace string) (string, bool) {
	switch subject.Kind {
	case rbacv1.ServiceAccountKind:
		namespace := subject.Namespace
		if namespace == "" {
			namespace = bindingNamespace
		}
		if namespace == "" || subject.Name == "" {
			return "", false
		}
		return namespace + "/" + subject.Name, true
	case rbacv1.UserKind:
		rest, found := strings.CutPrefix(subject.Name, userPrefix)
		namespace, name, cut := strings.Cut(rest, ":")
		if !found || !cut || namespace == "" || name == "" || strings.Contains(name, ":") {
			return "", false
		}
		return namespace + "/" + name, true
	}
	return "", false
}

// Reaches reports whether a binding subject reaches the ServiceAccount
// namespace/name, and whether it does so through one of its groups
// (GroupsOf) rather than by naming it.
func Reaches(namespace, name string, subject rbacv1.Subject, bindingNamespace string) (reaches, viaGroup bool) {
	if subject.Kind == rbacv1.GroupKind {
		member := slices.Contains(GroupsOf(namespace), subject.Name)
		return member, member
	}
	account, ok := AccountOf(subject, bindingNamespace)
	return ok && account == namespace+"/"+name, false
}
