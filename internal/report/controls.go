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
	"fmt"
	"slices"
	"strings"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/evidence"
)

// ControlSection is the evidence for one control: what Steward shows
// about it, the figures, and the identities with an open finding against
// it (or, for the context-only controls, the identities the context
// concerns).
type ControlSection struct {
	Framework string `json:"framework"`
	ID        string `json:"id"`
	Title     string `json:"title"`
	// Evidence says what this section proves and from what.
	Evidence string `json:"evidence"`
	// Findings are the findings mapped to the control (from the finding
	// registry); empty for a control Steward shows context for only.
	Findings []string `json:"findings"`
	// Figures are the section's key numbers, as label: value.
	Figures []Figure `json:"figures"`
	// Identities are those with an open finding against the control, or
	// the context concerns.
	Identities []IdentityRef `json:"identities"`
}

// Figure is one labelled number of a section.
type Figure struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// controlSpec is one control the report has a section for. Findings come
// from the registry's controls whose framework matches and whose ID starts
// with one of registryIDs (so "8.6" gathers 8.6.1 and 8.6.3).
type controlSpec struct {
	framework, id, title string
	registryIDs          []string
	evidence             string
	// privileged: ServiceAccounts with risky permissions are evidence too.
	privileged bool
	// context selects identities by their usage and privilege context,
	// for the controls no finding maps to.
	context func(evidence.Row) (string, bool)
	// figures adds the section's numbers beyond the identity count.
	figures func(Report) []Figure
}

// controlSpecs are the report's control sections, in framework order.
// OWASP NHI numbers follow the OWASP Non-Human Identities Top 10 (2025).
var controlSpecs = []controlSpec{
	{framework: nhi.FrameworkSOC2, id: "CC6.1", title: "Logical access security: identities are registered and owned",
		registryIDs: []string{"CC6.1"}, figures: ownedFigures,
		evidence: "Every governed identity is covered by an approved IdentityOwnership naming a team and contacts; " +
			"those that are not are listed here."},
	{framework: nhi.FrameworkSOC2, id: "CC6.2", title: "Access is authorised before it is granted, and periodically reviewed",
		registryIDs: []string{"CC6.2"}, figures: campaignFigures,
		evidence: "Ownerships are approved by a person who is not an owner contact, and re-certified by OwnershipReviews; " +
			"the campaigns record the periodic review."},
	{framework: nhi.FrameworkSOC2, id: "CC6.3", title: "Access is removed when no longer required",
		registryIDs: []string{"CC6.3"}, figures: removalFigures,
		evidence: "Expired, departed-owner, stale and unused identities are flagged and revoked on the policy's schedule; " +
			"the revocations and departures of the period are in their sections."},
	{framework: nhi.FrameworkNIST, id: "PR.AA-01", title: "Identities and credentials are managed",
		registryIDs: []string{"PR.AA-01"}, figures: ownedFigures,
		evidence: "Each identity has an owner, active contacts and, for Secrets with a rotation policy, a rotation age."},
	{framework: nhi.FrameworkNIST, id: "PR.AA-05", title: "Access permissions are defined, approved, enforced and reviewed",
		registryIDs: []string{"PR.AA-05"}, figures: campaignFigures,
		evidence: "Approval and expiry of each ownership, and its periodic review (campaigns and OwnershipReviews)."},
	{framework: nhi.FrameworkPCI, id: "7.2.1", title: "Access is approved by authorised personnel",
		registryIDs: []string{"7.2.1"},
		evidence:    "Each ownership records who approved it, when, and the change or ticket reference."},
	{framework: nhi.FrameworkPCI, id: "7.2.4", title: "Accounts and their access privileges are reviewed periodically",
		registryIDs: []string{"7.2.5.1"}, figures: campaignFigures,
		evidence: "7.2.4 concerns user accounts; for system and application accounts PCI DSS asks the same in 7.2.5.1, " +
			"to which Steward's review findings map. The campaigns and overdue reviews are the evidence for both."},
	{framework: nhi.FrameworkPCI, id: "7.2.5", title: "System and application accounts are assigned, managed and least-privileged (incl. 7.2.5.1)",
		registryIDs: []string{"7.2.5"}, privileged: true, figures: campaignFigures,
		evidence: "Each account is assigned to an owner; ServiceAccounts with risky permissions are listed; " +
			"7.2.5.1's periodic review is the campaigns'."},
	{framework: nhi.FrameworkPCI, id: "8.6.x", title: "System and application accounts and their credentials are managed (8.6.1, 8.6.3)",
		registryIDs: []string{"8.6"},
		evidence: "Expired, stale and unused accounts (8.6.1) and Secrets past their rotation age (8.6.3). " +
			"Steward does not inspect Secret data, so 8.6.2 (no hard-coded passwords) is not evidenced here."},
	{framework: nhi.FrameworkOWASP, id: "NHI1", title: "Improper Offboarding",
		registryIDs: []string{"NHI1"}, figures: removalFigures,
		evidence: "Orphaned (unowned), unused and departed-owner identities, and the time from an owner's departure to revocation."},
	{framework: nhi.FrameworkOWASP, id: "NHI3", title: "Vulnerable Third-Party NHI",
		context: cloudLinked,
		evidence: "No Steward finding maps to NHI3 (it concerns identities issued to third-party tools and vendors, not " +
			"ownership). As context, the identities linked to external cloud identities are listed with their owners, " +
			"so that each third-party trust relationship has an accountable team."},
	{framework: nhi.FrameworkOWASP, id: "NHI5", title: "Overprivileged NHI",
		privileged: true,
		evidence:   "ServiceAccounts with risky permissions (read Secrets, cluster-admin, impersonation, ...)."},
	{framework: nhi.FrameworkOWASP, id: "NHI7", title: "Long-Lived Secrets",
		registryIDs: []string{"NHI7"},
		evidence:    "Secrets past their rotation age, and legacy ServiceAccount token Secrets left unused."},
	{framework: nhi.FrameworkOWASP, id: "NHI9", title: "NHI Reuse",
		context: reused,
		evidence: "No Steward finding maps to NHI9. As context, the identities used by more than one workload are " +
			"listed: each is one identity shared by several applications."},
}

func controlSections(rows []evidence.Row, r Report) []ControlSection {
	out := make([]ControlSection, 0, len(controlSpecs))
	for _, spec := range controlSpecs {
		findings := findingsMappedTo(spec)
		s := ControlSection{Framework: spec.framework, ID: spec.id, Title: spec.title, Evidence: spec.evidence,
			Findings: findings, Figures: []Figure{}, Identities: []IdentityRef{}}
		for _, row := range rows {
			var why []string
			for _, f := range row.Findings {
				if slices.Contains(findings, f) {
					why = append(why, f)
				}
			}
			if spec.privileged && len(row.Risky) > 0 {
				why = append(why, "risky: "+strings.Join(row.Risky, ","))
			}
			if spec.context != nil {
				if detail, ok := spec.context(row); ok {
					why = append(why, detail)
				}
			}
			if len(why) > 0 {
				s.Identities = append(s.Identities, refOf(row, strings.Join(why, "; ")))
			}
		}
		label := "Identities with an open finding"
		if spec.context != nil {
			label = "Identities concerned"
		}
		s.Figures = append(s.Figures, Figure{label, fmt.Sprintf("%d of %d", len(s.Identities), len(rows))})
		if spec.figures != nil {
			s.Figures = append(s.Figures, spec.figures(r)...)
		}
		out = append(out, s)
	}
	return out
}

// findingsMappedTo lists the registry's findings with a control of the
// spec's framework and one of its IDs.
func findingsMappedTo(spec controlSpec) []string {
	findings := []string{}
	for _, info := range nhi.FindingRegistry {
		for _, c := range info.Controls {
			if c.Framework != spec.framework || !matchesAny(c.ID, spec.registryIDs) {
				continue
			}
			if !slices.Contains(findings, string(info.Finding)) {
				findings = append(findings, string(info.Finding))
			}
		}
	}
	return findings
}

// matchesAny says whether id is one of prefixes or a sub-requirement of
// one ("7.2.5.1" of "7.2.5" only when asked for by "7.2.5"; "8.6.1" of "8.6").
func matchesAny(id string, prefixes []string) bool {
	for _, p := range prefixes {
		if id == p || strings.HasPrefix(id, p+".") {
			return true
		}
	}
	return false
}

func cloudLinked(row evidence.Row) (string, bool) {
	if len(row.CloudIdentities) == 0 {
		return "", false
	}
	return "linked to " + strings.Join(row.CloudIdentities, ", "), true
}

func reused(row evidence.Row) (string, bool) {
	if row.UsageCount < 2 {
		return "", false
	}
	return fmt.Sprintf("used by %d workloads: %s", row.UsageCount, strings.Join(row.UsedBy, ", ")), true
}

func ownedFigures(r Report) []Figure {
	owned := 0
	for _, s := range r.Summary.ByState {
		if s.Name == string(nhi.StateOwned) || s.Name == string(nhi.StateExcepted) {
			owned += s.Count
		}
	}
	return []Figure{{"Owned or excepted", fmt.Sprintf("%d of %d", owned, r.Summary.Identities)}}
}

func campaignFigures(r Report) []Figure {
	var figures []Figure
	for _, c := range r.Campaigns {
		figures = append(figures, Figure{"Campaign " + c.Name, fmt.Sprintf("%d/%d decided (%d%%), %d outstanding, %d overdue",
			c.Decided, c.Total, c.PercentComplete, c.Outstanding, c.Overdue)})
	}
	if len(figures) == 0 {
		figures = append(figures, Figure{"Campaigns", "none in the period"})
	}
	return figures
}

func removalFigures(r Report) []Figure {
	timed := 0
	for _, d := range r.Departures {
		if d.RevokedAt != nil {
			timed++
		}
	}
	return []Figure{
		{"Revocations in the period", fmt.Sprint(len(r.Revocations))},
		{"Owner departures revoked", fmt.Sprintf("%d of %d", timed, len(r.Departures))},
	}
}

// stateOrder is every state, most severe first.
func stateOrder() []string {
	out := make([]string, len(nhi.StateSeverity))
	for i, s := range nhi.StateSeverity {
		out[i] = string(s)
	}
	return out
}
