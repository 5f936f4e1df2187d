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

// IdentityOwnershipSpec declares who owns a set of machine identities, why
// they exist, who approved them and until when.
// +kubebuilder:validation:XValidation:rule="(has(self.identities) && size(self.identities) > 0) || has(self.selector)",message="at least one of spec.identities or spec.selector is required"
// +kubebuilder:validation:XValidation:rule="!has(self.approval) || !self.owner.contacts.exists(c, c.lowerAscii() == self.approval.approvedBy.lowerAscii())",message="spec.approval.approvedBy must not be one of spec.owner.contacts: an owner cannot approve their own identities (separation of duties)",fieldPath=".approval.approvedBy"
// +kubebuilder:validation:XValidation:rule="!has(self.approval) || timestamp(self.expiresAt) > timestamp(self.approval.approvedAt)",message="spec.expiresAt must be after spec.approval.approvedAt",fieldPath=".expiresAt"
type IdentityOwnershipSpec struct {
	// identities lists the ServiceAccounts and Secrets this ownership covers
	// by name, in the ownership's own namespace.
	// +optional
	// +listType=map
	// +listMapKey=kind
	// +listMapKey=name
	// +kubebuilder:validation:MaxItems=256
	Identities []IdentityReference `json:"identities,omitempty"`

	// selector covers every identity in the ownership's own namespace that
	// matches it, in addition to spec.identities.
	// +optional
	Selector *IdentitySelector `json:"selector,omitempty"`

	// owner is the team accountable for the identities and the named people
	// to contact about them.
	// +required
	Owner Owner `json:"owner"`

	// purpose is the business need the identities serve, in plain words.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=1024
	// +kubebuilder:validation:XValidation:rule="self.trim().size() > 0",message="spec.purpose must describe the business need, not be blank"
	// +kubebuilder:validation:XValidation:rule="!self.contains('FILL-IN:')",message="spec.purpose is a placeholder from kubectl steward suggest: describe the business need"
	Purpose string `json:"purpose"`

	// approval records who approved this ownership, when, and where the
	// decision is documented. Required when the governing policy sets
	// requireApproval.
	// +optional
	Approval *Approval `json:"approval,omitempty"`

	// expiresAt is when the ownership lapses. After it, covered identities
	// are Expired until the ownership is renewed.
	// +required
	// +kubebuilder:validation:Format=date-time
	ExpiresAt metav1.Time `json:"expiresAt"`

	// reviewInterval is how often the ownership must be recertified by an
	// OwnershipReview. The clock starts at the latest completed review, or
	// at spec.approval.approvedAt before the first one. Unset means the
	// policy's maxReviewInterval, if any.
	// +optional
	ReviewInterval *Duration `json:"reviewInterval,omitempty"`

	// rotation bounds how old a covered Secret may be.
	// +optional
	Rotation *Rotation `json:"rotation,omitempty"`
}

// Owner is an accountable team and the named people behind it.
type Owner struct {
	// team is the accountable team, as the organisation names it.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	// +kubebuilder:validation:XValidation:rule="!self.contains('FILL-IN:')",message="spec.owner.team is a placeholder from kubectl steward suggest: name the accountable team"
	Team string `json:"team"`

	// contacts are the named people (e-mail addresses) responsible for the
	// identities. When all of them have left the owner directory, the
	// identities become OwnerDeparted.
	// +required
	// +listType=set
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +kubebuilder:validation:XValidation:rule="self.all(c, !c.contains('FILL-IN:'))",message="spec.owner.contacts has a placeholder from kubectl steward suggest: name the people responsible, by e-mail address"
	Contacts []Person `json:"contacts"`
}

// Placeholder marks a value that `kubectl steward suggest` could not infer
// and a person must write: spec.purpose, spec.owner.team and
// spec.owner.contacts that contain it are rejected by the API server, so a
// draft cannot be applied before someone fills it in.
const Placeholder = "FILL-IN:"

// Approval is the documented approval of an ownership.
type Approval struct {
	// approvedBy is the person (e-mail address) who approved the ownership.
	// It must not be one of spec.owner.contacts.
	// +required
	ApprovedBy Person `json:"approvedBy"`

	// approvedAt is when the approval was given.
	// +required
	// +kubebuilder:validation:Format=date-time
	ApprovedAt metav1.Time `json:"approvedAt"`

	// reference points at the record of the decision: a ticket, a pull
	// request or a change request.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=512
	Reference string `json:"reference"`
}

// Rotation bounds the age of covered Secrets.
type Rotation struct {
	// maxAge is the oldest a covered Secret may be. Age counts from the
	// Secret's creation, or from its steward.dev/rotated-at annotation when
	// that is later.
	// +required
	MaxAge Duration `json:"maxAge"`
}

// MaxStatusIdentities is how many identities an IdentityOwnership's or an
// OwnershipException's status lists (the MaxItems of status.identities);
// status.identityCount counts them all.
const MaxStatusIdentities = 1024

// IdentityOwnershipStatus is Steward's evaluation of the ownership. It is
// evidence: auditors read it.
type IdentityOwnershipStatus struct {
	// observedGeneration is the spec generation this status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// conditions: Ready, Approved, Expired, ReviewDue, Conflict,
	// OwnerDeparted, and Stalled when a conflict needs a human. A generation
	// not yet reflected in observedGeneration is in progress.
	// +optional
	// +listType=map
	// +listMapKey=type
	// +patchStrategy=merge
	// +patchMergeKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type"`

	// identities is one row per identity this ownership covers.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=1024
	Identities []IdentityStatus `json:"identities,omitempty"`

	// identityCount is the number of identities covered.
	// +optional
	IdentityCount int32 `json:"identityCount,omitempty"`

	// nextReviewBy is when the next OwnershipReview is due.
	// +optional
	NextReviewBy *metav1.Time `json:"nextReviewBy,omitempty"`

	// lastReview summarises the latest completed OwnershipReview.
	// +optional
	LastReview *ReviewSummary `json:"lastReview,omitempty"`

	// revokedAt is set when an OwnershipReview decided Revoke.
	// +optional
	RevokedAt *metav1.Time `json:"revokedAt,omitempty"`

	// departure records when the owner's contacts were first seen missing
	// from the owner directory, and when the last of them left: the evidence
	// of timely offboarding.
	// +optional
	Departure *OwnerDeparture `json:"departure,omitempty"`

	// recordedOwner is the owner Steward last recorded; a change of
	// spec.owner is a transfer of ownership, kept in history.
	// +optional
	RecordedOwner *Owner `json:"recordedOwner,omitempty"`

	// approvalRecord is what Steward saw approved: a digest of
	// spec.approval, a digest of what it covers (identities, selector,
	// owner, expiresAt) at that time, and when Steward first saw it. When
	// the covered fields change under the same approval, the ownership is
	// Unapproved (reason ApprovalOutdated) until the approver records a new
	// approval. Only Steward writes it.
	// +optional
	ApprovalRecord *ApprovalRecord `json:"approvalRecord,omitempty"`

	// history lists the latest transitions and actions, newest first.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=20
	History []HistoryEntry `json:"history,omitempty"`
}

// ApprovalRecord is Steward's record of an approval it has seen.
type ApprovalRecord struct {
	// approvalDigest is the SHA-256 of spec.approval as first seen.
	// +required
	// +kubebuilder:validation:MaxLength=64
	ApprovalDigest string `json:"approvalDigest"`
	// contentDigest is the SHA-256 of spec.identities, spec.selector,
	// spec.owner and spec.expiresAt when the approval was first seen: what
	// the approval covers.
	// +required
	// +kubebuilder:validation:MaxLength=64
	ContentDigest string `json:"contentDigest"`
	// firstSeen is when Steward first saw this approval. An approval counts
	// from the earlier of spec.approval.approvedAt and firstSeen, so a
	// future-dated approvedAt postpones nothing.
	// +required
	FirstSeen metav1.Time `json:"firstSeen"`
}

// IdentityStatus is the evaluation of one identity.
type IdentityStatus struct {
	// kind of the identity.
	Kind IdentityKind `json:"kind"`
	// name of the identity.
	Name string `json:"name"`
	// uid of the identity when it was evaluated, so a re-created object with
	// the same name is told apart.
	// +optional
	UID string `json:"uid,omitempty"`
	// state is the most severe state of the identity.
	State IdentityState `json:"state"`
	// findings lists every finding, including waived ones.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=16
	Findings []Finding `json:"findings,omitempty"`
	// since is when the identity entered its current state.
	// +optional
	Since *metav1.Time `json:"since,omitempty"`
	// usage is who uses the identity: the workloads running as the
	// ServiceAccount or referencing the Secret.
	// +optional
	Usage *IdentityUsage `json:"usage,omitempty"`
	// access summarises what the ServiceAccount can do through RBAC.
	// +optional
	Access *AccessSummary `json:"access,omitempty"`
	// cloudIdentities are the cloud identities the ServiceAccount is
	// linked to through workload identity annotations.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=4
	CloudIdentities []CloudIdentityLink `json:"cloudIdentities,omitempty"`
	// warnings are the deadlines within the policy's warnBefore.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=8
	Warnings []DeadlineWarning `json:"warnings,omitempty"`
	// held is true when a revocation is due but held because workloads use
	// the identity (the policy's revocation.inUse is Hold).
	// +optional
	Held bool `json:"held,omitempty"`
}

// OwnerDeparture is the evidence of contacts leaving the organisation.
type OwnerDeparture struct {
	// departedContacts are the contacts absent from the owner directory.
	// +listType=set
	// +kubebuilder:validation:MaxItems=16
	DepartedContacts []Person `json:"departedContacts"`
	// firstSeen is when Steward first saw a contact missing.
	FirstSeen metav1.Time `json:"firstSeen"`
	// allDepartedAt is when Steward saw the last contact missing: the
	// identities became OwnerDeparted then.
	// +optional
	AllDepartedAt *metav1.Time `json:"allDepartedAt,omitempty"`
}

// ReviewSummary is the evidence of a completed review.
type ReviewSummary struct {
	// name of the OwnershipReview.
	Name string `json:"name"`
	// reviewer who completed it.
	Reviewer Person `json:"reviewer"`
	// decision taken.
	Decision ReviewDecision `json:"decision"`
	// completedAt is when Steward applied the decision.
	CompletedAt metav1.Time `json:"completedAt"`
}

// HistoryEntry is one transition or action, kept as evidence.
type HistoryEntry struct {
	// time of the event.
	Time metav1.Time `json:"time"`
	// type is Transition (an identity changed state) or Action (Steward
	// acted, or would have acted in DryRun).
	// +kubebuilder:validation:Enum=Transition;Action
	Type string `json:"type"`
	// kind of the identity concerned, if any.
	// +optional
	Kind IdentityKind `json:"kind,omitempty"`
	// name of the identity concerned, if any.
	// +optional
	Name string `json:"name,omitempty"`
	// reason is a CamelCase word for what happened, e.g. Flagged,
	// WouldRevoke, Revoked, OwnershipTransferred.
	Reason string `json:"reason"`
	// message is a human-readable account.
	// +optional
	// +kubebuilder:validation:MaxLength=1024
	Message string `json:"message,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=iown,categories=steward
// +kubebuilder:printcolumn:name="Team",type=string,JSONPath=`.spec.owner.team`
// +kubebuilder:printcolumn:name="Approved",type=string,JSONPath=`.status.conditions[?(@.type=="Approved")].status`
// +kubebuilder:printcolumn:name="Expires",type=string,format=date-time,JSONPath=`.spec.expiresAt`
// +kubebuilder:printcolumn:name="Identities",type=integer,JSONPath=`.status.identityCount`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`

// IdentityOwnership declares who owns a set of ServiceAccounts and Secrets,
// why they exist, who approved them and until when. Steward annotates the
// covered identities and reports their state in status.
type IdentityOwnership struct {
	metav1.TypeMeta `json:",inline"`

	// metadata is a standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitzero"`

	// spec is the declared ownership.
	// +required
	Spec IdentityOwnershipSpec `json:"spec"`

	// status is Steward's evaluation of the ownership.
	// +optional
	Status IdentityOwnershipStatus `json:"status,omitzero"`
}

// +kubebuilder:object:root=true

// IdentityOwnershipList contains a list of IdentityOwnership.
type IdentityOwnershipList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitzero"`
	Items           []IdentityOwnership `json:"items"`
}

func init() {
	register(&IdentityOwnership{}, &IdentityOwnershipList{})
}
