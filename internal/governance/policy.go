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

package governance

import (
	"slices"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

// ProtectedNamespaces are never governed, whatever a policy says.
var ProtectedNamespaces = []string{"kube-system", "kube-public", "kube-node-lease"}

// neverGovernedSecretTypes are never governed, whatever a policy says.
var neverGovernedSecretTypes = []string{"helm.sh/release.v1", "bootstrap.kubernetes.io/token"}

// defaultSecretTypes apply when a policy lists none (the API server defaults
// them too; this covers objects built in code).
var defaultSecretTypes = []string{
	"Opaque", "kubernetes.io/service-account-token", "kubernetes.io/basic-auth",
	"kubernetes.io/ssh-auth", "kubernetes.io/dockerconfigjson",
}

// IsProtected reports whether a namespace is never governed: the system
// namespaces and Steward's own.
func IsProtected(namespace, stewardNamespace string) bool {
	return slices.Contains(ProtectedNamespaces, namespace) || (stewardNamespace != "" && namespace == stewardNamespace)
}

// PolicySelects reports whether a policy's selector and exclusions choose a
// namespace (protection is checked separately).
func PolicySelects(policy *nhi.OwnershipPolicy, namespace string, namespaceLabels map[string]string) bool {
	if slices.Contains(policy.Spec.ExcludedNamespaces, namespace) {
		return false
	}
	if policy.Spec.NamespaceSelector == nil {
		return true
	}
	selector, err := metav1.LabelSelectorAsSelector(policy.Spec.NamespaceSelector)
	if err != nil {
		return false
	}
	return selector.Matches(labels.Set(namespaceLabels))
}

// GoverningPolicy picks the policy that governs a namespace: among the
// policies selecting it, the oldest (then by name). The others are returned
// as conflicting. Protected namespaces have no governing policy.
func GoverningPolicy(policies []nhi.OwnershipPolicy, namespace string, namespaceLabels map[string]string,
	stewardNamespace string) (winner *nhi.OwnershipPolicy, conflicting []*nhi.OwnershipPolicy) {
	if IsProtected(namespace, stewardNamespace) {
		return nil, nil
	}
	var selecting []*nhi.OwnershipPolicy
	for i := range policies {
		if policies[i].DeletionTimestamp == nil && PolicySelects(&policies[i], namespace, namespaceLabels) {
			selecting = append(selecting, &policies[i])
		}
	}
	if len(selecting) == 0 {
		return nil, nil
	}
	slices.SortFunc(selecting, func(a, b *nhi.OwnershipPolicy) int { return olderFirst(&a.ObjectMeta, &b.ObjectMeta) })
	return selecting[0], selecting[1:]
}

// olderFirst orders objects by creation time, then by name.
func olderFirst(a, b *metav1.ObjectMeta) int {
	if c := a.CreationTimestamp.Compare(b.CreationTimestamp.Time); c != 0 {
		return c
	}
	if a.Namespace != b.Namespace {
		if a.Namespace < b.Namespace {
			return -1
		}
		return 1
	}
	switch {
	case a.Name < b.Name:
		return -1
	case a.Name > b.Name:
		return 1
	}
	return 0
}

// governs reports whether the policy governs an identity of its namespace.
func governs(policy *nhi.OwnershipPolicy, identity *Identity) bool {
	kinds := policy.Spec.Kinds
	if len(kinds) > 0 && !slices.Contains(kinds, identity.Kind) {
		return false
	}
	if slices.Contains(policy.Spec.ExcludedIdentities, identity.Ref()) {
		return false
	}
	if identity.Kind == nhi.KindSecret {
		if slices.Contains(neverGovernedSecretTypes, identity.SecretType) {
			return false
		}
		types := policy.Spec.SecretTypes
		if len(types) == 0 {
			types = defaultSecretTypes
		}
		return slices.Contains(types, identity.SecretType)
	}
	return true
}

// SecretTypes lists the Secret types a policy governs: none when it does not
// govern Secrets, the defaults when it names none.
func SecretTypes(policy *nhi.OwnershipPolicy) []string {
	if len(policy.Spec.Kinds) > 0 && !slices.Contains(policy.Spec.Kinds, nhi.KindSecret) {
		return nil
	}
	if len(policy.Spec.SecretTypes) == 0 {
		return defaultSecretTypes
	}
	return policy.Spec.SecretTypes
}

// ruleFor returns the policy's rule for a finding; a finding with no rule is
// annotated only.
func ruleFor(policy *nhi.OwnershipPolicy, finding nhi.Finding) nhi.PolicyRule {
	for _, rule := range policy.Spec.Rules {
		if rule.Finding == finding {
			return rule
		}
	}
	return nhi.PolicyRule{Finding: finding, Action: nhi.ActionAnnotate}
}

func requiresApproval(policy *nhi.OwnershipPolicy) bool {
	return policy.Spec.RequireApproval == nil || *policy.Spec.RequireApproval
}

// holds reports whether the policy holds due revocations of identities in
// use (revocation.inUse: Hold, the default).
func holds(policy *nhi.OwnershipPolicy) bool {
	return policy.Spec.Revocation.InUse != nhi.InUseRevoke
}

func enforcing(policy *nhi.OwnershipPolicy) bool {
	return policy.Spec.Enforcement == nhi.EnforcementEnforce
}

// ParseDuration reads an API Duration; invalid or absent values give 0.
// The API server has already validated them.
func ParseDuration(d *nhi.Duration) time.Duration {
	if d == nil {
		return 0
	}
	parsed, err := time.ParseDuration(string(*d))
	if err != nil || parsed < 0 {
		return 0
	}
	return parsed
}
