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
// maps to controls in the evidence export.
// +kubebuilder:validation:Enum=Unowned;Unapproved;Expired;ReviewOverdue;RotationOverdue;Stale;OwnerDeparted
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
// +kubebuilder:validation:Enum=Owned;Unowned;Unapproved;Expired;ReviewOverdue;RotationOverdue;Stale;OwnerDeparted;Excepted;Revoked
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
	// StateExcepted: every finding is waived by an active OwnershipException.
	StateExcepted IdentityState = "Excepted"
	// StateRevoked: Steward revoked the identity.
	StateRevoked IdentityState = "Revoked"
)

// StateSeverity orders states from most to least severe. When several
// findings apply at once, the identity's state is the most severe one.
var StateSeverity = []IdentityState{
	StateRevoked,
	StateUnowned,
	StateExpired,
	StateOwnerDeparted,
	StateUnapproved,
	StateReviewOverdue,
	StateRotationOverdue,
	StateStale,
	StateExcepted,
	StateOwned,
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
