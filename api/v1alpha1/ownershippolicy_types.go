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

package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// EnforcementMode says whether Steward acts or only reports.
// +kubebuilder:validation:Enum=DryRun;Enforce
type EnforcementMode string

const (
	// EnforcementDryRun computes and reports everything, revoking nothing:
	// due revocations are reported as WouldRevoke.
	EnforcementDryRun EnforcementMode = "DryRun"
	// EnforcementEnforce revokes identities when a Revoke rule's grace ends.
	EnforcementEnforce EnforcementMode = "Enforce"
)

// RuleAction is what Steward does about a finding.
// +kubebuilder:validation:Enum=Annotate;Flag;Revoke
type RuleAction string

const (
	// ActionAnnotate records the finding in the identity's annotations and in
	// status only.
	ActionAnnotate RuleAction = "Annotate"
	// ActionFlag also labels the identity steward.dev/finding and emits a
	// Warning Event.
	ActionFlag RuleAction = "Flag"
	// ActionRevoke flags, then revokes after revokeAfter (subject to
	// enforcement mode and the blast-radius cap).
	ActionRevoke RuleAction = "Revoke"
)

// ServiceAccountRevocationStrategy is one way to cut a ServiceAccount's access.
// +kubebuilder:validation:Enum=DeleteTokens;RemoveBindings;Delete
type ServiceAccountRevocationStrategy string

const (
	// RevokeDeleteTokens deletes the kubernetes.io/service-account-token
	// Secrets bound to the ServiceAccount.
	RevokeDeleteTokens ServiceAccountRevocationStrategy = "DeleteTokens"
	// RevokeRemoveBindings removes the ServiceAccount as a subject from every
	// RoleBinding and ClusterRoleBinding, recording what was removed.
	RevokeRemoveBindings ServiceAccountRevocationStrategy = "RemoveBindings"
	// RevokeDelete deletes the ServiceAccount itself.
	RevokeDelete ServiceAccountRevocationStrategy = "Delete"
)

// SecretRevocationStrategy is one way to revoke a Secret.
// +kubebuilder:validation:Enum=Delete
type SecretRevocationStrategy string

const (
	// RevokeSecretDelete deletes the Secret. It does not revoke the upstream
	// credential the Secret holds.
	RevokeSecretDelete SecretRevocationStrategy = "Delete"
)

// OwnershipPolicySpec is what the organisation requires of the machine
// identities in the namespaces it governs.
// +kubebuilder:validation:XValidation:rule="!has(self.maxExceptionDuration) || !has(self.maxValidity) || duration(self.maxExceptionDuration) <= duration(self.maxValidity)",message="spec.maxExceptionDuration must not exceed spec.maxValidity: an exception cannot outlast an approval",fieldPath=".maxExceptionDuration"
// +kubebuilder:validation:XValidation:rule="!has(self.rules) || !self.rules.exists(r, r.finding == 'Stale') || has(self.staleAfter)",message="spec.staleAfter is required when spec.rules has a rule for the Stale finding",fieldPath=".staleAfter"
// +kubebuilder:validation:XValidation:rule="!has(self.rules) || !self.rules.exists(r, r.finding == 'OwnerDeparted') || has(self.ownerDirectory)",message="spec.ownerDirectory is required when spec.rules has a rule for the OwnerDeparted finding",fieldPath=".ownerDirectory"
// +kubebuilder:validation:XValidation:rule="!has(self.rules) || !self.rules.exists(r, r.finding == 'Unused') || has(self.unusedAfter)",message="spec.unusedAfter is required when spec.rules has a rule for the Unused finding",fieldPath=".unusedAfter"
type OwnershipPolicySpec struct {
	// namespaceSelector chooses the namespaces this policy governs. Unset
	// means every namespace. Protected namespaces (kube-system, kube-public,
	// kube-node-lease and Steward's own) are never governed.
	// +optional
	NamespaceSelector *metav1.LabelSelector `json:"namespaceSelector,omitempty"`

	// excludedNamespaces are never governed by this policy, whatever the
	// selector says.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=256
	// +kubebuilder:validation:items:MaxLength=63
	ExcludedNamespaces []string `json:"excludedNamespaces,omitempty"`

	// kinds are the identity kinds this policy governs.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=2
	// +kubebuilder:default={ServiceAccount,Secret}
	Kinds []IdentityKind `json:"kinds,omitempty"`

	// secretTypes are the Secret types this policy governs. helm.sh/release.v1
	// and bootstrap.kubernetes.io/token are never governed.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=32
	// +kubebuilder:validation:items:MinLength=1
	// +kubebuilder:validation:items:MaxLength=253
	// +kubebuilder:default={"Opaque","kubernetes.io/service-account-token","kubernetes.io/basic-auth","kubernetes.io/ssh-auth","kubernetes.io/dockerconfigjson"}
	// +kubebuilder:validation:XValidation:rule="!self.exists(t, t == 'helm.sh/release.v1' || t == 'bootstrap.kubernetes.io/token')",message="spec.secretTypes must not include helm.sh/release.v1 or bootstrap.kubernetes.io/token: Steward never governs them"
	SecretTypes []string `json:"secretTypes,omitempty"`

	// excludedIdentities are never governed, in any namespace, such as the
	// default ServiceAccount every namespace gets.
	// +optional
	// +listType=map
	// +listMapKey=kind
	// +listMapKey=name
	// +kubebuilder:validation:MaxItems=64
	// +kubebuilder:default={{kind: ServiceAccount, name: default}}
	ExcludedIdentities []IdentityReference `json:"excludedIdentities,omitempty"`

	// requireApproval makes an ownership without spec.approval Unapproved.
	// +optional
	// +kubebuilder:default=true
	RequireApproval *bool `json:"requireApproval,omitempty"`

	// maxValidity is the longest allowed span from spec.approval.approvedAt to
	// spec.expiresAt of an ownership.
	// +optional
	MaxValidity *Duration `json:"maxValidity,omitempty"`

	// maxReviewInterval is the longest allowed review interval; it is also the
	// review interval of ownerships that set none.
	// +optional
	MaxReviewInterval *Duration `json:"maxReviewInterval,omitempty"`

	// maxExceptionDuration is the furthest in the future, counted from its
	// creation, that an OwnershipException may expire.
	// +optional
	MaxExceptionDuration *Duration `json:"maxExceptionDuration,omitempty"`

	// staleAfter is how long a legacy token Secret may go unused (per its
	// kubernetes.io/legacy-token-last-used label) before it is Stale.
	// +optional
	StaleAfter *Duration `json:"staleAfter,omitempty"`

	// unusedAfter is how long a ServiceAccount may go without a workload
	// running as it, or a Secret without a workload or ServiceAccount
	// referencing it, before it is Unused. The clock starts when Steward
	// last saw a user (or, for an identity it never saw used, when it first
	// saw it). Legacy token Secrets are judged by staleAfter instead. Unset:
	// Unused is never reported.
	// +optional
	UnusedAfter *Duration `json:"unusedAfter,omitempty"`

	// warnBefore is how long before a deadline Steward warns the owners:
	// an ownership's expiry or review, a Secret's rotation, an exception's
	// end, a scheduled revocation. Warnings show as the ExpiringSoon
	// condition, a Warning Event per deadline, a PolicyReport warn result,
	// explain and the evidence export, and the
	// steward_deadline_timestamp_seconds metric. "0s" turns warnings off.
	// +optional
	// +kubebuilder:default="336h"
	WarnBefore *WarningWindow `json:"warnBefore,omitempty"`

	// ownerDirectory points at the list of people and teams currently in
	// the organisation. A contact missing from it has departed.
	// +optional
	OwnerDirectory *OwnerDirectory `json:"ownerDirectory,omitempty"`

	// rules say what to do about each finding. A finding with no rule is
	// annotated only.
	// +optional
	// +listType=map
	// +listMapKey=finding
	// +kubebuilder:validation:MaxItems=16
	Rules []PolicyRule `json:"rules,omitempty"`

	// enforcement is DryRun (report what would be revoked, revoke nothing)
	// or Enforce.
	// +optional
	// +kubebuilder:default=DryRun
	Enforcement EnforcementMode `json:"enforcement,omitempty"`

	// revocation configures how identities are revoked and how many
	// revocations are allowed.
	// +optional
	// +kubebuilder:default={}
	Revocation Revocation `json:"revocation,omitzero"`
}

// OwnerDirectory references a ConfigMap key that lists active people and
// teams, one per line; blank lines and lines starting with # are ignored.
type OwnerDirectory struct {
	// configMapRef names the ConfigMap.
	// +required
	ConfigMapRef NamespacedName `json:"configMapRef"`

	// key in the ConfigMap's data holding the list.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[-._a-zA-Z0-9]+$`
	Key string `json:"key"`

	// maxShrinkPercent guards against a broken sync: when the directory
	// loses more than this percentage of its entries since it was last
	// accepted, it is treated as unavailable and nobody is considered
	// departed because of it.
	// +optional
	// +kubebuilder:default=20
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=100
	MaxShrinkPercent int32 `json:"maxShrinkPercent,omitempty"`
}

// NamespacedName references a namespaced object.
type NamespacedName struct {
	// namespace of the object.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	Namespace string `json:"namespace"`

	// name of the object.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$`
	Name string `json:"name"`
}

// PolicyRule is the action for one finding.
// +kubebuilder:validation:XValidation:rule="!has(self.revokeAfter) || self.action == 'Revoke'",message="revokeAfter is only allowed when action is Revoke",fieldPath=".revokeAfter"
type PolicyRule struct {
	// finding this rule applies to.
	// +required
	Finding Finding `json:"finding"`

	// action to take: Annotate, Flag or Revoke.
	// +required
	Action RuleAction `json:"action"`

	// revokeAfter is the grace period, counted from when the finding was
	// first seen, before a Revoke rule revokes. Unset means immediately.
	// +optional
	RevokeAfter *Duration `json:"revokeAfter,omitempty"`
}

// Revocation configures revocation strategies and the blast-radius cap.
// +kubebuilder:validation:XValidation:rule="!has(self.maxRevocationsPerNamespacePerHour) || !has(self.maxRevocationsPerHour) || self.maxRevocationsPerNamespacePerHour <= self.maxRevocationsPerHour",message="spec.revocation.maxRevocationsPerNamespacePerHour must not exceed spec.revocation.maxRevocationsPerHour"
type Revocation struct {
	// serviceAccountStrategies are applied in order to revoke a
	// ServiceAccount.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=3
	// +kubebuilder:default={DeleteTokens,RemoveBindings}
	ServiceAccountStrategies []ServiceAccountRevocationStrategy `json:"serviceAccountStrategies,omitempty"`

	// secretStrategies are applied in order to revoke a Secret. Deleting a
	// Secret does not revoke the upstream credential it holds.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=1
	// +kubebuilder:default={Delete}
	SecretStrategies []SecretRevocationStrategy `json:"secretStrategies,omitempty"`

	// maxRevocationsPerHour is the blast-radius cap: past it Steward stops
	// revoking under this policy, sets EnforcementHalted and keeps reporting.
	// 0 forbids revocation altogether.
	// +optional
	// +kubebuilder:default=10
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=10000
	MaxRevocationsPerHour *int32 `json:"maxRevocationsPerHour,omitempty"`

	// maxRevocationsPerNamespacePerHour is each governed namespace's share
	// of maxRevocationsPerHour, so that one namespace (one tenant) cannot
	// spend the whole policy's budget and halt enforcement everywhere else.
	// Unset: half of maxRevocationsPerHour, rounded up.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=10000
	MaxRevocationsPerNamespacePerHour *int32 `json:"maxRevocationsPerNamespacePerHour,omitempty"`

	// inUse decides what happens when a revocation is due for an identity
	// a workload uses (a Pod or a workload template runs as the
	// ServiceAccount or references the Secret). Hold: it is not revoked; it
	// is reported as held, naming the workloads, until a person decides (an
	// exception, a new ownership, or switching this to Revoke). Revoke: it
	// is revoked anyway, and the workloads will fail.
	// +optional
	// +kubebuilder:default=Hold
	InUse InUseAction `json:"inUse,omitempty"`
}

// InUseAction is what a due revocation does to an identity in use.
// +kubebuilder:validation:Enum=Hold;Revoke
type InUseAction string

const (
	// InUseHold holds the revocation of an identity in use.
	InUseHold InUseAction = "Hold"
	// InUseRevoke revokes an identity even while workloads use it.
	InUseRevoke InUseAction = "Revoke"
)

// OwnershipPolicyStatus aggregates what Steward found in the governed
// namespaces.
type OwnershipPolicyStatus struct {
	// observedGeneration is the spec generation this status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// conditions: Ready, Conflict, EnforcementHalted, DirectoryUnavailable.
	// +optional
	// +listType=map
	// +listMapKey=type
	// +patchStrategy=merge
	// +patchMergeKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type"`

	// governedNamespaces is how many namespaces this policy governs.
	// +optional
	GovernedNamespaces int32 `json:"governedNamespaces,omitempty"`

	// totalIdentities is how many identities this policy governs.
	// +optional
	TotalIdentities int32 `json:"totalIdentities,omitempty"`

	// totalViolations is how many governed identities are in a state other
	// than Owned or Excepted.
	// +optional
	TotalViolations int32 `json:"totalViolations"`

	// totals counts identities by kind and state.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=20
	Totals []StateCount `json:"totals,omitempty"`

	// violations lists the first violations, ordered by namespace, kind and
	// name.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=100
	Violations []Violation `json:"violations,omitempty"`

	// acceptedDirectoryEntries is the number of entries of the owner
	// directory when it was last accepted; the shrink guard compares against it.
	// +optional
	AcceptedDirectoryEntries int32 `json:"acceptedDirectoryEntries,omitempty"`

	// revocationsInWindow counts revocations in the current one-hour window
	// of the blast-radius cap.
	// +optional
	RevocationsInWindow int32 `json:"revocationsInWindow,omitempty"`

	// revocationWindowStart is when the current one-hour window began.
	// +optional
	RevocationWindowStart *metav1.Time `json:"revocationWindowStart,omitempty"`
}

// StateCount is the number of identities of one kind in one state.
type StateCount struct {
	// kind of identity.
	Kind IdentityKind `json:"kind"`
	// state of the identities.
	State IdentityState `json:"state"`
	// count of identities.
	Count int32 `json:"count"`
}

// Violation is one identity that is not Owned.
type Violation struct {
	// namespace of the identity.
	Namespace string `json:"namespace"`
	// kind of the identity.
	Kind IdentityKind `json:"kind"`
	// name of the identity.
	Name string `json:"name"`
	// state of the identity.
	State IdentityState `json:"state"`
	// since is when the finding was first seen.
	// +optional
	Since *metav1.Time `json:"since,omitempty"`
	// action is what the policy does about it: Annotate, Flag, WouldRevoke
	// or Revoke.
	// +optional
	Action string `json:"action,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Cluster,shortName=opol,categories=steward
// +kubebuilder:printcolumn:name="Enforcement",type=string,JSONPath=`.spec.enforcement`
// +kubebuilder:printcolumn:name="Namespaces",type=integer,JSONPath=`.status.governedNamespaces`
// +kubebuilder:printcolumn:name="Violations",type=integer,JSONPath=`.status.totalViolations`
// +kubebuilder:printcolumn:name="Halted",type=string,JSONPath=`.status.conditions[?(@.type=="EnforcementHalted")].status`,priority=1
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`

// OwnershipPolicy is what the organisation requires of machine identities in
// the namespaces it governs: approval, validity, review, rotation, what to do
// about each finding, and whether to enforce.
type OwnershipPolicy struct {
	metav1.TypeMeta `json:",inline"`

	// metadata is a standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitzero"`

	// spec is the policy.
	// +required
	Spec OwnershipPolicySpec `json:"spec"`

	// status aggregates what Steward found.
	// +optional
	Status OwnershipPolicyStatus `json:"status,omitzero"`
}

// +kubebuilder:object:root=true

// OwnershipPolicyList contains a list of OwnershipPolicy.
type OwnershipPolicyList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitzero"`
	Items           []OwnershipPolicy `json:"items"`
}

func init() {
	register(&OwnershipPolicy{}, &OwnershipPolicyList{})
}
