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

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

func rule(groups, resources, verbs []string) rbacv1.PolicyRule {
	return rbacv1.PolicyRule{APIGroups: groups, Resources: resources, Verbs: verbs}
}

func list(values ...string) []string { return values }

var core = list("")

func TestRiskyOf(t *testing.T) {
	everyRisk := []nhi.RiskyPermission{nhi.RiskWildcard, nhi.RiskReadSecrets, nhi.RiskCreatePods,
		nhi.RiskExecPods, nhi.RiskBind, nhi.RiskEscalate, nhi.RiskImpersonate}
	for _, tc := range []struct {
		name string
		rule rbacv1.PolicyRule
		want []nhi.RiskyPermission
	}{
		{"get secrets", rule(core, list("secrets"), list("get")), []nhi.RiskyPermission{nhi.RiskReadSecrets}},
		{"list secrets", rule(core, list("secrets"), list("list")), []nhi.RiskyPermission{nhi.RiskReadSecrets}},
		{"watch secrets", rule(core, list("secrets"), list("watch")), []nhi.RiskyPermission{nhi.RiskReadSecrets}},
		{"delete secrets only", rule(core, list("secrets"), list("delete")), nil},
		{"secrets of another API group", rule(list("example.com"), list("secrets"), list("get")), nil},
		{"get Secrets it names", rbacv1.PolicyRule{APIGroups: core, Resources: list("secrets"), Verbs: list("get"),
			ResourceNames: list("tls")}, []nhi.RiskyPermission{nhi.RiskReadSecrets}},
		{"create pods", rule(core, list("pods"), list("create")), []nhi.RiskyPermission{nhi.RiskCreatePods}},
		{"get and list pods", rule(core, list("pods"), list("get", "list")), nil},
		{"create replicationcontrollers", rule(core, list("replicationcontrollers"), list("create")),
			[]nhi.RiskyPermission{nhi.RiskCreatePods}},
		{"create deployments", rule(list("apps"), list("deployments"), list("create")),
			[]nhi.RiskyPermission{nhi.RiskCreatePods}},
		{"create statefulsets, daemonsets, replicasets", rule(list("apps"),
			list("statefulsets", "daemonsets", "replicasets"), list("create")), []nhi.RiskyPermission{nhi.RiskCreatePods}},
		{"create jobs", rule(list("batch"), list("jobs"), list("create")), []nhi.RiskyPermission{nhi.RiskCreatePods}},
		{"create cronjobs", rule(list("batch"), list("cronjobs"), list("create")),
			[]nhi.RiskyPermission{nhi.RiskCreatePods}},
		{"deployments in the wrong group", rule(core, list("deployments"), list("create")), nil},
		{"update deployments", rule(list("apps"), list("deployments"), list("update", "patch")), nil},
		{"create pods/exec", rule(core, list("pods/exec"), list("create")), []nhi.RiskyPermission{nhi.RiskExecPods}},
		{"get pods/exec (WebSockets)", rule(core, list("pods/exec"), list("get")),
			[]nhi.RiskyPermission{nhi.RiskExecPods}},
		{"create pods/attach", rule(core, list("pods/attach"), list("create")),
			[]nhi.RiskyPermission{nhi.RiskExecPods}},
		{"get pods/log", rule(core, list("pods/log"), list("get")), nil},
		{"bind roles", rule(list(rbacv1.GroupName), list("roles"), list("bind")), []nhi.RiskyPermission{nhi.RiskBind}},
		{"bind clusterroles", rule(list(rbacv1.GroupName), list("clusterroles"), list("bind")),
			[]nhi.RiskyPermission{nhi.RiskBind}},
		{"bind in the wrong group", rule(core, list("roles"), list("bind")), nil},
		{"escalate roles", rule(list(rbacv1.GroupName), list("roles", "clusterroles"), list("escalate")),
			[]nhi.RiskyPermission{nhi.RiskEscalate}},
		{"create roles", rule(list(rbacv1.GroupName), list("roles"), list("create")), nil},
		{"impersonate users", rule(core, list("users"), list("impersonate")),
			[]nhi.RiskyPermission{nhi.RiskImpersonate}},
		{"impersonate groups and serviceaccounts", rule(core, list("groups", "serviceaccounts"), list("impersonate")),
			[]nhi.RiskyPermission{nhi.RiskImpersonate}},
		{"impersonate uids", rule(list("authentication.k8s.io"), list("uids"), list("impersonate")),
			[]nhi.RiskyPermission{nhi.RiskImpersonate}},
		{"impersonate one user extra", rule(list("authentication.k8s.io"), list("userextras/scopes"),
			list("impersonate")), []nhi.RiskyPermission{nhi.RiskImpersonate}},
		{"constrained impersonation", rule(list("authentication.k8s.io"), list("users"),
			list("impersonate:user-info")), []nhi.RiskyPermission{nhi.RiskImpersonate}},
		{"impersonate nothing it can name", rule(core, list("configmaps"), list("impersonate")), nil},
		{"every verb on secrets", rule(core, list("secrets"), list("*")),
			[]nhi.RiskyPermission{nhi.RiskWildcard, nhi.RiskReadSecrets}},
		{"every verb on pods", rule(core, list("pods"), list("*")),
			[]nhi.RiskyPermission{nhi.RiskWildcard, nhi.RiskCreatePods}},
		{"every resource of core, read only", rule(core, list("*"), list("get", "list", "watch")),
			[]nhi.RiskyPermission{nhi.RiskWildcard, nhi.RiskReadSecrets, nhi.RiskExecPods}},
		{"every resource of apps, create", rule(list("apps"), list("*"), list("create")),
			[]nhi.RiskyPermission{nhi.RiskWildcard, nhi.RiskCreatePods}},
		{"every group's secrets", rule(list("*"), list("secrets"), list("get")),
			[]nhi.RiskyPermission{nhi.RiskWildcard, nhi.RiskReadSecrets}},
		{"every resource's exec", rule(core, list("*/exec"), list("create")),
			[]nhi.RiskyPermission{nhi.RiskWildcard, nhi.RiskExecPods}},
		{"every resource's status", rule(core, list("*/status"), list("get")),
			[]nhi.RiskyPermission{nhi.RiskWildcard}},
		{"everything", rule(list("*"), list("*"), list("*")), everyRisk},
		{"every non-resource URL", rbacv1.PolicyRule{NonResourceURLs: list("*"), Verbs: list("*")}, nil},
		{"no verbs", rule(core, list("secrets"), nil), nil},
		{"harmless", rule(core, list("configmaps"), list("get", "list", "watch", "create", "update")), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := RiskyOf(tc.rule); !slices.Equal(got, tc.want) {
				t.Errorf("RiskyOf(%+v) = %v, want %v", tc.rule, got, tc.want)
			}
		})
	}
}

// RiskOrder must stay the API's declared order, every value once.
func TestRiskOrder(t *testing.T) {
	want := []nhi.RiskyPermission{"ClusterAdmin", "Wildcard", "ReadSecrets", "CreatePods", "ExecPods", "Bind",
		"Escalate", "Impersonate"}
	if !slices.Equal(RiskOrder, want) {
		t.Errorf("RiskOrder = %v, want the enum's order %v", RiskOrder, want)
	}
}
