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

package revoke

import (
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
)

// The revocation envtest suite removes and restores real subjects; this
// pins down which subjects name a ServiceAccount at all.
func TestServiceAccountOf(t *testing.T) {
	for _, tc := range []struct {
		name             string
		bindingNamespace string
		subject          rbacv1.Subject
		want             string
		ok               bool
	}{
		{"with its namespace", "payments", rbacv1.Subject{Kind: "ServiceAccount", Namespace: "ci", Name: "deployer"}, "ci/deployer", true},
		{"in a RoleBinding, without a namespace", "payments", rbacv1.Subject{Kind: "ServiceAccount", Name: "deployer"}, "payments/deployer", true},
		{"in a ClusterRoleBinding, without a namespace", "", rbacv1.Subject{Kind: "ServiceAccount", Name: "deployer"}, "", false},
		{"a user", "payments", rbacv1.Subject{Kind: "User", APIGroup: rbacv1.GroupName, Name: "deployer"}, "", false},
		{"a group", "payments", rbacv1.Subject{Kind: "Group", APIGroup: rbacv1.GroupName, Name: "system:serviceaccounts"}, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := ServiceAccountOf(tc.bindingNamespace, tc.subject)
			if ok != tc.ok || (ok && got != tc.want) {
				t.Errorf("ServiceAccountOf = %q, %v; want %q, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}
