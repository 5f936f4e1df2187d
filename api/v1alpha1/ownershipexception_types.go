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

// OwnershipExceptionSpec is a recorded, time-bound risk acceptance.
// +kubebuilder:validation:XValidation:rule="(has(self.identities) && size(self.identities) > 0) || has(self.selector)",message="at least one of spec.identities or spec.selector is required"
type OwnershipExceptionSpec struct {
	// identities lists the identities, in the exception's own namespace,
	// whose findings are waived.
	// +optional
	// +listType=map
	// +listMapKey=kind
	// +listMapKey=name
	// +kubebuilder:validation:MaxItems=256
	Identities []IdentityReference `json:"identities,omitempty"`

	// selector waives findings of every matching identity in the exception's
	// own namespace, in addition to spec.identities.
	// +optional
	Selector *IdentitySelector `json:"selector,omitempty"`

	// findings are the findings this exception waives. Any other finding is
	// still enforced.
	// +required
	// +listType=set
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	Findings []Finding `json:"findings"`

	// riskAcceptedBy is the person (e-mail address) who accepted the risk.
	// +required
	RiskAcceptedBy Person `json:"riskAcceptedBy"`

	// justification explains why the risk is acceptable for now.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="self.trim().size() > 0",message="spec.justification must explain why the risk is accepted, not be blank"
	Justification string `json:"justification"`

	// compensatingControls lists what mitigates the risk meanwhile.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=16
	// +kubebuilder:validation:items:MinLength=1
	// +kubebuilder:validation:items:MaxLength=512
	CompensatingControls []string `json:"compensatingControls,omitempty"`

	// expiresAt is when the exception ends and enforcement resumes. It may be
	// no further from the exception's creation than the policy's
	// maxExceptionDuration.
	// +required
	// +kubebuilder:validation:Format=date-time
	ExpiresAt metav1.Time `json:"expiresAt"`
}

// OwnershipExceptionStatus reports whether the exception is in force.
type OwnershipExceptionStatus struct {
	// observedGeneration is the spec generation this status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// conditions: Ready, Active, Expired.
	// +optional
	// +listType=map
	// +listMapKey=type
	// +patchStrategy=merge
	// +patchMergeKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type"`

	// identities are the identities the exception currently applies to.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=1024
	Identities []IdentityReference `json:"identities,omitempty"`

	// identityCount is the number of identities the exception applies to;
	// identities lists at most 1,024 of them.
	// +optional
	IdentityCount int32 `json:"identityCount,omitempty"`

	// expiredAt records when Steward observed the exception's expiry and
	// resumed enforcement.
	// +optional
	ExpiredAt *metav1.Time `json:"expiredAt,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=oexc,categories=steward
// +kubebuilder:printcolumn:name="Findings",type=string,JSONPath=`.spec.findings`
// +kubebuilder:printcolumn:name="Accepted-By",type=string,JSONPath=`.spec.riskAcceptedBy`
// +kubebuilder:printcolumn:name="Expires",type=string,format=date-time,JSONPath=`.spec.expiresAt`
// +kubebuilder:printcolumn:name="Identities",type=integer,JSONPath=`.status.identityCount`
// +kubebuilder:printcolumn:name="Active",type=string,JSONPath=`.status.conditions[?(@.type=="Active")].status`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`

// OwnershipException records an accepted risk: it waives named findings on
// some identities until it expires. The waived findings are still reported.
type OwnershipException struct {
	metav1.TypeMeta `json:",inline"`

	// metadata is a standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitzero"`

	// spec is the accepted risk.
	// +required
	Spec OwnershipExceptionSpec `json:"spec"`

	// status reports whether the exception is in force.
	// +optional
	Status OwnershipExceptionStatus `json:"status,omitzero"`
}

// +kubebuilder:object:root=true

// OwnershipExceptionList contains a list of OwnershipException.
type OwnershipExceptionList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitzero"`
	Items           []OwnershipException `json:"items"`
}

func init() {
	register(&OwnershipException{}, &OwnershipExceptionList{})
}
