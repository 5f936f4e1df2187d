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
	"time"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/evidence"
)

// The decision log outlives the cluster's own records: a campaign deleted
// after its quarter, an ownership's 20-entry history, an ownership deleted
// after its owner left. These rebuild from its lines what those records no
// longer hold, for a period as long as the log given.

// The campaign actions of the decision log (the controller's
// CampaignActionItemFrozen and CampaignActionItemDecided).
const (
	logItemFrozen  = "ItemFrozen"
	logItemDecided = "ItemDecided"
	logItemDeleted = "ItemDeleted"
)

// RecordCampaignStatus and RecordDecisionLog name where a campaign or a
// departure was read.
const RecordCampaignStatus = "AccessReviewCampaign status"

// loggedItem is one item of a campaign, as its lines tell it.
type loggedItem struct {
	CampaignItem
	frozen time.Time
}

// loggedCampaign gathers the lines of one campaign.
type loggedCampaign struct {
	name  string
	due   time.Time
	items map[[2]string]*loggedItem
	order [][2]string
}

// add takes in one of the campaign's lines; the first of each kind per item
// counts (lines are written at least once).
func (c *loggedCampaign) add(d evidence.Decision) {
	key := [2]string{d.Namespace, d.Ownership}
	it := c.items[key]
	at := d.Time.UTC()
	switch {
	case d.Action == logItemFrozen && it == nil:
		c.items[key] = &loggedItem{CampaignItem: CampaignItem{Namespace: d.Namespace, Ownership: d.Ownership,
			Team: d.Team, Identities: len(d.Identities)}, frozen: at}
		c.order = append(c.order, key)
		if d.DeadlineAt != nil {
			c.due = d.DeadlineAt.UTC()
		}
	case it == nil || it.Decision != "":
	case d.Action == logItemDecided:
		it.Decision, it.Reviewer, it.Review, it.DecidedAt = d.Reason, d.Reviewer, d.Review, &at
	case d.Action == logItemDeleted:
		it.Decision, it.DecidedAt = DecisionOwnershipDeleted, &at
	}
}

// campaign is the report's view of the logged campaign at the period's end.
func (c *loggedCampaign) campaign(until time.Time) Campaign {
	rc := Campaign{Name: c.name, DueBy: c.due, Total: len(c.order), Record: RecordDecisionLog,
		OutstandingItems: []CampaignItem{}, Decisions: []CampaignItem{}}
	for _, key := range c.order {
		it := c.items[key]
		if rc.StartedAt == nil || it.frozen.Before(*rc.StartedAt) {
			rc.StartedAt = &it.frozen
		}
		switch it.Decision {
		case "":
			rc.OutstandingItems = append(rc.OutstandingItems, it.CampaignItem)
			continue
		case string(nhi.DecisionRecertify):
			rc.Recertified++
		case string(nhi.DecisionRevoke):
			rc.Revoked++
		}
		if it.Decision == DecisionOwnershipDeleted {
			rc.Deleted++
		} else {
			rc.Decided++
		}
		rc.Decisions = append(rc.Decisions, it.CampaignItem)
		if rc.CompletedAt == nil || it.DecidedAt.After(*rc.CompletedAt) {
			rc.CompletedAt = it.DecidedAt
		}
	}
	rc.Outstanding = rc.Total - rc.Decided - rc.Deleted
	rc.PercentComplete = (rc.Decided + rc.Deleted) * 100 / rc.Total
	switch {
	case rc.Outstanding == 0:
		rc.Status = nhi.ConditionCompleted
	case !c.due.IsZero() && !until.Before(c.due):
		rc.Overdue, rc.CompletedAt = rc.Outstanding, nil
		rc.Status = "Stalled (" + nhi.ReasonItemsOverdue + ")"
	default:
		rc.CompletedAt = nil
		rc.Status = "InProgress"
	}
	return rc
}

// campaignsFromLog rebuilds the campaigns the log records and no object
// holds any longer (known: the UIDs, and the names for lines without a
// UID, of the campaigns read from the cluster). A campaign is keyed by its
// UID: one deleted and created again under its name is another campaign.
func campaignsFromLog(in Inputs, known map[string]bool) []Campaign {
	byKey := map[string]*loggedCampaign{}
	for _, d := range in.Decisions {
		key := cmp.Or(d.CampaignUID, d.Campaign)
		if d.Type != evidence.DecisionCampaign || d.Campaign == "" || known[key] ||
			in.Campaign != "" && d.Campaign != in.Campaign {
			continue
		}
		if byKey[key] == nil {
			byKey[key] = &loggedCampaign{name: d.Campaign, items: map[[2]string]*loggedItem{}}
		}
		byKey[key].add(d)
	}
	var out []Campaign
	for _, c := range byKey {
		if len(c.order) == 0 {
			continue // decisions without the freeze: the log given starts after it
		}
		rc := c.campaign(in.Period.Until)
		if rc.StartedAt.After(in.Period.Until) || rc.CompletedAt != nil && rc.CompletedAt.Before(in.Period.Since) {
			continue
		}
		out = append(out, rc)
	}
	return out
}

// departuresFromLog finds, in the log, the ownerships whose identities
// became OwnerDeparted and which no ownership status records a departure
// for (known: namespace/ownership), with the first revocation after.
func departuresFromLog(in Inputs, revoked []Revocation, known map[[2]string]bool) []Departure {
	first := map[[2]string]time.Time{}
	var order [][2]string
	for _, d := range in.Decisions {
		if d.Type != evidence.DecisionTransition || d.To != string(nhi.StateOwnerDeparted) || d.Ownership == "" {
			continue
		}
		key := [2]string{d.Namespace, d.Ownership}
		if known[key] {
			continue
		}
		if at, seen := first[key]; !seen || d.Time.Before(at) {
			if !seen {
				order = append(order, key)
			}
			first[key] = d.Time.UTC()
		}
	}
	var out []Departure
	for _, key := range order {
		at := first[key]
		dep := Departure{Namespace: key[0], Ownership: key[1], DepartedContacts: []string{}, FirstSeen: at,
			AllDepartedAt: &at, Record: RecordDecisionLog}
		revokedAt(&dep, revoked)
		if !dep.overlaps(in.Period) {
			continue
		}
		out = append(out, dep)
	}
	return out
}

// revokedAt fills in the first revocation of one of the departure's
// identities at or after its last contact left, and the time it took.
func revokedAt(dep *Departure, revoked []Revocation) {
	if dep.AllDepartedAt == nil {
		return
	}
	for _, r := range revoked {
		if r.Namespace == dep.Namespace && r.Ownership == dep.Ownership && !r.Time.Before(*dep.AllDepartedAt) {
			at := r.Time
			dep.RevokedAt = &at
			took := at.Sub(*dep.AllDepartedAt)
			dep.TimeToRevocation, dep.Seconds = took.Round(time.Second).String(), int64(took/time.Second)
			return
		}
	}
}

// overlaps says whether a departure was open during the period: it began
// before the period's end, and was not revoked before its start.
func (d *Departure) overlaps(p Period) bool {
	return !d.FirstSeen.After(p.Until) && (d.RevokedAt == nil || !d.RevokedAt.Before(p.Since))
}

func sortCampaigns(out []Campaign) {
	slices.SortFunc(out, func(a, b Campaign) int { return cmp.Compare(a.Name, b.Name) })
}
