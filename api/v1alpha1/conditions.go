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

// Condition types. Every kind carries Ready; the others apply where noted.
// They follow the kstatus conventions so that `kubectl wait
// --for=condition=Ready` and GitOps health checks work: Reconciling is True
// while work is in progress, Stalled is True when progress needs a human.
const (
	// ConditionReady is True when Steward has evaluated the object against
	// its current generation and found nothing that needs a human.
	ConditionReady = "Ready"
	// ConditionReconciling is True while Steward is still acting on the
	// object's current generation.
	ConditionReconciling = "Reconciling"
	// ConditionStalled is True when Steward cannot make progress without a
	// change from a human (for example an invalid reference).
	ConditionStalled = "Stalled"

	// ConditionApproved (IdentityOwnership) is True when the ownership carries
	// an approval that satisfies the governing policy.
	ConditionApproved = "Approved"
	// ConditionExpired (IdentityOwnership, OwnershipException) is True once
	// spec.expiresAt has passed.
	ConditionExpired = "Expired"
	// ConditionReviewDue (IdentityOwnership) is True when the periodic review
	// is overdue.
	ConditionReviewDue = "ReviewDue"
	// ConditionConflict (IdentityOwnership, OwnershipPolicy) is True when an
	// older object already claims what this one claims; the message names it.
	ConditionConflict = "Conflict"
	// ConditionOwnerDeparted (IdentityOwnership) is True when one or more of
	// the owner's contacts are absent from the owner directory.
	ConditionOwnerDeparted = "OwnerDeparted"
	// ConditionExpiringSoon (IdentityOwnership, OwnershipException) is True
	// when one of the object's deadlines (expiry, review) is within the
	// policy's warnBefore.
	ConditionExpiringSoon = "ExpiringSoon"

	// ConditionEnforcementHalted (OwnershipPolicy) is True when the blast-
	// radius cap was reached and Steward stopped revoking.
	ConditionEnforcementHalted = "EnforcementHalted"
	// ConditionDirectoryUnavailable (OwnershipPolicy) is True when the owner
	// directory could not be read or failed its sanity checks; no identity
	// changes state because of the directory while it is True.
	ConditionDirectoryUnavailable = "DirectoryUnavailable"

	// ConditionActive (OwnershipException) is True while the exception waives
	// findings.
	ConditionActive = "Active"

	// ConditionCompleted (OwnershipReview) is True once the review's decision
	// was applied to the ownership.
	ConditionCompleted = "Completed"
)

// Condition reasons. CamelCase, stable: auditors and alerts key on them.
const (
	// ReasonReconciled: the object was evaluated successfully.
	ReasonReconciled = "Reconciled"

	// ReasonApproved: spec.approval is present and acceptable.
	ReasonApproved = "Approved"
	// ReasonApprovalMissing: the policy requires an approval and there is none.
	ReasonApprovalMissing = "ApprovalMissing"
	// ReasonApprovalNotRequired: the policy does not require an approval.
	ReasonApprovalNotRequired = "ApprovalNotRequired"
	// ReasonApprovalOutdated: the identities, selector, owner or expiry
	// changed after the approval was given; it needs a new approval (a new
	// spec.approval.approvedAt, recorded by the approver).
	ReasonApprovalOutdated = "ApprovalOutdated"
	// ReasonApprovalInFuture: spec.approval.approvedAt is later than now; it
	// counts as no approval until then.
	ReasonApprovalInFuture = "ApprovalInFuture"
	// ReasonValidityTooLong: expiresAt − approvedAt exceeds the policy's
	// maxValidity.
	ReasonValidityTooLong = "ValidityTooLong"

	// ReasonNotExpired / ReasonExpiresAtPassed: the Expired condition.
	ReasonNotExpired      = "NotExpired"
	ReasonExpiresAtPassed = "ExpiresAtPassed"

	// ReasonReviewCurrent / ReasonReviewOverdue: the ReviewDue condition.
	ReasonReviewCurrent = "ReviewCurrent"
	ReasonReviewOverdue = "ReviewOverdue"

	// ReasonExpiryApproaching / ReasonReviewApproaching /
	// ReasonNoDeadlineNear: the ExpiringSoon condition.
	ReasonExpiryApproaching = "ExpiryApproaching"
	ReasonReviewApproaching = "ReviewApproaching"
	ReasonNoDeadlineNear    = "NoDeadlineNear"

	// ReasonNoConflict / ReasonOlderClaimExists: the Conflict condition.
	ReasonNoConflict       = "NoConflict"
	ReasonOlderClaimExists = "OlderClaimExists"

	// ReasonContactsActive / ReasonSomeContactsDeparted /
	// ReasonAllContactsDeparted: the OwnerDeparted condition.
	ReasonContactsActive       = "ContactsActive"
	ReasonSomeContactsDeparted = "SomeContactsDeparted"
	ReasonAllContactsDeparted  = "AllContactsDeparted"

	// ReasonRevocationCapReached / ReasonWithinCap: EnforcementHalted.
	ReasonRevocationCapReached = "RevocationCapReached"
	ReasonWithinCap            = "WithinCap"

	// ReasonDirectoryReadable / ReasonDirectoryUnreadable /
	// ReasonDirectoryShrankTooFast / ReasonDirectoryEmpty:
	// DirectoryUnavailable.
	ReasonDirectoryReadable      = "DirectoryReadable"
	ReasonDirectoryUnreadable    = "DirectoryUnreadable"
	ReasonDirectoryEmpty         = "DirectoryEmpty"
	ReasonDirectoryShrankTooFast = "DirectoryShrankTooFast"

	// ReasonExceptionActive / ReasonExceptionExpired: the Active condition.
	ReasonExceptionActive  = "ExceptionActive"
	ReasonExceptionExpired = "ExceptionExpired"
	// ReasonExceptionTooLong: expiresAt is further away than the policy's
	// maxExceptionDuration.
	ReasonExceptionTooLong = "ExceptionTooLong"

	// ReasonDecisionApplied / ReasonSelfReview / ReasonOwnershipNotFound:
	// the Completed condition of an OwnershipReview.
	ReasonDecisionApplied   = "DecisionApplied"
	ReasonSelfReview        = "SelfReview"
	ReasonOwnershipNotFound = "OwnershipNotFound"
	// ReasonRevokeNotOverturned: a Recertify filed after a Revoke decision
	// without spec.overturnsRevoke; the Revoke stands.
	ReasonRevokeNotOverturned = "RevokeNotOverturned"

	// The conditions of an AccessReviewCampaign.
	// ReasonAllItemsDecided: Completed and Ready, every item has a decision.
	ReasonAllItemsDecided = "AllItemsDecided"
	// ReasonItemsOutstanding: Reconciling, items await a decision before
	// spec.dueBy.
	ReasonItemsOutstanding = "ItemsOutstanding"
	// ReasonItemsOverdue: Stalled, spec.dueBy has passed with items
	// undecided.
	ReasonItemsOverdue = "ItemsOverdue"
	// ReasonScopePending: Reconciling, the scope is not frozen yet: some
	// in-scope ownerships await Steward's evaluation of their identities.
	ReasonScopePending = "ScopePending"
	// ReasonScopeTooLarge: Stalled, the scope holds more than
	// MaxCampaignItems ownerships, or more than the campaign's status can
	// record, and was not frozen.
	ReasonScopeTooLarge = "ScopeTooLarge"
	// ReasonPolicyNotFound: Stalled, spec.scope.policy names no
	// OwnershipPolicy, so the scope was not frozen.
	ReasonPolicyNotFound = "PolicyNotFound"
)
