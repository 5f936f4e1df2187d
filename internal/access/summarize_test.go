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
	"fmt"
	"reflect"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

func clusterRole(name string) rbacv1.RoleRef {
	return rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: KindClusterRole, Name: name}
}

func role(name string) rbacv1.RoleRef {
	return rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: KindRole, Name: name}
}

func roleBinding(namespace string, ref rbacv1.RoleRef) Grant {
	return Grant{BindingKind: KindRoleBinding, BindingNamespace: namespace, BindingName: "b", RoleRef: ref}
}

func clusterBinding(ref rbacv1.RoleRef) Grant {
	return Grant{BindingKind: KindClusterRoleBinding, BindingName: "c", RoleRef: ref}
}

// roles is a cluster's roles, by RoleName.
var roles = map[string][]rbacv1.PolicyRule{
	"ClusterRole/cluster-admin": {rule(list("*"), list("*"), list("*")),
		{NonResourceURLs: list("*"), Verbs: list("*")}},
	"ClusterRole/view":          {rule(core, list("pods", "configmaps"), list("get", "list", "watch"))},
	"ClusterRole/secret-reader": {rule(core, list("secrets"), list("get"))},
	"ClusterRole/deployer":      {rule(list("apps"), list("deployments"), list("create", "update"))},
	"ClusterRole/debugger":      {rule(core, list("pods/exec"), list("create"))},
	"Role/shop/impersonator":    {rule(core, list("serviceaccounts"), list("impersonate"))},
	"Role/shop/binder": {rule(list(rbacv1.GroupName), list("roles"), list("bind", "escalate")),
		rule(core, list("configmaps"), list("*"))},
	"Role/billing/binder": {},
}

func lookup(ref rbacv1.RoleRef, namespace string) ([]rbacv1.PolicyRule, bool) {
	rules, found := roles[RoleName(ref, namespace)]
	return rules, found
}

func TestSummarize(t *testing.T) {
	for _, tc := range []struct {
		name   string
		grants []Grant
		want   *nhi.AccessSummary
	}{
		{"no grants", nil, nil},
		{"a Role in its namespace", []Grant{roleBinding(shop, role("binder"))}, &nhi.AccessSummary{
			NamespaceCount: 1, Namespaces: list(shop), Roles: list("Role/shop/binder"),
			Risky: []nhi.RiskyPermission{nhi.RiskWildcard, nhi.RiskBind, nhi.RiskEscalate}}},
		{"a Role of the same name elsewhere is another role", []Grant{roleBinding(billing, role("binder"))},
			&nhi.AccessSummary{NamespaceCount: 1, Namespaces: list(billing), Roles: list("Role/billing/binder")}},
		{"a RoleBinding to a ClusterRole grants in its namespace only",
			[]Grant{roleBinding(billing, clusterRole("secret-reader"))}, &nhi.AccessSummary{
				NamespaceCount: 1, Namespaces: list(billing), Roles: list("ClusterRole/secret-reader"),
				Risky: []nhi.RiskyPermission{nhi.RiskReadSecrets}}},
		{"a ClusterRoleBinding grants cluster-wide", []Grant{clusterBinding(clusterRole("view"))},
			&nhi.AccessSummary{ClusterWide: true, Roles: list("ClusterRole/view")}},
		{"cluster-admin, and all it implies", []Grant{clusterBinding(clusterRole("cluster-admin"))},
			&nhi.AccessSummary{ClusterWide: true, Roles: list("ClusterRole/cluster-admin"),
				Risky: []nhi.RiskyPermission{nhi.RiskClusterAdmin, nhi.RiskWildcard, nhi.RiskReadSecrets,
					nhi.RiskCreatePods, nhi.RiskExecPods, nhi.RiskBind, nhi.RiskEscalate, nhi.RiskImpersonate}}},
		{"a Role named cluster-admin is not cluster-admin", []Grant{roleBinding(billing, role("cluster-admin"))},
			&nhi.AccessSummary{NamespaceCount: 1, Namespaces: list(billing), Roles: list("Role/billing/cluster-admin")}},
		{"a missing role is listed and grants nothing, but its binding still counts",
			[]Grant{roleBinding(shop, role("gone")), clusterBinding(clusterRole("gone"))},
			&nhi.AccessSummary{ClusterWide: true, NamespaceCount: 1, Namespaces: list(shop),
				Roles: list("ClusterRole/gone", "Role/shop/gone")}},
		{"a group grant", []Grant{{BindingKind: KindClusterRoleBinding, RoleRef: clusterRole("debugger"),
			ViaGroup: true}, roleBinding(shop, clusterRole("view"))},
			&nhi.AccessSummary{ClusterWide: true, NamespaceCount: 1, Namespaces: list(shop),
				Roles: list("ClusterRole/debugger", "ClusterRole/view"), Risky: []nhi.RiskyPermission{nhi.RiskExecPods},
				ViaGroups: true}},
		{"risky permissions of several roles, in the API's order", []Grant{
			roleBinding(shop, role("impersonator")), clusterBinding(clusterRole("deployer")),
			roleBinding(shop, clusterRole("secret-reader")), roleBinding(billing, clusterRole("secret-reader"))},
			&nhi.AccessSummary{ClusterWide: true, NamespaceCount: 2, Namespaces: list(billing, shop),
				Roles: list("ClusterRole/deployer", "ClusterRole/secret-reader", "Role/shop/impersonator"),
				Risky: []nhi.RiskyPermission{nhi.RiskReadSecrets, nhi.RiskCreatePods, nhi.RiskImpersonate}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Summarize(tc.grants, lookup); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Summarize =\n %+v\nwant\n %+v", got, tc.want)
			}
		})
	}
}

// Without its rules, a binding to cluster-admin is still ClusterAdmin: the
// name is the API server's own super-user role.
func TestSummarizeClusterAdminWithoutRules(t *testing.T) {
	got := Summarize([]Grant{roleBinding(shop, clusterRole("cluster-admin"))},
		func(rbacv1.RoleRef, string) ([]rbacv1.PolicyRule, bool) { return nil, false })
	want := &nhi.AccessSummary{NamespaceCount: 1, Namespaces: list(shop), Roles: list("ClusterRole/cluster-admin"),
		Risky: []nhi.RiskyPermission{nhi.RiskClusterAdmin}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Summarize = %+v, want %+v", got, want)
	}
}

// Namespaces and roles are listed up to their caps, sorted; the count
// counts them all. Each role's rules are read once, however many bindings
// refer to it.
func TestSummarizeCaps(t *testing.T) {
	grants := make([]Grant, 0, 24)
	for i := range 12 {
		namespace := fmt.Sprintf("ns-%02d", 11-i)
		grants = append(grants, roleBinding(namespace, role("app")), roleBinding(namespace, clusterRole("view")))
	}
	reads := map[string]int{}
	got := Summarize(grants, func(ref rbacv1.RoleRef, namespace string) ([]rbacv1.PolicyRule, bool) {
		reads[RoleName(ref, namespace)]++
		return nil, true
	})
	if got.NamespaceCount != 12 || len(got.Namespaces) != nhi.MaxListedNamespaces || got.Namespaces[0] != "ns-00" ||
		got.Namespaces[7] != "ns-07" {
		t.Errorf("namespaces: %d %v", got.NamespaceCount, got.Namespaces)
	}
	wantRoles := list("ClusterRole/view", "Role/ns-00/app", "Role/ns-01/app", "Role/ns-02/app", "Role/ns-03/app",
		"Role/ns-04/app", "Role/ns-05/app", "Role/ns-06/app")
	if !reflect.DeepEqual(got.Roles, wantRoles) {
		t.Errorf("roles = %v, want %v", got.Roles, wantRoles)
	}
	if len(reads) != 13 || reads["ClusterRole/view"] != 1 {
		t.Errorf("rules read %v, want each of the 13 roles once", reads)
	}
}
