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

// IdentityKind is the kind of a machine identity Steward governs.
// +kubebuilder:validation:Enum=ServiceAccount;Secret
type IdentityKind string

const (
	// KindServiceAccount is a core/v1 ServiceAccount.
	KindServiceAccount IdentityKind = "ServiceAccount"
	// KindSecret is a core/v1 Secret of a governed type.
	KindSecret IdentityKind = "Secret"
)

// IdentityReference names one identity in the namespace of the object that
// holds the reference.
type IdentityReference struct {
	// kind of the identity: ServiceAccount or Secret.
	// +required
	Kind IdentityKind `json:"kind"`

	// name of the identity, in the same namespace as the referring object.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$`
	Name string `json:"name"`
}

// IdentitySelector selects identities by kind and labels within the namespace
// of the object that holds it. At least one label requirement is needed, so
// that a selector never claims every identity of a namespace by accident.
// +kubebuilder:validation:XValidation:rule="(has(self.matchLabels) && size(self.matchLabels) > 0) || (has(self.matchExpressions) && size(self.matchExpressions) > 0)",message="selector must set matchLabels or matchExpressions: an empty selector would claim every identity in the namespace"
type IdentitySelector struct {
	// kinds restricts the selector to these identity kinds. Empty means both
	// ServiceAccounts and Secrets.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=2
	Kinds []IdentityKind `json:"kinds,omitempty"`

	// matchLabels is a map of {key,value} pairs; an identity is selected
	// when it carries all of them.
	// +optional
	// +kubebuilder:validation:MaxProperties=32
	MatchLabels map[string]string `json:"matchLabels,omitempty"`

	// matchExpressions is a list of label selector requirements, ANDed with
	// matchLabels.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=32
	MatchExpressions []metav1.LabelSelectorRequirement `json:"matchExpressions,omitempty"`
}

// Finding is a governance problem Steward detected on an identity. Each one
// maps to controls in the evidence export. FindingRegistry describes every
// finding; TestFindingRegistry fails when a consumer lacks one.
// +kubebuilder:validation:Enum=Unowned;Unapproved;Expired;ReviewOverdue;RotationOverdue;Stale;OwnerDeparted;Unused
type Finding string

const (
	// FindingUnowned: no IdentityOwnership covers the identity.
	FindingUnowned Finding = "Unowned"
	// FindingUnapproved: covered, but the policy requires an approval and the
	// ownership has none.
	FindingUnapproved Finding = "Unapproved"
	// FindingExpired: the covering ownership's spec.expiresAt has passed.
	FindingExpired Finding = "Expired"
	// FindingReviewOverdue: the last review (or approval) is older than the
	// ownership's review interval.
	FindingReviewOverdue Finding = "ReviewOverdue"
	// FindingRotationOverdue: a Secret is older than spec.rotation.maxAge.
	FindingRotationOverdue Finding = "RotationOverdue"
	// FindingStale: a legacy token Secret has not been used for longer than
	// the policy's staleAfter.
	FindingStale Finding = "Stale"
	// FindingOwnerDeparted: every contact of the covering ownership is
	// absent from the policy's owner directory.
	FindingOwnerDeparted Finding = "OwnerDeparted"
	// FindingUnused: no workload runs as the ServiceAccount, or references
	// the Secret, and none has for longer than the policy's unusedAfter.
	FindingUnused Finding = "Unused"
)

// FindingNames lists findings as strings, in order; nil for none.
func FindingNames(findings []Finding) []string {
	if len(findings) == 0 {
		return nil
	}
	names := make([]string, len(findings))
	for i, f := range findings {
		names[i] = string(f)
	}
	return names
}

// IdentityState is the single, most severe state of an identity.
// +kubebuilder:validation:Enum=Owned;Unowned;Unapproved;Expired;ReviewOverdue;RotationOverdue;Stale;OwnerDeparted;Unused;Excepted;Revoked
type IdentityState string

const (
	// StateOwned: covered by a valid ownership with no open finding.
	StateOwned IdentityState = "Owned"
	// StateUnowned: see FindingUnowned.
	StateUnowned IdentityState = "Unowned"
	// StateUnapproved: see FindingUnapproved.
	StateUnapproved IdentityState = "Unapproved"
	// StateExpired: see FindingExpired.
	StateExpired IdentityState = "Expired"
	// StateReviewOverdue: see FindingReviewOverdue.
	StateReviewOverdue IdentityState = "ReviewOverdue"
	// StateRotationOverdue: see FindingRotationOverdue.
	StateRotationOverdue IdentityState = "RotationOverdue"
	// StateStale: see FindingStale.
	StateStale IdentityState = "Stale"
	// StateOwnerDeparted: see FindingOwnerDeparted.
	StateOwnerDeparted IdentityState = "OwnerDeparted"
	// StateUnused: see FindingUnused.
	StateUnused IdentityState = "Unused"
	// StateExcepted: every finding is waived by an active OwnershipException.
	StateExcepted IdentityState = "Excepted"
	// StateRevoked: Steward revoked the identity.
	StateRevoked IdentityState = "Revoked"
)

// StateSeverity orders states from most to least severe: Revoked, then the
// findings in FindingRegistry's order, then Excepted and Owned. When several
// findings apply at once, the identity's state is the most severe one.
var StateSeverity = stateSeverity()

func stateSeverity() []IdentityState {
	states := []IdentityState{StateRevoked}
	for _, f := range FindingRegistry {
		states = append(states, IdentityState(f.Finding))
	}
	return append(states, StateExcepted, StateOwned)
}

// Person identifies a human by e-mail address. It is what owner contacts,
// approvers, reviewers and risk acceptors are compared by, and what the
// owner directory lists.
// +kubebuilder:validation:MinLength=3
// +kubebuilder:validation:MaxLength=254
// +kubebuilder:validation:Pattern=`^[^@\s]+@[^@\s]+\.[^@\s]+$`
type Person string

// Duration is a Go duration string such as "720h" or "90m". Days are not
// supported: write 90 days as "2160h".
// +kubebuilder:validation:Type=string
// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$`
// +kubebuilder:validation:MaxLength=32
// +kubebuilder:validation:XValidation:rule="duration(self) > duration('0s')",message="must be a positive duration, such as 720h"
type Duration string

// WarningWindow is a Go duration string such as "336h", or "0s" for none.
// +kubebuilder:validation:Type=string
// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$`
// +kubebuilder:validation:MaxLength=32
type WarningWindow string

// MaxListedWorkloads is how many workloads an IdentityUsage names.
const MaxListedWorkloads = 3

// MaxDeadlineWarnings and MaxCloudIdentities are the MaxItems of an
// identity status row's warnings and cloudIdentities.
const (
	MaxDeadlineWarnings = 8
	MaxCloudIdentities  = 4
)

// WorkloadReference names a workload in the identity's namespace: a
// Deployment, StatefulSet, DaemonSet, Job, CronJob, ReplicaSet, a bare Pod,
// or the controller of a Pod Steward does not know (any kind).
type WorkloadReference struct {
	// kind of the workload, such as Deployment or Pod.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	Kind string `json:"kind"`
	// name of the workload.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`
}

// String is kind/name.
func (w WorkloadReference) String() string { return w.Kind + "/" + w.Name }

// IdentityUsage is who uses an identity.
type IdentityUsage struct {
	// count is how many workloads use the identity.
	// +required
	// +kubebuilder:validation:Minimum=0
	Count int32 `json:"count"`
	// workloads are the first few of them, sorted.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=3
	Workloads []WorkloadReference `json:"workloads,omitempty"`
}

// RiskyPermission is a kind of access an auditor asks about first.
// +kubebuilder:validation:Enum=ClusterAdmin;Wildcard;ReadSecrets;CreatePods;ExecPods;Bind;Escalate;Impersonate
type RiskyPermission string

const (
	// RiskClusterAdmin: bound to the cluster-admin ClusterRole.
	RiskClusterAdmin RiskyPermission = "ClusterAdmin"
	// RiskWildcard: a rule with * in its verbs, resources or API groups.
	RiskWildcard RiskyPermission = "Wildcard"
	// RiskReadSecrets: get, list or watch on Secrets.
	RiskReadSecrets RiskyPermission = "ReadSecrets"
	// RiskCreatePods: create on Pods or on a workload kind that makes them.
	RiskCreatePods RiskyPermission = "CreatePods"
	// RiskExecPods: create or get on pods/exec or pods/attach (get is
	// enough over WebSockets).
	RiskExecPods RiskyPermission = "ExecPods"
	// RiskBind: the bind verb on roles.
	RiskBind RiskyPermission = "Bind"
	// RiskEscalate: the escalate verb on roles.
	RiskEscalate RiskyPermission = "Escalate"
	// RiskImpersonate: the impersonate verb.
	RiskImpersonate RiskyPermission = "Impersonate"
)

// MaxListedNamespaces is how many namespaces an AccessSummary names.
const MaxListedNamespaces = 8

// AccessSummary is what a ServiceAccount can do, from the RoleBindings and
// ClusterRoleBindings that name it directly, as
// system:serviceaccount:NAMESPACE:NAME, or through its groups
// (system:serviceaccounts, system:serviceaccounts:NAMESPACE,
// system:authenticated).
type AccessSummary struct {
	// clusterWide is true when a ClusterRoleBinding grants it access in
	// every namespace or to cluster-scoped resources.
	// +optional
	ClusterWide bool `json:"clusterWide,omitempty"`
	// namespaceCount is how many namespaces RoleBindings grant it access in.
	// +optional
	// +kubebuilder:validation:Minimum=0
	NamespaceCount int32 `json:"namespaceCount,omitempty"`
	// namespaces are the first of them, sorted.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=8
	Namespaces []string `json:"namespaces,omitempty"`
	// roles are the roles granted, as ClusterRole/NAME or
	// Role/NAMESPACE/NAME, sorted, the first few.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=8
	Roles []string `json:"roles,omitempty"`
	// risky lists the risky permissions among them.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=8
	Risky []RiskyPermission `json:"risky,omitempty"`
	// viaGroups is true when some of the access comes through a group,
	// which revoking one account cannot remove.
	// +optional
	ViaGroups bool `json:"viaGroups,omitempty"`
}

// CloudProvider is a cloud whose workload identity a ServiceAccount can be
// linked to.
// +kubebuilder:validation:Enum=AWS;GCP;Azure
type CloudProvider string

// Cloud providers.
const (
	CloudAWS   CloudProvider = "AWS"
	CloudGCP   CloudProvider = "GCP"
	CloudAzure CloudProvider = "Azure"
)

// CloudIdentityLink is a cloud identity a ServiceAccount assumes.
type CloudIdentityLink struct {
	// provider of the cloud identity.
	// +required
	Provider CloudProvider `json:"provider"`
	// identity is the role ARN, Google service account or Azure client id.
	// +required
	// +kubebuilder:validation:MaxLength=2048
	Identity string `json:"identity"`
	// annotation is the ServiceAccount annotation the link was read from.
	// +required
	// +kubebuilder:validation:MaxLength=253
	Annotation string `json:"annotation"`
}

// DeadlineKind is a deadline Steward warns about.
// +kubebuilder:validation:Enum=Expiry;Review;Rotation;ExceptionExpiry;Revocation
type DeadlineKind string

const (
	// DeadlineExpiry: the ownership's spec.expiresAt.
	DeadlineExpiry DeadlineKind = "Expiry"
	// DeadlineReview: the ownership's next review.
	DeadlineReview DeadlineKind = "Review"
	// DeadlineRotation: the Secret reaches its rotation.maxAge.
	DeadlineRotation DeadlineKind = "Rotation"
	// DeadlineExceptionExpiry: an exception that waives a finding ends.
	DeadlineExceptionExpiry DeadlineKind = "ExceptionExpiry"
	// DeadlineRevocation: the grace period of a Revoke rule ends.
	DeadlineRevocation DeadlineKind = "Revocation"
)

// DeadlineWarning is a deadline within the policy's warnBefore.
type DeadlineWarning struct {
	// deadline is what falls due.
	// +required
	Deadline DeadlineKind `json:"deadline"`
	// at is when it falls due.
	// +required
	At metav1.Time `json:"at"`
	// object names the ownership or exception whose deadline it is, when it
	// is not the identity's own.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	Object string `json:"object,omitempty"`
}
