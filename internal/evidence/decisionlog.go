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

// Package evidence records what Steward decided and did, for auditors and
// SIEMs.
package evidence

import (
	"time"
)

// SchemaVersion is the version of the decision-log schema. Fields are only
// ever added within a version.
const SchemaVersion = "steward.dev/decision/v1"

// Decision types.
const (
	// DecisionTransition: an identity changed state.
	DecisionTransition = "transition"
	// DecisionAction: Steward acted on an identity (or would have, in DryRun).
	DecisionAction = "action"
	// DecisionUsage: the workloads using an identity changed.
	DecisionUsage = "usage"
	// DecisionCampaign: an AccessReviewCampaign froze an ownership into its
	// scope (Action ItemFrozen) or recorded its decision (ItemDecided).
	DecisionCampaign = "campaign"
	// DecisionChain: the decision log's hash chain starts, or continues
	// after a restart (see decisionlog_chain.go).
	DecisionChain = "chain"
)

// Decision is one line of the decision log.
type Decision struct {
	Schema string    `json:"schema"`
	Time   time.Time `json:"time"`
	// Type is DecisionTransition, DecisionAction, DecisionUsage,
	// DecisionCampaign or DecisionChain.
	Type      string `json:"type"`
	Namespace string `json:"namespace"`
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	UID       string `json:"uid,omitempty"`
	// From and To are the states of a transition.
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
	// Action is WouldRevoke (due, but DryRun or held back by the
	// blast-radius cap: see Enforcement), Revoke or Restored.
	Action string `json:"action,omitempty"`
	// Revocation identifies one revocation, from its start to its end: the
	// same value on every line about it. A crash between recording a
	// revocation and committing it repeats the line with the same value on
	// restart; deduplicate on it.
	Revocation string `json:"revocation,omitempty"`
	// Reason is the finding or decision the action answers.
	Reason      string   `json:"reason,omitempty"`
	Findings    []string `json:"findings,omitempty"`
	Waived      []string `json:"waived,omitempty"`
	Ownership   string   `json:"ownership,omitempty"`
	Exceptions  []string `json:"exceptions,omitempty"`
	Policy      string   `json:"policy,omitempty"`
	Enforcement string   `json:"enforcement,omitempty"`
	// Workloads are the workloads using the identity, as kind/name: on a
	// usage line (Type DecisionUsage), and on a held or not-carried-out
	// revocation, the workloads it would break.
	Workloads []string `json:"workloads,omitempty"`
	// Deadline and DeadlineAt are the deadline a warning is about.
	Deadline   string     `json:"deadline,omitempty"`
	DeadlineAt *time.Time `json:"deadlineAt,omitempty"`
	Message    string     `json:"message,omitempty"`
	// Campaign and CampaignUID name the AccessReviewCampaign of a campaign
	// line: a campaign deleted and created again under its name is another.
	Campaign    string `json:"campaign,omitempty"`
	CampaignUID string `json:"campaignUID,omitempty"`
	// Team owns the ownership of a campaign line.
	Team string `json:"team,omitempty"`
	// Identities are every identity of the ownership of an ItemFrozen
	// line, as Kind/name.
	Identities []string `json:"identities,omitempty"`
	// Reviewer and Review are the person and the OwnershipReview that
	// decided the item of an ItemDecided line.
	Reviewer string `json:"reviewer,omitempty"`
	Review   string `json:"review,omitempty"`
	// Seq, Prev and Torn chain the lines together so that an edited,
	// deleted or reordered line is detected; DecisionLog fills them in.
	// Seq counts the lines of one chain from 1; Prev is the hex SHA-256
	// of the previous line's bytes (without its newline), empty on the
	// first line of a chain; Torn, on a chain record, is the hex SHA-256
	// of an incomplete line found before it.
	Seq  uint64 `json:"seq,omitempty"`
	Prev string `json:"prev,omitempty"`
	Torn string `json:"torn,omitempty"`
}
