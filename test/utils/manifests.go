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

package utils

import "fmt"

// Manifests the e2e and reliability suites apply with kubectl.

// GovernedNamespace is a namespace and an OwnershipPolicy of the same name
// that governs only it. policySpec holds the policy's other spec fields, as
// YAML lines indented by two spaces.
func GovernedNamespace(namespace, policySpec string) string {
	return fmt.Sprintf(`---
apiVersion: v1
kind: Namespace
metadata: {name: %[1]s, labels: {steward.dev/test-namespace: %[1]s}}
---
apiVersion: nhi.steward.dev/v1alpha1
kind: OwnershipPolicy
metadata: {name: %[1]s}
spec:
  namespaceSelector: {matchLabels: {steward.dev/test-namespace: %[1]s}}
%[2]s
`, namespace, policySpec)
}

// ReaderRole is the Role read-configmaps (list ConfigMaps) in a namespace:
// what a ServiceAccount's token can prove it still has, or has lost.
func ReaderRole(namespace string) string {
	return fmt.Sprintf(`---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: read-configmaps, namespace: %s}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [list]}]
`, namespace)
}

// BoundServiceAccount is a ServiceAccount and a RoleBinding of the same name
// granting it ReaderRole.
func BoundServiceAccount(namespace, name string) string {
	return fmt.Sprintf(`---
apiVersion: v1
kind: ServiceAccount
metadata: {name: %[2]s, namespace: %[1]s}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: %[2]s, namespace: %[1]s}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: read-configmaps}
subjects: [{kind: ServiceAccount, name: %[2]s, namespace: %[1]s}]
`, namespace, name)
}
