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

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

// RiskOrder is the order risky permissions are listed in: the order the
// API declares them, most alarming first.
var RiskOrder = []nhi.RiskyPermission{
	nhi.RiskClusterAdmin, nhi.RiskWildcard, nhi.RiskReadSecrets, nhi.RiskCreatePods,
	nhi.RiskExecPods, nhi.RiskBind, nhi.RiskEscalate, nhi.RiskImpersonate,
}

// anyGroup in a riskCheck matches a rule of any API group.
var anyGroup []string

// riskCheck is one risky permission: a verb on a resource of an API group.
// The rule is matched as the RBAC authorizer matches a request, so that a
// wildcard grants what it names: * matches every verb, group or resource,
// and */SUBRESOURCE that subresource of every resource.
type riskCheck struct {
	risk      nhi.RiskyPermission
	groups    []string
	resources []string
	verbs     []string
}

// verbCreate is the verb that makes objects.
const verbCreate = "create"

var riskChecks = []riskCheck{
	{nhi.RiskReadSecrets, []string{""}, []string{"secrets"}, []string{"get", "list", "watch"}},
	// A workload controller creates Pods from the template it is given, as
	// any ServiceAccount of the namespace, mounting any Secret: creating the
	// workload is creating the Pod.
	{nhi.RiskCreatePods, []string{""}, []string{"pods", "replicationcontrollers"}, []string{verbCreate}},
	{nhi.RiskCreatePods, []string{"apps"}, []string{"deployments", "statefulsets", "daemonsets", "replicasets"},
		[]string{verbCreate}},
	{nhi.RiskCreatePods, []string{"batch"}, []string{"jobs", "cronjobs"}, []string{verbCreate}},
	// get counts as well as create: an exec or attach over WebSockets is an
	// HTTP GET, which the API server has long authorized as get on
	// pods/exec. Recent releases also require create for it, but not every
	// cluster runs them, so a reviewer must treat get as exec.
	{nhi.RiskExecPods, []string{""}, []string{"pods/exec", "pods/attach"}, []string{verbCreate, "get"}},
	{nhi.RiskBind, []string{rbacv1.GroupName}, []string{"roles", "clusterroles"}, []string{"bind"}},
	{nhi.RiskEscalate, []string{rbacv1.GroupName}, []string{"roles", "clusterroles"}, []string{"escalate"}},
	// Impersonation is authorized on users, groups and serviceaccounts (core
	// group) and on uids and userextras/KEY (authentication.k8s.io); the
	// group is not compared, so that no spelling escapes.
	{nhi.RiskImpersonate, anyGroup, []string{"users", "groups", "serviceaccounts", "uids", "userextras", "userextras/*"},
		[]string{"impersonate"}},
}

// RiskyOf lists the risky permissions one rule grants, in RiskOrder.
//
// Deliberately simple, and erring towards reporting:
//   - resourceNames are ignored: a rule that reads only the Secrets it names
//     still reads Secrets, and the role's name in the summary lets a
//     reviewer look closer;
//   - nonResourceURLs rules (health, version, metrics endpoints) are never
//     risky, wildcard or not;
//   - ClusterAdmin is not a property of rules: Summarize adds it from the
//     role's name.
func RiskyOf(rule rbacv1.PolicyRule) []nhi.RiskyPermission {
	if len(rule.Resources) == 0 || len(rule.Verbs) == 0 || len(rule.APIGroups) == 0 {
		return nil
	}
	found := map[nhi.RiskyPermission]bool{}
	if slices.Contains(rule.Verbs, rbacv1.VerbAll) || slices.Contains(rule.APIGroups, rbacv1.APIGroupAll) ||
		slices.ContainsFunc(rule.Resources, func(r string) bool { return strings.HasPrefix(r, rbacv1.ResourceAll) }) {
		found[nhi.RiskWildcard] = true
	}
	for _, c := range riskChecks {
		if !found[c.risk] && matchesAny(rule.Verbs, c.verbs, verbMatches) &&
			(c.groups == nil || matchesAny(rule.APIGroups, c.groups, groupMatches)) &&
			matchesAny(rule.Resources, c.resources, resourceMatches) {
			found[c.risk] = true
		}
	}
	// Constrained impersonation (Kubernetes 1.35 and later) spells the
	// permission to impersonate as verbs impersonate:MODE, on the resource
	// of whom is impersonated.
	if slices.ContainsFunc(rule.Verbs, func(v string) bool { return strings.HasPrefix(v, "impersonate:") }) {
		found[nhi.RiskImpersonate] = true
	}
	return ordered(found)
}

// ordered lists a set of risky permissions in RiskOrder.
func ordered(found map[nhi.RiskyPermission]bool) []nhi.RiskyPermission {
	var out []nhi.RiskyPermission
	for _, risk := range RiskOrder {
		if found[risk] {
			out = append(out, risk)
		}
	}
	return out
}

// matchesAny reports whether an entry of a rule matches one of the wanted
// values.
func matchesAny(entries, wanted []string, matches func(entry, want string) bool) bool {
	for _, entry := range entries {
		for _, want := range wanted {
			if matches(entry, want) {
				return true
			}
		}
	}
	return false
}

func verbMatches(entry, want string) bool  { return entry == rbacv1.VerbAll || entry == want }
func groupMatches(entry, want string) bool { return entry == rbacv1.APIGroupAll || entry == want }

// resourceMatches reports whether a rule's resource entry grants a wanted
// resource, as the RBAC authorizer decides it: *, the very resource, or
// */SUBRESOURCE for a subresource. A wanted RESOURCE/* stands for every
// subresource of RESOURCE.
func resourceMatches(entry, want string) bool {
	if entry == rbacv1.ResourceAll || entry == want {
		return true
	}
	if base, ok := strings.CutSuffix(want, "/*"); ok {
		return strings.HasPrefix(entry, base+"/") || strings.HasPrefix(entry, rbacv1.ResourceAll+"/")
	}
	_, subresource, ok := strings.Cut(want, "/")
	return ok && entry == rbacv1.ResourceAll+"/"+subresource
}
