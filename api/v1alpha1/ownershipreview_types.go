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

// ReviewDecision is the outcome of an access review.
// +kubebuilder:validation:Enum=Recertify;Revoke
type ReviewDecision string

const (
	// DecisionRecertify confirms the ownership is still needed and resets its
	// review clock.
	DecisionRecertify ReviewDecision = "Recertify"
	// DecisionRevoke revokes the ownership's identities (subject to the
	// policy's enforcement mode) and marks the ownership revoked.
	DecisionRevoke ReviewDecision = "Revoke"
)

// OwnershipReviewSpec is one completed access review of an ownership. It is
// immutable: a new decision is a new OwnershipReview.
// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="spec is immutable: file a new OwnershipReview to record a new decision"
type OwnershipReviewSpec struct {
	// ownershipRef names the IdentityOwnership, in the review's namespace,
	// that was reviewed.
	// +required
	OwnershipRef LocalObjectReference `json:"ownershipRef"`

	// reviewer is the person (e-mail address) who performed the review. It
	// must not be one of the ownership's contacts.
	// +required
	Reviewer Person `json:"reviewer"`

	// decision is Recertify or Revoke.
	// +required
	Decision ReviewDecision `json:"decision"`

	// overturnsRevoke must be true for a Recertify that overturns an earlier
	// Revoke decision on the same ownership; without it such a Recertify is
	// not applied (Completed=False, reason RevokeNotOverturned). The
	// admission policy admits it only from a requester allowed the verb
	// "overturn" on ownershipreviews in the namespace.
	// +optional
	OverturnsRevoke bool `json:"overturnsRevoke,omitempty"`
	// notes record what was checked and why the decision was taken.
	// +optional
	// +kubebuilder:validation:MaxLength=4096
	Notes string `json:"notes,omitempty"`
}

// LocalObjectReference names an object in the same namespace.
type LocalObjectReference struct {
	// name of the object.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$`
	Name string `json:"name"`
}

// OwnershipReviewStatus is the evidence that the review was applied.
type OwnershipReviewStatus struct {
	// observedGeneration is the spec generation this status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// conditions: Completed (False with reason SelfReview when the reviewer
	// is one of the owner's contacts) and Ready.
	// +optional
	// +listType=map
	// +listMapKey=type
	// +patchStrategy=merge
	// +patchMergeKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type"`

	// completedAt is when Steward applied the decision.
	// +optional
	CompletedAt *metav1.Time `json:"completedAt,omitempty"`

	// ownershipGeneration is the generation of the IdentityOwnership the
	// decision applied to.
	// +optional
	OwnershipGeneration int64 `json:"ownershipGeneration,omitempty"`

	// ownershipUID is the UID of the IdentityOwnership the decision applied
	// to: a review names its ownership by name, and this tells which of
	// two namesakes it reviewed.
	// +optional
	// +kubebuilder:validation:MaxLength=64
	OwnershipUID string `json:"ownershipUID,omitempty"`

	// decisionSequence orders the completed reviews of one ownership: 1 for
	// the first completed, then one more for each. The completed review with
	// the highest sequence decides, whatever the reviews' names and creation
	// times (which have only one-second resolution). Only Steward writes it.
	// +optional
	// +kubebuilder:validation:Minimum=0
	DecisionSequence int64 `json:"decisionSequence,omitempty"`
	// actions are the remediation actions taken because of the decision.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=256
	Actions []RemediationAction `json:"actions,omitempty"`
}

// RemediationAction is one action taken on an identity because of a review.
type RemediationAction struct {
	// kind of the identity.
	Kind IdentityKind `json:"kind"`
	// name of the identity.
	Name string `json:"name"`
	// action taken: Recertified, WouldRevoke (DryRun), RevocationDue
	// (Enforce, not yet carried out) or Revoked.
	Action string `json:"action"`
	// time the action was taken.
	Time metav1.Time `json:"time"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=orev,categories=steward
// +kubebuilder:printcolumn:name="Ownership",type=string,JSONPath=`.spec.ownershipRef.name`
// +kubebuilder:printcolumn:name="Reviewer",type=string,JSONPath=`.spec.reviewer`
// +kubebuilder:printcolumn:name="Decision",type=string,JSONPath=`.spec.decision`
// +kubebuilder:printcolumn:name="Completed",type=string,JSONPath=`.status.conditions[?(@.type=="Completed")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`

// OwnershipReview is one periodic access review of an IdentityOwnership and
// its evidence: who reviewed, what they decided, and what Steward did.
type OwnershipReview struct {
	metav1.TypeMeta `json:",inline"`

	// metadata is a standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitzero"`

	// spec is the review; immutable once created.
	// +required
	Spec OwnershipReviewSpec `json:"spec"`

	// status is the evidence that the decision was applied.
	// +optional
	Status OwnershipReviewStatus `json:"status,omitzero"`
}

// +kubebuilder:object:root=true

// OwnershipReviewList contains a list of OwnershipReview.
type OwnershipReviewList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitzero"`
	Items           []OwnershipReview `json:"items"`
}

func init() {
	register(&OwnershipReview{}, &OwnershipReviewList{})
}
