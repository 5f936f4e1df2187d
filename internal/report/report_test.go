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
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/evidence"
)

var (
	day0  = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	until = time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)
)

func at(days int) metav1.Time   { return metav1.NewTime(day0.Add(time.Duration(days) * 24 * time.Hour)) }
func atp(days int) *metav1.Time { t := at(days); return &t }

func fixture() Inputs {
	departed := nhi.IdentityOwnership{
		ObjectMeta: metav1.ObjectMeta{Namespace: "payments", Name: "legacy-batch"},
		Spec: nhi.IdentityOwnershipSpec{Owner: nhi.Owner{Team: "payments", Contacts: []nhi.Person{"gone@example.com"}},
			ExpiresAt: at(200)},
		Status: nhi.IdentityOwnershipStatus{
			Identities: []nhi.IdentityStatus{{Kind: nhi.KindServiceAccount, Name: "batch", State: nhi.StateRevoked,
				Findings: []nhi.Finding{nhi.FindingOwnerDeparted}}},
			Departure: &nhi.OwnerDeparture{DepartedContacts: []nhi.Person{"gone@example.com"}, FirstSeen: at(10),
				AllDepartedAt: atp(10)},
			History: []nhi.HistoryEntry{{Time: at(12), Type: "Transition", Kind: nhi.KindServiceAccount, Name: "batch",
				Reason: "Revoked", Message: "revoked: OwnerDeparted"}},
		},
	}
	shared := nhi.IdentityOwnership{
		ObjectMeta: metav1.ObjectMeta{Namespace: "payments", Name: "api"},
		Spec: nhi.IdentityOwnershipSpec{Owner: nhi.Owner{Team: "payments", Contacts: []nhi.Person{"ann@example.com"}},
			ExpiresAt: at(200)},
		Status: nhi.IdentityOwnershipStatus{Identities: []nhi.IdentityStatus{
			{Kind: nhi.KindServiceAccount, Name: "api", State: nhi.StateOwned,
				Usage: &nhi.IdentityUsage{Count: 2, Workloads: []nhi.WorkloadReference{{Kind: "Deployment", Name: "api"},
					{Kind: "CronJob", Name: "report"}}},
				Access:          &nhi.AccessSummary{Risky: []nhi.RiskyPermission{"ReadSecrets"}},
				CloudIdentities: []nhi.CloudIdentityLink{{Provider: "AWS", Identity: "arn:aws:iam::1:role/api"}}},
			{Kind: nhi.KindSecret, Name: "old-token", State: nhi.StateRotationOverdue,
				Findings: []nhi.Finding{nhi.FindingRotationOverdue}},
		}},
	}
	active := nhi.OwnershipException{ObjectMeta: metav1.ObjectMeta{Namespace: "payments", Name: "vendor-key"},
		Spec: nhi.OwnershipExceptionSpec{Findings: []nhi.Finding{nhi.FindingRotationOverdue}, RiskAcceptedBy: "ciso@example.com",
			Justification: "vendor rotates yearly", CompensatingControls: []string{"IP allow-list"}, ExpiresAt: at(120)}}
	meta.SetStatusCondition(&active.Status.Conditions, metav1.Condition{Type: nhi.ConditionActive, Status: "True", Reason: "Active"})
	expiredInPeriod := nhi.OwnershipException{ObjectMeta: metav1.ObjectMeta{Namespace: "payments", Name: "old"},
		Spec: nhi.OwnershipExceptionSpec{Findings: []nhi.Finding{nhi.FindingUnused}, RiskAcceptedBy: "ciso@example.com",
			Justification: "migration", ExpiresAt: at(20)}, Status: nhi.OwnershipExceptionStatus{ExpiredAt: atp(20)}}
	expiredBefore := nhi.OwnershipException{ObjectMeta: metav1.ObjectMeta{Namespace: "payments", Name: "ancient"},
		Spec: nhi.OwnershipExceptionSpec{Findings: []nhi.Finding{nhi.FindingUnused}, RiskAcceptedBy: "ciso@example.com",
			Justification: "old", ExpiresAt: at(-50)}, Status: nhi.OwnershipExceptionStatus{ExpiredAt: atp(-50)}}
	campaign := nhi.AccessReviewCampaign{ObjectMeta: metav1.ObjectMeta{Name: "q4-2026"},
		Spec: nhi.AccessReviewCampaignSpec{DueBy: at(80), Description: "Q4 review"},
		Status: nhi.AccessReviewCampaignStatus{StartedAt: atp(1), Total: 2, Decided: 1, Revoked: 1, Outstanding: 1,
			PercentComplete: 50, Progress: "1/2",
			Items: []nhi.CampaignItem{
				{Namespace: "payments", Ownership: "api", Team: "payments", IdentityCount: 2},
				{Namespace: "payments", Ownership: "legacy-batch", Team: "payments", IdentityCount: 1,
					Decision: nhi.DecisionRevoke, Reviewer: "rev@example.com", Review: "legacy-batch-q4", DecidedAt: atp(12)},
			}}}
	decisions := []evidence.Decision{
		// The same revocation as the history entry: merged.
		{Schema: evidence.SchemaVersion, Time: at(12).Add(30 * time.Second), Type: evidence.DecisionAction,
			Namespace: "payments", Kind: "ServiceAccount", Name: "batch", Action: "Revoke", Revocation: "r-1",
			Reason: "OwnerDeparted", Ownership: "legacy-batch", Enforcement: "Enforce"},
		// Before the period: left out.
		{Schema: evidence.SchemaVersion, Time: at(-40).Time, Type: evidence.DecisionAction, Namespace: "payments",
			Kind: "Secret", Name: "gone", Action: "Revoke", Revocation: "r-0"},
	}
	return Inputs{Period: Period{Since: day0, Until: until},
		Ownerships: []nhi.IdentityOwnership{departed, shared},
		Exceptions: []nhi.OwnershipException{active, expiredInPeriod, expiredBefore},
		Campaigns:  []nhi.AccessReviewCampaign{campaign}, Decisions: decisions}
}

func build(t *testing.T, in Inputs) Report {
	t.Helper()
	r, err := Build(in, Cluster{Context: "test", Server: "https://127.0.0.1:6443"}, until)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestBuildSections(t *testing.T) {
	r := build(t, fixture())
	if r.Summary.Identities != 3 {
		t.Errorf("identities = %d, want 3", r.Summary.Identities)
	}
	if got := r.Summary.ByState; len(got) != 3 || got[0].Name != "Revoked" {
		t.Errorf("by state = %v, want Revoked first of 3", got)
	}
	if len(r.Campaigns) != 1 || r.Campaigns[0].Decided != 1 || len(r.Campaigns[0].OutstandingItems) != 1 ||
		r.Campaigns[0].OutstandingItems[0].Ownership != "api" {
		t.Errorf("campaigns = %+v", r.Campaigns)
	}
	if len(r.Revocations) != 1 {
		t.Fatalf("revocations = %+v, want the one in the period, merged", r.Revocations)
	}
	rev := r.Revocations[0]
	if rev.Revocation != "r-1" || len(rev.Records) != 2 || !rev.Time.Equal(at(12).Time) {
		t.Errorf("revocation = %+v, want r-1 from the log and the history, at the earlier time", rev)
	}
	names := make([]string, 0, len(r.Exceptions))
	for _, x := range r.Exceptions {
		names = append(names, x.Name+":"+x.Status)
	}
	if strings.Join(names, ",") != "vendor-key:Active,old:Expired" {
		t.Errorf("exceptions = %v, want the active one and the one expired in the period", names)
	}
	if len(r.Departures) != 1 || r.Departures[0].TimeToRevocation != "48h0m0s" {
		t.Errorf("departures = %+v, want 48h to revocation", r.Departures)
	}
}

func TestControlSections(t *testing.T) {
	r := build(t, fixture())
	want := map[string]string{ // control -> the identities it lists
		"CC6.1": "", "CC6.3": "batch", "NHI1": "batch", "NHI3": "api", "NHI5": "api", "NHI7": "old-token",
		"NHI9": "api", "8.6.x": "old-token", "7.2.5": "api",
	}
	seen := map[string]bool{}
	for _, c := range r.Controls {
		seen[c.ID] = true
		expected, ok := want[c.ID]
		if !ok {
			continue
		}
		var got []string
		for _, id := range c.Identities {
			got = append(got, id.Name)
		}
		if strings.Join(got, ",") != expected {
			t.Errorf("%s lists %v, want %q", c.ID, got, expected)
		}
	}
	for _, id := range []string{"CC6.1", "CC6.2", "CC6.3", "PR.AA-01", "PR.AA-05", "7.2.1", "7.2.4", "7.2.5", "8.6.x",
		"NHI1", "NHI3", "NHI7", "NHI9"} {
		if !seen[id] {
			t.Errorf("no section for %s", id)
		}
	}
}

func TestDigestIsReDerivableFromTheJSON(t *testing.T) {
	r := build(t, fixture())
	var out bytes.Buffer
	if err := Write(&out, "json", r); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Inputs    json.RawMessage `json:"inputs"`
		Integrity Integrity       `json:"integrity"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	var generic any
	if err := json.Unmarshal(doc.Inputs, &generic); err != nil {
		t.Fatal(err)
	}
	canonical, err := Canonical(generic)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(canonical)
	if got := hex.EncodeToString(sum[:]); got != doc.Integrity.Digest {
		t.Errorf("digest of the printed inputs = %s, report says %s", got, doc.Integrity.Digest)
	}
	changed := fixture()
	changed.Ownerships[0].Spec.Owner.Team = "someone-else"
	if build(t, changed).Integrity.Digest == r.Integrity.Digest {
		t.Error("the digest does not change when an input does")
	}
	// The API server's bookkeeping is not evidence: managed fields change
	// nothing, and the caller's objects keep theirs.
	bookkeeping := fixture()
	managed := []metav1.ManagedFieldsEntry{{Manager: "kubectl", Operation: metav1.ManagedFieldsOperationApply}}
	bookkeeping.Ownerships[0].ManagedFields = managed
	bookkeeping.Campaigns[0].ManagedFields = managed
	if build(t, bookkeeping).Integrity.Digest != r.Integrity.Digest {
		t.Error("managed fields change the digest")
	}
	if len(bookkeeping.Ownerships[0].ManagedFields) != 1 {
		t.Error("building the report dropped the caller's managed fields")
	}
}

func TestRenderersHoldEverySection(t *testing.T) {
	r := build(t, fixture())
	for _, format := range []string{"html", "markdown"} {
		var out bytes.Buffer
		if err := Write(&out, format, r); err != nil {
			t.Fatal(err)
		}
		text := out.String()
		for _, want := range []string{"Summary", "Access review campaign", "Revocations in the period", "Exceptions",
			"Owner departures", "Controls", "Integrity", "1/2", "r-1", "48h0m0s", "vendor-key", "ciso@example.com",
			"NHI9", "PR.AA-05", r.Integrity.Digest} {
			if !strings.Contains(text, want) {
				t.Errorf("%s lacks %q", format, want)
			}
		}
		if format == "html" {
			for _, external := range []string{"<script", "<link", "src=", "href=", "@import", "url("} {
				if strings.Contains(text, external) {
					t.Errorf("html refers to an external asset or script: %q", external)
				}
			}
			if strings.Count(text, "<svg") != 2 {
				t.Errorf("html has %d charts, want 2 (states, campaign)", strings.Count(text, "<svg"))
			}
		}
	}
	if err := Write(&bytes.Buffer{}, "pdf", r); err == nil {
		t.Error("an unknown format is accepted")
	}
}

// figures are a campaign's names and counts, compared at once.
type figures struct {
	name, record, status                                                 string
	total, decided, recertified, revoked, outstanding, overdue, complete int
}

func figuresOf(c Campaign) figures {
	return figures{c.Name, c.Record, c.Status, c.Total, c.Decided, c.Recertified, c.Revoked, c.Outstanding, c.Overdue,
		c.PercentComplete}
}

// TestBuildFromTheLogAlone: a year after the quarter, the campaign object
// is deleted, the ownership of the departed owner too; only the decision
// log remains, and the report rebuilds the quarter from it.
func TestBuildFromTheLogAlone(t *testing.T) {
	due := at(80).Time
	line := func(days int, d evidence.Decision) evidence.Decision {
		d.Schema, d.Time = evidence.SchemaVersion, at(days).Time
		return d
	}
	frozen := func(ownership string, identities ...string) evidence.Decision {
		return line(1, evidence.Decision{Type: evidence.DecisionCampaign, Action: "ItemFrozen", Campaign: "q4-2026",
			Namespace: "payments", Kind: "IdentityOwnership", Name: ownership, Ownership: ownership, Team: "payments",
			Identities: identities, DeadlineAt: &due})
	}
	in := Inputs{Period: Period{Since: day0, Until: until}, Decisions: []evidence.Decision{
		frozen("api", "ServiceAccount/api", "Secret/api-token"),
		frozen("batch", "ServiceAccount/batch"),
		frozen("cron", "ServiceAccount/cron"),
		line(5, evidence.Decision{Type: evidence.DecisionCampaign, Action: "ItemDecided", Campaign: "q4-2026",
			Namespace: "payments", Ownership: "api", Reason: "Recertify", Reviewer: "dave@example.com", Review: "api-q4"}),
		line(6, evidence.Decision{Type: evidence.DecisionCampaign, Action: "ItemDecided", Campaign: "q4-2026",
			Namespace: "payments", Ownership: "batch", Reason: "Revoke", Reviewer: "dave@example.com", Review: "batch-q4"}),
		// A later decision of the same item does not replace the first.
		line(7, evidence.Decision{Type: evidence.DecisionCampaign, Action: "ItemDecided", Campaign: "q4-2026",
			Namespace: "payments", Ownership: "batch", Reason: "Recertify", Reviewer: "erin@example.com", Review: "again"}),
		line(20, evidence.Decision{Type: evidence.DecisionTransition, Namespace: "payments", Kind: "ServiceAccount",
			Name: "legacy", Ownership: "legacy", From: "Owned", To: "OwnerDeparted"}),
		line(22, evidence.Decision{Type: evidence.DecisionAction, Namespace: "payments", Kind: "ServiceAccount",
			Name: "legacy", Ownership: "legacy", Action: "Revoke", Reason: "OwnerDeparted", Revocation: "r-9",
			Enforcement: "Enforce"}),
		// A departure before the period, revoked before it too: left out.
		line(-30, evidence.Decision{Type: evidence.DecisionTransition, Namespace: "old", Kind: "Secret",
			Name: "k", Ownership: "old", To: "OwnerDeparted"}),
		line(-25, evidence.Decision{Type: evidence.DecisionAction, Namespace: "old", Kind: "Secret",
			Name: "k", Ownership: "old", Action: "Revoke", Reason: "OwnerDeparted", Revocation: "r-old"}),
		// A departure before the period, never revoked: open in it, listed.
		line(-20, evidence.Decision{Type: evidence.DecisionTransition, Namespace: "old", Kind: "Secret",
			Name: "j", Ownership: "still-open", To: "OwnerDeparted"}),
		// Decisions of a campaign whose freeze the log does not hold.
		line(3, evidence.Decision{Type: evidence.DecisionCampaign, Action: "ItemDecided", Campaign: "q3-2026",
			Namespace: "payments", Ownership: "api", Reason: "Recertify"}),
	}, LogCheck: &LogCheck{Files: []string{"decisions.jsonl"}, Intact: true, Lines: 10, FirstSeq: 1}}

	r := build(t, in)
	if len(r.Campaigns) != 1 {
		t.Fatalf("campaigns = %+v, want q4-2026 from the log", r.Campaigns)
	}
	c := r.Campaigns[0]
	want := figures{"q4-2026", RecordDecisionLog, "Stalled (ItemsOverdue)", 3, 2, 1, 1, 1, 1, 66}
	if got := figuresOf(c); got != want {
		t.Errorf("campaign = %+v, want %+v", got, want)
	}
	if !c.DueBy.Equal(due) || c.CompletedAt != nil || !c.StartedAt.Equal(at(1).Time) {
		t.Errorf("campaign due %v, completed %v, started %v", c.DueBy, c.CompletedAt, c.StartedAt)
	}
	if len(c.OutstandingItems) != 1 || c.OutstandingItems[0].Ownership != "cron" || c.OutstandingItems[0].Identities != 1 {
		t.Errorf("outstanding = %+v", c.OutstandingItems)
	}
	if len(c.Decisions) != 2 || c.Decisions[1].Ownership != "batch" || c.Decisions[1].Review != "batch-q4" ||
		c.Decisions[0].Identities != 2 || !c.Decisions[1].DecidedAt.Equal(at(6).Time) {
		t.Errorf("decisions = %+v, want each item's first decision", c.Decisions)
	}
	if len(r.Departures) != 2 {
		t.Fatalf("departures = %+v, want still-open and legacy from the log", r.Departures)
	}
	if d := r.Departures[0]; d.Ownership != "still-open" || d.RevokedAt != nil {
		t.Errorf("departure = %+v, want still-open, not revoked", d)
	}
	if d := r.Departures[1]; d.Ownership != "legacy" || d.Record != RecordDecisionLog || d.TimeToRevocation != "48h0m0s" {
		t.Errorf("departure = %+v", d)
	}
	if len(r.Revocations) != 1 || r.Revocations[0].Revocation != "r-9" {
		t.Errorf("revocations = %+v", r.Revocations)
	}
	if len(r.Warnings) != 0 || r.Integrity.DecisionLog == nil || !strings.Contains(r.Integrity.DecisionLog.Sentence(), "intact") {
		t.Errorf("warnings %v, integrity %+v", r.Warnings, r.Integrity)
	}

	// The same log with a broken chain: the report says so.
	in.LogCheck = &LogCheck{Files: []string{"decisions.jsonl"}, Break: "decisions.jsonl:4: edited"}
	r = build(t, in)
	if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "decisions.jsonl:4: edited") ||
		!strings.Contains(r.Integrity.DecisionLog.Sentence(), "breaks at decisions.jsonl:4") {
		t.Errorf("a broken chain: warnings %v, integrity %q", r.Warnings, r.Integrity.DecisionLog.Sentence())
	}

	// The campaign object, while it exists, is the record; its log lines
	// do not add a second copy.
	in.Campaigns = []nhi.AccessReviewCampaign{{ObjectMeta: metav1.ObjectMeta{Name: "q4-2026"},
		Spec:   nhi.AccessReviewCampaignSpec{DueBy: at(80)},
		Status: nhi.AccessReviewCampaignStatus{StartedAt: atp(1)}}}
	if r = build(t, in); len(r.Campaigns) != 1 || r.Campaigns[0].Record != RecordCampaignStatus {
		t.Errorf("campaigns = %+v, want the object's only", r.Campaigns)
	}
}

// TestLogCampaignsByUID: two campaigns of one name (the first deleted, the
// second created under its name) stay apart; --campaign picks by name from
// the cluster and the log alike; a deleted ownership closes its item.
func TestLogCampaignsByUID(t *testing.T) {
	due := at(80).Time
	frozen := func(uid string, days int, ownership string) evidence.Decision {
		return evidence.Decision{Schema: evidence.SchemaVersion, Time: at(days).Time, Type: evidence.DecisionCampaign,
			Action: "ItemFrozen", Campaign: "q4", CampaignUID: uid, Namespace: "pay", Ownership: ownership,
			Identities: []string{"ServiceAccount/" + ownership}, DeadlineAt: &due}
	}
	closed := evidence.Decision{Schema: evidence.SchemaVersion, Time: at(4).Time, Type: evidence.DecisionCampaign,
		Action: "ItemDeleted", Campaign: "q4", CampaignUID: "uid-1", Namespace: "pay", Ownership: "api"}
	other := frozen("uid-9", 2, "web")
	other.Campaign = "q3"
	in := Inputs{Period: Period{Since: day0, Until: until}, Decisions: []evidence.Decision{
		frozen("uid-1", 1, "api"), closed, frozen("uid-2", 3, "batch"), other}}

	r := build(t, in)
	if len(r.Campaigns) != 3 {
		t.Fatalf("campaigns = %+v, want q3 and two q4", r.Campaigns)
	}
	in.Campaign = "q4"
	r = build(t, in)
	if len(r.Campaigns) != 2 {
		t.Fatalf("--campaign q4: %+v, want the two q4", r.Campaigns)
	}
	first, second := r.Campaigns[0], r.Campaigns[1]
	if first.StartedAt.After(*second.StartedAt) {
		first, second = second, first
	}
	if first.Total != 1 || first.Deleted != 1 || first.Outstanding != 0 || first.Status != nhi.ConditionCompleted ||
		len(first.Decisions) != 1 || first.Decisions[0].Decision != DecisionOwnershipDeleted {
		t.Errorf("the first q4 = %+v, want its one item closed: the ownership was deleted", first)
	}
	if second.Total != 1 || second.Outstanding != 1 || second.OutstandingItems[0].Ownership != "batch" {
		t.Errorf("the second q4 = %+v, want batch outstanding", second)
	}

	// The second q4 exists in the cluster: only the first comes from the log.
	in.Campaigns = []nhi.AccessReviewCampaign{{ObjectMeta: metav1.ObjectMeta{Name: "q4", UID: "uid-2"},
		Spec: nhi.AccessReviewCampaignSpec{DueBy: at(80)}, Status: nhi.AccessReviewCampaignStatus{StartedAt: atp(3)}}}
	r = build(t, in)
	if len(r.Campaigns) != 2 || r.Campaigns[0].Record == r.Campaigns[1].Record {
		t.Errorf("campaigns = %+v, want one from the cluster and the deleted one from the log", r.Campaigns)
	}
}
