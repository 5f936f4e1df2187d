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
	"io"
	"strings"
)

// Column headings used by more than one table.
const (
	colOwnership  = "Ownership"
	colIdentities = "Identities"
	colTeam       = "Team"
)

// writeMarkdown writes the report as GitHub-flavoured Markdown, with the
// same sections as the HTML and the charts as tables.
func writeMarkdown(w io.Writer, r Report) error {
	m := &mdWriter{w: w}
	m.line("# Steward evidence report")
	m.line("")
	m.line(fmt.Sprintf("Period: %s to %s. Cluster: %s (%s). Generated %s.", sinceText(r.Period), stamp(r.Period.Until),
		r.Cluster.Context, r.Cluster.Server, stamp(r.GeneratedAt)))
	for _, w := range r.Warnings {
		m.line("\n> Warning: " + w)
	}
	m.heading("Summary")
	m.line(fmt.Sprintf("Identities governed: **%d**", r.Summary.Identities))
	m.line("")
	m.table([]string{"State", colIdentities}, countsRows(r.Summary.ByState))
	m.table([]string{"Kind", colIdentities}, countsRows(r.Summary.ByKind))

	m.heading("Access review campaign")
	if len(r.Campaigns) == 0 {
		m.line("No campaign in the period.")
	}
	for _, c := range r.Campaigns {
		m.line("### " + c.Name)
		m.line("")
		m.line(fmt.Sprintf("Status: **%s**. Started %s, due %s, completed %s. Decided **%d/%d** (%d%%): %d recertified, "+
			"%d revoked, %d ownerships deleted before a decision, %d outstanding, %d overdue. Recorded in: %s.", c.Status, stamp(c.StartedAt), stamp(c.DueBy), stamp(c.CompletedAt),
			c.Decided, c.Total, c.PercentComplete, c.Recertified, c.Revoked, c.Deleted, c.Outstanding, c.Overdue, c.Record))
		m.line("")
		m.line("Outstanding items:")
		m.line("")
		rows := make([][]string, 0, len(c.OutstandingItems))
		for _, i := range c.OutstandingItems {
			rows = append(rows, []string{i.Namespace, i.Ownership, i.Team, fmt.Sprint(i.Identities)})
		}
		m.table([]string{"Namespace", colOwnership, colTeam, colIdentities}, rows)
		rows = make([][]string, 0, len(c.Decisions))
		for _, i := range c.Decisions {
			decision := i.Decision
			if i.ChangedSinceFreeze {
				decision += " (the ownership changed after the freeze; the later version was reviewed)"
			}
			rows = append(rows, []string{i.Namespace, i.Ownership, i.Team, decision, i.Reviewer, i.Review, stamp(i.DecidedAt)})
		}
		m.line("Decisions:")
		m.line("")
		m.table([]string{"Namespace", colOwnership, colTeam, "Decision", "Reviewer", "Review", "Decided at"}, rows)
	}

	m.heading("Revocations in the period")
	rows := make([][]string, 0, len(r.Revocations))
	for _, v := range r.Revocations {
		rows = append(rows, []string{stamp(v.Time), v.Namespace + "/" + v.Kind + "/" + v.Name, v.Ownership, v.Reason,
			v.Enforcement, strings.TrimSpace(v.Revocation + " " + v.Review), strings.Join(v.Records, ", ")})
	}
	m.table([]string{"Time", "Identity", colOwnership, "Reason", "Enforcement", "Revocation / review", "Recorded in"}, rows)

	m.heading("Exceptions")
	rows = make([][]string, 0, len(r.Exceptions))
	for _, x := range r.Exceptions {
		rows = append(rows, []string{x.Namespace + "/" + x.Name, x.Status, strings.Join(x.Findings, ", "), x.RiskAcceptedBy,
			x.Justification, strings.Join(x.CompensatingControls, "; "), stamp(x.ExpiresAt), fmt.Sprint(x.Identities)})
	}
	m.table([]string{"Exception", "Status", "Findings waived", "Risk accepted by", "Justification",
		"Compensating controls", "Expires", colIdentities}, rows)

	m.heading("Owner departures")
	rows = make([][]string, 0, len(r.Departures))
	for _, d := range r.Departures {
		rows = append(rows, []string{d.Namespace + "/" + d.Ownership, d.Team, strings.Join(d.DepartedContacts, ", "),
			stamp(d.FirstSeen), stamp(d.AllDepartedAt), stamp(d.RevokedAt), cellOr(d.TimeToRevocation, "not revoked"), d.Record})
	}
	m.table([]string{colOwnership, colTeam, "Departed contacts", "First seen", "All departed", "Revoked at",
		"Time to revocation", "Recorded in"}, rows)

	m.heading("Controls")
	for _, c := range r.Controls {
		m.line(fmt.Sprintf("### %s %s: %s", c.Framework, c.ID, c.Title))
		m.line("")
		m.line(c.Evidence)
		m.line("")
		if len(c.Findings) > 0 {
			m.line("Findings mapped: " + strings.Join(c.Findings, ", "))
			m.line("")
		}
		for _, f := range c.Figures {
			m.line(fmt.Sprintf("- %s: **%s**", f.Label, f.Value))
		}
		m.line("")
		rows = nil
		for _, i := range c.Identities {
			rows = append(rows, []string{i.Namespace + "/" + i.Kind + "/" + i.Name, i.State, i.Team, i.Detail})
		}
		if len(rows) > 0 {
			m.table([]string{"Identity", "State", colTeam, "Why"}, rows)
		}
	}

	m.heading("Integrity")
	m.line(fmt.Sprintf("Generated %s from cluster context %s, server %s.", stamp(r.GeneratedAt), r.Cluster.Context,
		r.Cluster.Server))
	m.line("")
	m.line(fmt.Sprintf("Inputs digest (%s): `%s`", r.Integrity.Algorithm, r.Integrity.Digest))
	m.line("")
	m.line(r.Integrity.Canonicalisation + ".")
	m.line("")
	m.line(r.Integrity.DecisionLog.Sentence())
	return m.err
}

func countsRows(counts []StateCount) [][]string {
	rows := make([][]string, len(counts))
	for i, c := range counts {
		rows[i] = []string{c.Name, fmt.Sprint(c.Count)}
	}
	return rows
}

func cellOr(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

type mdWriter struct {
	w   io.Writer
	err error
}

func (m *mdWriter) line(s string) {
	if m.err == nil {
		_, m.err = fmt.Fprintln(m.w, s)
	}
}

func (m *mdWriter) heading(s string) {
	m.line("")
	m.line("## " + s)
	m.line("")
}

func (m *mdWriter) table(header []string, rows [][]string) {
	if len(rows) == 0 {
		m.line("None.")
		m.line("")
		return
	}
	m.line("| " + strings.Join(header, " | ") + " |")
	m.line(strings.Repeat("| --- ", len(header)) + "|")
	for _, row := range rows {
		cells := make([]string, len(row))
		for i, c := range row {
			cells[i] = strings.NewReplacer("|", `\|`, "\n", " ").Replace(c)
		}
		m.line("| " + strings.Join(cells, " | ") + " |")
	}
	m.line("")
}
