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

package report

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/evidence"
)

// Campaign is one access-review campaign: its completion and what is
// still outstanding.
type Campaign struct {
	Name        string     `json:"name"`
	Description string     `json:"description,omitempty"`
	DueBy       time.Time  `json:"dueBy"`
	StartedAt   *time.Time `json:"startedAt,omitempty"`
	CompletedAt *time.Time `json:"completedAt,omitempty"`
	Total       int        `json:"total"`
	Decided     int        `json:"decided"`
	Recertified int        `json:"recertified"`
	Revoked     int        `json:"revoked"`
	// Deleted counts the items closed undecided: their ownership was
	// deleted before a review decided them.
	Deleted         int `json:"deleted"`
	Outstanding     int `json:"outstanding"`
	Overdue         int `json:"overdue"`
	PercentComplete int `json:"percentComplete"`
	// Status is Completed, Stalled (with its reason) or InProgress.
	Status string `json:"status"`
	// OutstandingItems are the undecided items, with their owners.
	OutstandingItems []CampaignItem `json:"outstandingItems"`
	// Decisions are the decided items, with who decided them and when, and
	// the items closed because their ownership was deleted (Decision
	// OwnershipDeleted).
	Decisions []CampaignItem `json:"decisions"`
	// Record is where the campaign was read: its AccessReviewCampaign's
	// status, or the decision log once the object is gone.
	Record string `json:"record"`
}

// CampaignItem is one ownership of a campaign.
type CampaignItem struct {
	Namespace  string     `json:"namespace"`
	Ownership  string     `json:"ownership"`
	Team       string     `json:"team,omitempty"`
	Identities int        `json:"identities"`
	Decision   string     `json:"decision,omitempty"`
	Reviewer   string     `json:"reviewer,omitempty"`
	Review     string     `json:"review,omitempty"`
	DecidedAt  *time.Time `json:"decidedAt,omitempty"`
	// ChangedSinceFreeze: the review certified a later generation of the
	// ownership than the one frozen.
	ChangedSinceFreeze bool `json:"changedSinceFreeze,omitempty"`
}

// DecisionOwnershipDeleted is the outcome shown for an item closed because
// its ownership was deleted before a decision.
const DecisionOwnershipDeleted = "OwnershipDeleted"

// campaigns are those that overlap the period: started before its end,
// and not completed before its start.
func campaigns(in Inputs) []Campaign {
	var out []Campaign
	known := map[string]bool{}
	for i := range in.Campaigns {
		c := &in.Campaigns[i]
		s := &c.Status
		known[c.Name], known[string(c.UID)] = true, true
		if in.Campaign != "" && c.Name != in.Campaign {
			continue
		}
		if s.StartedAt != nil && s.StartedAt.After(in.Period.Until) {
			continue
		}
		if s.CompletedAt != nil && s.CompletedAt.Time.Before(in.Period.Since) {
			continue
		}
		rc := Campaign{Name: c.Name, Description: c.Spec.Description, DueBy: c.Spec.DueBy.UTC(),
			StartedAt: timeOf(s.StartedAt), CompletedAt: timeOf(s.CompletedAt), Total: int(s.Total),
			Decided: int(s.Decided), Recertified: int(s.Recertified), Revoked: int(s.Revoked), Deleted: int(s.Deleted),
			Outstanding: int(s.Outstanding), Overdue: int(s.Overdue), PercentComplete: int(s.PercentComplete),
			Status: campaignStatus(c), OutstandingItems: []CampaignItem{}, Decisions: []CampaignItem{},
			Record: RecordCampaignStatus}
		for _, item := range s.Items {
			ci := CampaignItem{Namespace: item.Namespace, Ownership: item.Ownership, Team: item.Team,
				Identities: int(item.IdentityCount), Decision: string(item.Decision), Reviewer: string(item.Reviewer),
				Review: item.Review, DecidedAt: timeOf(item.DecidedAt),
				ChangedSinceFreeze: item.ReviewedGeneration > item.OwnershipGeneration}
			if item.Decision == "" && item.OwnershipDeletedAt != nil {
				ci.Decision, ci.DecidedAt = DecisionOwnershipDeleted, timeOf(item.OwnershipDeletedAt)
			}
			if ci.Decision == "" {
				rc.OutstandingItems = append(rc.OutstandingItems, ci)
			} else {
				rc.Decisions = append(rc.Decisions, ci)
			}
		}
		if len(s.Items) == 0 { // a status that lists only the first outstanding
			for _, ref := range s.FirstOutstanding {
				rc.OutstandingItems = append(rc.OutstandingItems,
					CampaignItem{Namespace: ref.Namespace, Ownership: ref.Ownership, Team: ref.Team})
			}
		}
		out = append(out, rc)
	}
	out = append(out, campaignsFromLog(in, known)...)
	sortCampaigns(out)
	return out
}

func campaignStatus(c *nhi.AccessReviewCampaign) string {
	conditions := c.Status.Conditions
	if meta.IsStatusConditionTrue(conditions, "Completed") {
		return "Completed"
	}
	if cond := meta.FindStatusCondition(conditions, "Stalled"); cond != nil && cond.Status == "True" {
		return "Stalled (" + cond.Reason + ")"
	}
	if c.Status.StartedAt == nil {
		return "NotStarted"
	}
	return "InProgress"
}

// Revocation is one revocation in the period, with the records that show
// it: the ownership's status history, the decision log, the campaign.
type Revocation struct {
	Time      time.Time `json:"time"`
	Namespace string    `json:"namespace"`
	Kind      string    `json:"kind"`
	Name      string    `json:"name"`
	Ownership string    `json:"ownership,omitempty"`
	// Reason is the finding or the review the revocation answered.
	Reason string `json:"reason,omitempty"`
	// Revocation is the decision log's revocation id, when the log holds it.
	Revocation  string `json:"revocation,omitempty"`
	Enforcement string `json:"enforcement,omitempty"`
	// Review is the campaign's OwnershipReview that decided it, if any.
	Review   string `json:"review,omitempty"`
	Campaign string `json:"campaign,omitempty"`
	Message  string `json:"message,omitempty"`
	// Records name where it is recorded: "ownership status history",
	// "decision log", "campaign remediations".
	Records []string `json:"records"`
}

// sameRevocationWindow is how far apart two records of one identity's
// revocation may be: the status history is written when the namespace's
// result is applied, the log line when the action is taken.
const sameRevocationWindow = 5 * time.Minute

// revocations merges the revocations the three records show in the
// period, one entry per identity and time.
func revocations(in Inputs) []Revocation {
	var out []Revocation
	add := func(r Revocation, record string) {
		for i := range out {
			o := &out[i]
			if o.Namespace == r.Namespace && o.Kind == r.Kind && o.Name == r.Name &&
				(r.Revocation != "" && o.Revocation == r.Revocation || absDuration(o.Time.Sub(r.Time)) <= sameRevocationWindow) {
				if !slices.Contains(o.Records, record) {
					o.Records = append(o.Records, record)
				}
				o.Ownership, o.Reason = cmp.Or(o.Ownership, r.Ownership), cmp.Or(o.Reason, r.Reason)
				o.Revocation, o.Enforcement = cmp.Or(o.Revocation, r.Revocation), cmp.Or(o.Enforcement, r.Enforcement)
				o.Review, o.Campaign = cmp.Or(o.Review, r.Review), cmp.Or(o.Campaign, r.Campaign)
				o.Message = cmp.Or(o.Message, r.Message)
				if r.Time.Before(o.Time) {
					o.Time = r.Time
				}
				return
			}
		}
		r.Records = []string{record}
		out = append(out, r)
	}
	for _, d := range in.Decisions {
		if d.Type == evidence.DecisionAction && d.Action == "Revoke" && in.Period.Contains(d.Time) {
			add(Revocation{Time: d.Time.UTC(), Namespace: d.Namespace, Kind: d.Kind, Name: d.Name,
				Ownership: d.Ownership, Reason: d.Reason, Revocation: d.Revocation, Enforcement: d.Enforcement,
				Message: d.Message}, RecordDecisionLog)
		}
	}
	for i := range in.Ownerships {
		o := &in.Ownerships[i]
		for _, h := range o.Status.History {
			if h.Type == "Transition" && h.Reason == string(nhi.StateRevoked) && in.Period.Contains(h.Time.Time) {
				add(Revocation{Time: h.Time.UTC(), Namespace: o.Namespace, Kind: string(h.Kind), Name: h.Name,
					Ownership: o.Name, Message: h.Message}, RecordHistory)
			}
		}
	}
	for i := range in.Campaigns {
		c := &in.Campaigns[i]
		for _, rem := range c.Status.Remediations {
			if strings.HasPrefix(rem.Action, "Revoke") && in.Period.Contains(rem.Time.Time) {
				add(Revocation{Time: rem.Time.UTC(), Namespace: rem.Namespace, Kind: string(rem.Kind), Name: rem.Name,
					Ownership: rem.Ownership, Reason: "Revoke review", Review: rem.Review, Campaign: c.Name},
					RecordCampaign)
			}
		}
	}
	slices.SortFunc(out, func(a, b Revocation) int {
		return cmp.Or(a.Time.Compare(b.Time), cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name))
	})
	if out == nil {
		out = []Revocation{}
	}
	return out
}

// The records a revocation can be found in.
const (
	RecordDecisionLog = "decision log"
	RecordHistory     = "ownership status history"
	RecordCampaign    = "campaign remediations"
	// RecordOwnershipStatus: a departure read from status.departure.
	RecordOwnershipStatus = "ownership status"
)

// Exception is an OwnershipException active now or expired in the period,
// with its risk acceptance.
type Exception struct {
	Namespace            string     `json:"namespace"`
	Name                 string     `json:"name"`
	Status               string     `json:"status"`
	Findings             []string   `json:"findings"`
	RiskAcceptedBy       string     `json:"riskAcceptedBy"`
	Justification        string     `json:"justification"`
	CompensatingControls []string   `json:"compensatingControls"`
	ExpiresAt            time.Time  `json:"expiresAt"`
	ExpiredAt            *time.Time `json:"expiredAt,omitempty"`
	Identities           int        `json:"identities"`
}

// exceptionExpired is the status of an exception that expired in the
// period.
const exceptionExpired = "Expired"

func exceptions(in Inputs) []Exception {
	out := []Exception{}
	for i := range in.Exceptions {
		x := &in.Exceptions[i]
		status := exceptionExpired
		var expiredAt *time.Time
		switch {
		case meta.IsStatusConditionTrue(x.Status.Conditions, nhi.ConditionActive):
			status = "Active"
		case x.Status.ExpiredAt != nil:
			expiredAt = timeOf(x.Status.ExpiredAt)
		case !x.Spec.ExpiresAt.After(in.Period.Until):
			expiredAt = timeOf(&x.Spec.ExpiresAt)
		default:
			status = "Inactive"
		}
		if status == exceptionExpired && !in.Period.Contains(*expiredAt) {
			continue
		}
		findings := make([]string, len(x.Spec.Findings))
		for j, f := range x.Spec.Findings {
			findings[j] = string(f)
		}
		out = append(out, Exception{Namespace: x.Namespace, Name: x.Name, Status: status, Findings: findings,
			RiskAcceptedBy: string(x.Spec.RiskAcceptedBy), Justification: x.Spec.Justification,
			CompensatingControls: append([]string{}, x.Spec.CompensatingControls...),
			ExpiresAt:            x.Spec.ExpiresAt.UTC(), ExpiredAt: expiredAt,
			Identities: max(int(x.Status.IdentityCount), len(x.Status.Identities))})
	}
	slices.SortFunc(out, func(a, b Exception) int {
		return cmp.Or(cmp.Compare(a.Status, b.Status), cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name))
	})
	return out
}

// Departure is an ownership whose contacts left the owner directory, and
// how long it took from then to revocation.
type Departure struct {
	Namespace        string     `json:"namespace"`
	Ownership        string     `json:"ownership"`
	Team             string     `json:"team"`
	DepartedContacts []string   `json:"departedContacts"`
	FirstSeen        time.Time  `json:"firstSeen"`
	AllDepartedAt    *time.Time `json:"allDepartedAt,omitempty"`
	// RevokedAt is the first revocation of one of its identities at or
	// after the last contact left; TimeToRevocation the time between.
	RevokedAt        *time.Time `json:"revokedAt,omitempty"`
	TimeToRevocation string     `json:"timeToRevocation,omitempty"`
	Seconds          int64      `json:"timeToRevocationSeconds,omitempty"`
	// Record is where the departure was read: the ownership's status, or
	// the decision log (its identities' transitions to OwnerDeparted) once
	// the status no longer holds it.
	Record string `json:"record"`
}

func departures(in Inputs, revoked []Revocation) []Departure {
	out := []Departure{}
	known := map[[2]string]bool{}
	for i := range in.Ownerships {
		o := &in.Ownerships[i]
		d := o.Status.Departure
		if d == nil {
			continue
		}
		known[[2]string{o.Namespace, o.Name}] = true
		dep := Departure{Namespace: o.Namespace, Ownership: o.Name, Team: o.Spec.Owner.Team,
			DepartedContacts: []string{}, FirstSeen: d.FirstSeen.UTC(), AllDepartedAt: timeOf(d.AllDepartedAt),
			Record: RecordOwnershipStatus}
		for _, c := range d.DepartedContacts {
			dep.DepartedContacts = append(dep.DepartedContacts, string(c))
		}
		revokedAt(&dep, revoked)
		if dep.overlaps(in.Period) {
			out = append(out, dep)
		}
	}
	out = append(out, departuresFromLog(in, revoked, known)...)
	slices.SortFunc(out, func(a, b Departure) int {
		return cmp.Or(a.FirstSeen.Compare(b.FirstSeen), cmp.Compare(a.Namespace, b.Namespace))
	})
	return out
}

func timeOf(t *metav1.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
