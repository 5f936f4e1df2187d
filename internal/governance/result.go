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
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

// Action is what is due on an identity, in increasing order of severity.
type Action string

const (
	// ActionNone: nothing to do (owned, excepted or not governed).
	ActionNone Action = ""
	// ActionAnnotate: record the findings in annotations and status only.
	ActionAnnotate Action = "Annotate"
	// ActionFlag: label the identity with its finding and warn with an Event.
	ActionFlag Action = "Flag"
	// ActionHold: a revocation is due and the policy enforces, but
	// workloads use the identity and the policy's revocation.inUse is Hold.
	ActionHold Action = "Hold"
	// ActionWouldRevoke: a revocation is due but the policy is in DryRun,
	// or its blast-radius cap is reached (Halted).
	ActionWouldRevoke Action = "WouldRevoke"
	// ActionRevoke: a revocation is due and the policy enforces.
	ActionRevoke Action = "Revoke"
)

var actionSeverity = map[Action]int{ActionNone: 0, ActionAnnotate: 1, ActionFlag: 2, ActionHold: 3, ActionWouldRevoke: 3,
	ActionRevoke: 4}

// Result is the desired state of one namespace.
type Result struct {
	// Identities holds every identity of the snapshot, governed or not, in
	// the snapshot's order.
	Identities []IdentityResult
	Ownerships map[string]*OwnershipResult
	Exceptions map[string]*ExceptionResult
	Reviews    map[string]*ReviewResult
	// NextDeadline is the next instant at which the result would change
	// with no other input changing; zero when there is none.
	NextDeadline time.Time
}

// IdentityResult is the evaluation of one identity. An evaluation holds
// one per identity of a namespace, so its flags are kept together: apart,
// each was padded to a word.
type IdentityResult struct {
	// Identity is the snapshot's identity: shared with the snapshot, not
	// copied (an evaluation covers every identity of a namespace).
	Identity *Identity
	// Governed is false when no policy governs the identity; its Steward
	// labels and annotations are then removed.
	Governed bool
	// Halted is true when a revocation is due under an enforcing policy but
	// its blast-radius budget is spent: the action is then WouldRevoke.
	Halted bool
	// ReportWouldRevoke and ReportHold are true when that action is new
	// since Steward last recorded the identity: it is reported (Event,
	// decision log) once, not on every evaluation.
	ReportWouldRevoke bool
	ReportHold        bool
	// UsageChanged is true when the workloads using the identity differ
	// from those Steward last recorded: the change goes to the decision log.
	UsageChanged bool
	// State is the identity's state after this evaluation.
	State nhi.IdentityState
	// PreviousState is the state Steward last recorded on the identity.
	PreviousState nhi.IdentityState
	// Findings lists every finding, waived or not, most severe first.
	Findings []nhi.Finding
	// Waived lists the findings an active exception waives.
	Waived []nhi.Finding
	// Ownership is the ownership that covers the identity, if any.
	Ownership string
	// Exceptions are the active exceptions that apply.
	Exceptions []string
	// Since is when the identity entered its current state.
	Since time.Time
	// Action is the most severe action due.
	Action Action
	// ActionReason says which finding (or review) the action answers.
	ActionReason string
	// RevokeAt is when a Revoke rule's grace ends; zero when no Revoke rule
	// applies.
	RevokeAt time.Time
	// DueAt is the deadline at which the current state's finding became
	// true (an expiry, a review or rotation due date, a staleness date);
	// zero when the finding has no deadline. Latency metrics count from it.
	DueAt time.Time
	// Impact lists the workloads a due revocation breaks: those using the
	// identity. It is set whenever a revocation is due, held or would be
	// carried out (WouldRevoke), so DryRun evidence shows the impact.
	Impact []nhi.WorkloadReference
	// Warnings are the deadlines ahead within the policy's warnBefore,
	// soonest first.
	Warnings []nhi.DeadlineWarning
	// Warning is set when one of the identity's own deadlines (a rotation,
	// a scheduled revocation) entered the warning window since Steward
	// last warned about it: it gets one Warning Event.
	Warning *nhi.DeadlineWarning
	// Record is what Steward's ledger must hold for the identity after
	// this evaluation.
	Record Record
	// Labels and Annotations are the desired values of Steward's own keys.
	// Identities with the same desired metadata share the maps: read them,
	// never modify them.
	Labels      map[string]string
	Annotations map[string]string

	owner *ownershipFacts
	// claims and excepts are the indices of the ownerships and exceptions
	// covering the identity, oldest first: computed once per evaluation.
	claims, excepts []int
}

// Transitioned reports whether the state differs from the recorded one.
func (r *IdentityResult) Transitioned() bool { return r.State != r.PreviousState }

// ArrivedOwned reports whether the identity was first seen in this
// evaluation, already Owned: an identity created inside an ownership's
// cover, the expected case. It is no news, so it earns neither an Event nor
// a history entry (the 20 entries are kept for what needs a human); the
// decision log still records it, and the ledger and the ownership's rows
// say since when it is Owned.
func (r *IdentityResult) ArrivedOwned() bool {
	return r.PreviousState == "" && r.State == nhi.StateOwned
}

// OwnershipResult is the desired status of one IdentityOwnership.
type OwnershipResult struct {
	Conditions []metav1.Condition
	// Identities are the first nhi.MaxStatusIdentities identities the
	// ownership covers, sorted; IdentityCount counts them all.
	Identities    []nhi.IdentityStatus
	IdentityCount int
	NextReviewBy  *time.Time
	LastReview    *nhi.ReviewSummary
	// Revoked is true when the latest completed review decided Revoke.
	Revoked bool
	// ConflictsWith names the older ownership that claims some of this
	// one's identities.
	ConflictsWith string
	// DepartedContacts are the contacts absent from the owner directory;
	// AllDeparted is true when no contact is left.
	DepartedContacts []string
	AllDeparted      bool
	// DepartureFrozen is true when the directory is unavailable and the
	// departures above are the last ones recorded.
	DepartureFrozen bool
	// ApprovalRecord is what the status records about the approval; nil
	// when there is none.
	ApprovalRecord *nhi.ApprovalRecord
}

// ExceptionResult is the desired status of one OwnershipException.
type ExceptionResult struct {
	Conditions []metav1.Condition
	// Identities are the first nhi.MaxStatusIdentities identities the
	// exception applies to, sorted; IdentityCount counts them all.
	Identities    []nhi.IdentityReference
	IdentityCount int
	Active        bool
	Expired       bool
}

// ReviewResult is the desired status of one OwnershipReview.
type ReviewResult struct {
	Conditions []metav1.Condition
	Completed  bool
	// OwnershipGeneration and OwnershipUID are the generation and UID of the
	// reviewed ownership.
	OwnershipGeneration int64
	OwnershipUID        string
	// DecisionSequence orders the completed reviews of one ownership.
	DecisionSequence int64
	// Actions are the remediation actions the decision causes.
	Actions []nhi.RemediationAction
}
