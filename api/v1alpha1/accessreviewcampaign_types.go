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

// MaxCampaignItems is the most ownerships one campaign can hold: its items
// live in its status, which must stay well under etcd's object size limit.
// A larger scope is refused at the start (Stalled, reason ScopeTooLarge):
// split it by team or namespace.
const MaxCampaignItems = 1000

// MaxCampaignItemIdentities is the most identities an item names; an
// ownership covering more is recorded with its count, and the decision log
// lists every one. A large scope lists fewer, so that the status fits.
const MaxCampaignItemIdentities = 20

// CampaignScope selects the IdentityOwnerships a campaign reviews. Each
// field given narrows it: an ownership is in scope when it is in a
// namespace the policy governs (when policy is set), in one of the
// namespaces (when set), and owned by one of the teams (when set).
// +kubebuilder:validation:XValidation:rule="has(self.policy) || has(self.namespaces) || has(self.teams)",message="spec.scope needs at least one of policy, namespaces or teams"
type CampaignScope struct {
	// policy names an OwnershipPolicy: the ownerships in the namespaces it
	// governs are in scope.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Policy string `json:"policy,omitempty"`

	// namespaces limits the scope to these namespaces.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=256
	// +kubebuilder:validation:items:MaxLength=63
	Namespaces []string `json:"namespaces,omitempty"`

	// teams limits the scope to ownerships whose spec.owner.team is one of
	// these.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=256
	// +kubebuilder:validation:items:MaxLength=63
	Teams []string `json:"teams,omitempty"`
}

// AccessReviewCampaignSpec is one periodic access review: what is in scope,
// when it is due, and who may decide.
type AccessReviewCampaignSpec struct {
	// scope selects the ownerships to review. It is frozen when the
	// campaign starts: ownerships created later are not in it, and those
	// deleted later stay in it, with their decisions. Immutable.
	// +required
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="spec.scope is immutable: a campaign is evidence of what was in scope when it started; create a new campaign for a new scope"
	Scope CampaignScope `json:"scope"`

	// dueBy is when every item must be decided. After it, an item still
	// undecided is overdue and the campaign is Stalled until it is decided.
	// A change after the start is recorded in the decision log.
	// +required
	DueBy metav1.Time `json:"dueBy"`

	// reviewers, when set, are the only people (e-mail addresses, compared
	// case-insensitively) whose OwnershipReviews decide items. Empty: any
	// reviewer Steward accepts decides. Never one of the ownership's
	// contacts, as they were when the scope was frozen or are now. A
	// change after the start applies to the items still outstanding, and
	// is recorded in the decision log.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=100
	Reviewers []Person `json:"reviewers,omitempty"`

	// description says what the campaign is, for example "Q4 2026 access
	// review of production machine identities".
	// +optional
	// +kubebuilder:validation:MaxLength=1024
	Description string `json:"description,omitempty"`
}

// CampaignItem is one ownership in a campaign's frozen scope, and its
// decision once made. A decision, once recorded, is never changed: later
// changes to the ownership or further reviews do not rewrite what was
// decided during the campaign.
type CampaignItem struct {
	// namespace of the ownership.
	Namespace string `json:"namespace"`
	// ownership is the IdentityOwnership's name.
	Ownership string `json:"ownership"`
	// ownershipUID is the ownership's UID when the scope was frozen: a
	// review of a later ownership of the same name does not decide it.
	// +optional
	OwnershipUID string `json:"ownershipUID,omitempty"`
	// ownershipGeneration is the ownership's generation when the scope was
	// frozen.
	// +optional
	OwnershipGeneration int64 `json:"ownershipGeneration,omitempty"`
	// team and contacts own it, as they were when the scope was frozen.
	// +optional
	Team string `json:"team,omitempty"`
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=32
	Contacts []Person `json:"contacts,omitempty"`
	// identityCount is how many identities the ownership covered when the
	// scope was frozen.
	// +optional
	IdentityCount int32 `json:"identityCount,omitempty"`
	// identities are the first of them (at most 20, fewer in a large scope;
	// the decision log lists every one).
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=20
	Identities []IdentityReference `json:"identities,omitempty"`

	// decision is Recertify or Revoke once an OwnershipReview decided the
	// item; empty while it is outstanding.
	// +optional
	Decision ReviewDecision `json:"decision,omitempty"`
	// reviewer decided it.
	// +optional
	Reviewer Person `json:"reviewer,omitempty"`
	// review names the OwnershipReview that decided it.
	// +optional
	Review string `json:"review,omitempty"`
	// decidedAt is when Steward applied that review.
	// +optional
	DecidedAt *metav1.Time `json:"decidedAt,omitempty"`
	// reviewedGeneration is the ownership's generation the deciding review
	// applied to: above ownershipGeneration, the ownership changed between
	// the freeze and the review, and the reviewer certified the later one.
	// +optional
	ReviewedGeneration int64 `json:"reviewedGeneration,omitempty"`
	// ownershipDeletedAt is when Steward found the frozen ownership deleted
	// (or replaced by a namesake) before any review decided the item: the
	// item is closed undecided. Its identities are no longer owned, so the
	// policy flags them as Unowned.
	// +optional
	OwnershipDeletedAt *metav1.Time `json:"ownershipDeletedAt,omitempty"`
}

// CampaignRemediation is one action that followed a Revoke decision of the
// campaign.
type CampaignRemediation struct {
	// namespace and ownership of the item decided Revoke.
	Namespace string `json:"namespace"`
	Ownership string `json:"ownership"`
	// review is the OwnershipReview that decided it.
	Review            string `json:"review"`
	RemediationAction `json:",inline"`
}

// CampaignItemReference names one item of a campaign.
type CampaignItemReference struct {
	// namespace of the ownership.
	Namespace string `json:"namespace"`
	// ownership is the IdentityOwnership's name.
	Ownership string `json:"ownership"`
	// team owns it.
	// +optional
	Team string `json:"team,omitempty"`
}

// AccessReviewCampaignStatus is the campaign's progress and its record.
type AccessReviewCampaignStatus struct {
	// observedGeneration is the spec generation this status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// conditions: Ready (True once Completed), Completed (every item
	// decided), Reconciling (items outstanding before dueBy) and Stalled
	// (items overdue, or a scope Steward could not freeze).
	// +optional
	// +listType=map
	// +listMapKey=type
	// +patchStrategy=merge
	// +patchMergeKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type"`

	// startedAt is when Steward froze the scope. Only reviews created after
	// the campaign (by the API server's clock) decide items.
	// +optional
	StartedAt *metav1.Time `json:"startedAt,omitempty"`
	// completedAt is when the last item was decided.
	// +optional
	CompletedAt *metav1.Time `json:"completedAt,omitempty"`

	// total is the number of items; decided, recertified, revoked,
	// deleted (closed undecided: the ownership was deleted), outstanding
	// and overdue count them by outcome.
	// +optional
	Total int32 `json:"total"`
	// +optional
	Decided int32 `json:"decided"`
	// +optional
	Recertified int32 `json:"recertified"`
	// +optional
	Revoked int32 `json:"revoked"`
	// +optional
	Deleted int32 `json:"deleted"`
	// +optional
	Outstanding int32 `json:"outstanding"`
	// +optional
	Overdue int32 `json:"overdue"`
	// percentComplete is (decided + deleted) / total, rounded down; 100
	// for an empty scope.
	// +optional
	PercentComplete int32 `json:"percentComplete"`
	// progress is "decided/total", for the printer column; deleted items
	// count as done, and are named when there are any ("2/3, 1 deleted").
	// +optional
	Progress string `json:"progress,omitempty"`

	// items are the frozen scope, with each item's decision.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=1000
	Items []CampaignItem `json:"items,omitempty"`
	// firstOutstanding are the first undecided items (at most 50), sorted
	// by namespace and name.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=50
	FirstOutstanding []CampaignItemReference `json:"firstOutstanding,omitempty"`
	// remediations are the actions that followed the campaign's Revoke
	// decisions (at most 500, newest last).
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=500
	Remediations []CampaignRemediation `json:"remediations,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Cluster,shortName=arc,categories=steward
// +kubebuilder:printcolumn:name="Scope",type=string,JSONPath=`.spec.scope`
// +kubebuilder:printcolumn:name="Due",type=string,JSONPath=`.spec.dueBy`
// +kubebuilder:printcolumn:name="Decided",type=string,JSONPath=`.status.progress`
// +kubebuilder:printcolumn:name="Complete",type=integer,JSONPath=`.status.percentComplete`,priority=1
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`

// AccessReviewCampaign is a periodic access review of machine identities,
// for example a quarter's: its scope frozen when it starts, each ownership
// in it decided by an OwnershipReview or outstanding, and the revocations
// that followed. It is the evidence of what was reviewed, by whom and when.
type AccessReviewCampaign struct {
	metav1.TypeMeta `json:",inline"`

	// metadata is a standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitzero"`

	// spec is the campaign's scope, due date and reviewers.
	// +required
	Spec AccessReviewCampaignSpec `json:"spec"`

	// status is the frozen scope, the decisions and the progress.
	// +optional
	Status AccessReviewCampaignStatus `json:"status,omitzero"`
}

// +kubebuilder:object:root=true

// AccessReviewCampaignList contains a list of AccessReviewCampaign.
type AccessReviewCampaignList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitzero"`
	Items           []AccessReviewCampaign `json:"items"`
}

func init() {
	register(&AccessReviewCampaign{}, &AccessReviewCampaignList{})
}
