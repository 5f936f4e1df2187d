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
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
)

// Namespaces of the tests.
const (
	shop    = "shop"
	billing = "billing"
)

func sa(namespace, name string) rbacv1.Subject {
	return rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Namespace: namespace, Name: name}
}

func user(name string) rbacv1.Subject {
	return rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: name}
}

func group(name string) rbacv1.Subject {
	return rbacv1.Subject{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: name}
}

// The ServiceAccount shop/checkout, reached from a binding in
// bindingNamespace ("" for a ClusterRoleBinding).
func TestReaches(t *testing.T) {
	for _, tc := range []struct {
		name             string
		subject          rbacv1.Subject
		bindingNamespace string
		reaches, group   bool
	}{
		{"ServiceAccount subject", sa(shop, "checkout"), "", true, false},
		{"ServiceAccount subject of a RoleBinding elsewhere", sa(shop, "checkout"), billing, true, false},
		{"ServiceAccount subject without namespace, in the binding's", sa("", "checkout"), shop, true, false},
		{"ServiceAccount subject without namespace, elsewhere", sa("", "checkout"), billing, false, false},
		{"ServiceAccount subject without namespace, cluster-wide", sa("", "checkout"), "", false, false},
		{"another ServiceAccount", sa(shop, "cart"), "", false, false},
		{"a namesake in another namespace", sa(billing, "checkout"), "", false, false},
		{"the user it authenticates as", user("system:serviceaccount:shop:checkout"), "", true, false},
		{"another user", user("system:serviceaccount:shop:cart"), "", false, false},
		{"a person", user("checkout@example.com"), "", false, false},
		{"all ServiceAccounts", group("system:serviceaccounts"), "", true, true},
		{"its namespace's ServiceAccounts", group("system:serviceaccounts:shop"), billing, true, true},
		{"another namespace's ServiceAccounts", group("system:serviceaccounts:billing"), "", false, false},
		{"every authenticated client", group("system:authenticated"), "", true, true},
		{"unauthenticated clients", group("system:unauthenticated"), "", false, false},
		{"a group of people", group("shop-admins"), shop, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reaches, viaGroup := Reaches(shop, "checkout", tc.subject, tc.bindingNamespace)
			if reaches != tc.reaches || viaGroup != tc.group {
				t.Errorf("Reaches = %v, %v; want %v, %v", reaches, viaGroup, tc.reaches, tc.group)
			}
		})
	}
}

func TestAccountOf(t *testing.T) {
	for _, tc := range []struct {
		subject rbacv1.Subject
		want    string
	}{
		{user("system:serviceaccount:shop:checkout"), "shop/checkout"},
		{user("system:serviceaccount:shop"), ""},
		{user("system:serviceaccount::checkout"), ""},
		{user("system:serviceaccount:shop:"), ""},
		{user("system:serviceaccount:shop:checkout:x"), ""},
		{user("system:serviceaccounts:shop:checkout"), ""},
		{group("system:serviceaccount:shop:checkout"), ""},
		{sa(shop, ""), ""},
	} {
		got, ok := AccountOf(tc.subject, shop)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("AccountOf(%+v) = %q, %v; want %q", tc.subject, got, ok, tc.want)
		}
	}
}

func TestGroupsOf(t *testing.T) {
	want := []string{"system:serviceaccounts", "system:serviceaccounts:shop", "system:authenticated"}
	if got := GroupsOf(shop); !slices.Equal(got, want) {
		t.Errorf("GroupsOf = %v, want %v", got, want)
	}
	for _, g := range want {
		if _, _, ok := GroupNamespace(g); !ok {
			t.Errorf("GroupNamespace(%q) does not know the group", g)
		}
	}
	if _, _, ok := GroupNamespace("system:serviceaccounts:"); ok {
		t.Error("a group of no namespace holds no ServiceAccount")
	}
}

func TestBindingNamespaces(t *testing.T) {
	for _, tc := range []struct {
		name    string
		binding Binding
		want    []string
		_       bool
	}{
		{"accounts named both ways, and a group of one namespace", Binding{Kind: KindRoleBinding, Namespace: shop,
			Subjects: []rbacv1.Subject{sa("", "checkout"), user("system:serviceaccount:billing:invoicer"),
				group("system:serviceaccounts:audit"), user("ops@example.com"), sa(shop, "cart")}},
			[]string{"audit", billing, shop}, false},
		{"every ServiceAccount: not counted", Binding{Kind: KindClusterRoleBinding,
			Subjects: []rbacv1.Subject{group("system:serviceaccounts"), sa(shop, "checkout")}},
			[]string{shop}, false},
		{"the default policy's groups", Binding{Kind: KindClusterRoleBinding, Defaults: true,
			Subjects: []rbacv1.Subject{group("system:authenticated")}}, nil, false},
		{"the default policy's controllers", Binding{Kind: KindClusterRoleBinding, Defaults: true,
			Subjects: []rbacv1.Subject{sa("kube-system", "deployment-controller")}}, []string{"kube-system"}, false},
		{"people only", Binding{Kind: KindClusterRoleBinding, Subjects: []rbacv1.Subject{group("system:masters")}},
			nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.binding.Namespaces(); !slices.Equal(got, tc.want) {
				t.Errorf("Namespaces = %v; want %v", got, tc.want)
			}
		})
	}
}

func TestGrantFor(t *testing.T) {
	ref := rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "view"}
	for _, tc := range []struct {
		name     string
		binding  Binding
		reaches  bool
		viaGroup bool
	}{
		{"named", Binding{Subjects: []rbacv1.Subject{sa(shop, "checkout")}}, true, false},
		{"named and through a group", Binding{Subjects: []rbacv1.Subject{group("system:authenticated"),
			user("system:serviceaccount:shop:checkout")}}, true, false},
		{"through its namespace's group", Binding{Subjects: []rbacv1.Subject{group("system:serviceaccounts:shop")}}, true, true},
		{"through the group of every ServiceAccount: nobody's own", Binding{Subjects: []rbacv1.Subject{
			group("system:serviceaccounts")}}, false, false},
		{"through system:authenticated: nobody's own", Binding{Subjects: []rbacv1.Subject{
			group("system:authenticated")}}, false, false},
		{"the default policy's group", Binding{Defaults: true,
			Subjects: []rbacv1.Subject{group("system:authenticated")}}, false, false},
		{"named by the default policy", Binding{Defaults: true,
			Subjects: []rbacv1.Subject{sa(shop, "checkout")}}, true, false},
		{"not reached", Binding{Subjects: []rbacv1.Subject{sa(shop, "cart")}}, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.binding.Kind, tc.binding.Namespace, tc.binding.Name, tc.binding.RoleRef = KindRoleBinding, shop, "b", ref
			g, ok := tc.binding.GrantFor(shop, "checkout")
			if ok != tc.reaches || g.ViaGroup != tc.viaGroup {
				t.Fatalf("GrantFor = %+v, %v; want reached %v, via group %v", g, ok, tc.reaches, tc.viaGroup)
			}
			want := Grant{BindingKind: KindRoleBinding, BindingNamespace: shop, BindingName: "b", RoleRef: ref,
				ViaGroup: tc.viaGroup}
			if ok && g != want {
				t.Errorf("GrantFor = %+v, want %+v", g, want)
			}
		})
	}
}

// A binding found twice, by name and through a group, is one grant.
func TestGrantsForCountsABindingOnce(t *testing.T) {
	b := Binding{Kind: KindClusterRoleBinding, Name: "readers",
		Subjects: []rbacv1.Subject{sa(shop, "checkout"), group("system:serviceaccounts")}}
	other := Binding{Kind: KindRoleBinding, Namespace: shop, Name: "readers",
		Subjects: []rbacv1.Subject{group("system:serviceaccounts:shop")}}
	grants := GrantsFor(shop, "checkout", []Binding{b, other, b})
	if len(grants) != 2 || grants[0].ViaGroup || !grants[1].ViaGroup {
		t.Errorf("GrantsFor = %+v, want the ClusterRoleBinding (named) and the RoleBinding (group)", grants)
	}
}

func TestFromBindings(t *testing.T) {
	rb := &rbacv1.RoleBinding{}
	rb.Namespace, rb.Name, rb.Labels = shop, "b", map[string]string{BootstrapLabel: BootstrapDefaults}
	if got := FromRoleBinding(rb); got.Kind != KindRoleBinding || got.Namespace != shop || got.Defaults {
		t.Errorf("FromRoleBinding = %+v: a tenant's label must not make a RoleBinding the default policy", got)
	}
	forged := &rbacv1.ClusterRoleBinding{}
	forged.Name, forged.Labels = "tenant-readers", map[string]string{BootstrapLabel: BootstrapDefaults}
	if FromClusterRoleBinding(forged).Defaults {
		t.Error("a ClusterRoleBinding not named system:… is not the default policy")
	}
	defaults := &rbacv1.ClusterRoleBinding{}
	defaults.Name, defaults.Labels = "system:discovery", map[string]string{BootstrapLabel: BootstrapDefaults}
	if !FromClusterRoleBinding(defaults).Defaults {
		t.Error("system:discovery is the default policy")
	}
	crb := &rbacv1.ClusterRoleBinding{}
	crb.Name = "c"
	if got := FromClusterRoleBinding(crb); got.Kind != KindClusterRoleBinding || got.Name != "c" || got.Defaults {
		t.Errorf("FromClusterRoleBinding = %+v", got)
	}
}
