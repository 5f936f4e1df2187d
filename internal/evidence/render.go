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

package evidence

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// Formats the evidence export can be written in.
var Formats = []string{"table", "csv", "json", "markdown"}

// column is one of the export's columns, with how to read it.
type column struct {
	header string
	value  func(Row) string
}

// clusterColumn leads a fleet export's columns.
var clusterColumn = column{"CLUSTER", func(r Row) string { return r.Cluster }}

// tableColumns are the columns the table shows: it leaves out the long
// ones, which csv, json and markdown have.
var tableColumns = []string{"CLUSTER", "NAMESPACE", "KIND", "NAME", "STATE", "FINDINGS", "TEAM", "APPROVED-BY",
	"EXPIRES", "LAST-REVIEW", "EXCEPTIONS", "USED-BY", "RISKY"}

// columns are the export's columns, in order.
var columns = []column{
	{"NAMESPACE", func(r Row) string { return r.Namespace }},
	{"KIND", func(r Row) string { return r.Kind }},
	{"NAME", func(r Row) string { return r.Name }},
	{"STATE", func(r Row) string { return r.State }},
	{"FINDINGS", func(r Row) string { return strings.Join(r.Findings, ",") }},
	{"TEAM", func(r Row) string { return r.Team }},
	{"CONTACTS", func(r Row) string { return strings.Join(r.Contacts, ",") }},
	{"APPROVED-BY", func(r Row) string { return r.ApprovedBy }},
	{"APPROVAL-REF", func(r Row) string { return r.ApprovalRef }},
	{"EXPIRES", func(r Row) string { return day(r.ExpiresAt) }},
	{"LAST-REVIEW", func(r Row) string { return day(r.ReviewedAt) }},
	{"REVIEWER", func(r Row) string { return r.Reviewer }},
	{"EXCEPTIONS", func(r Row) string { return strings.Join(r.Exceptions, ",") }},
	{"DEPARTED", func(r Row) string { return strings.Join(r.DepartedContacts, ",") }},
	{"DEPARTURE-SEEN", func(r Row) string { return stamp(r.DepartureSeen) }},
	{"CONTROLS", func(r Row) string { return strings.Join(r.Controls, "; ") }},
	{"USED-BY", func(r Row) string { return usedBy(r.Context) }},
	{"RISKY", func(r Row) string { return strings.Join(r.Risky, ",") }},
	{"ACCESS", func(r Row) string { return access(r.Context) }},
	{"CLOUD-IDENTITIES", func(r Row) string { return strings.Join(r.CloudIdentities, ",") }},
	{"WARNINGS", func(r Row) string { return strings.Join(r.Warnings, ",") }},
	{"HELD", func(r Row) string {
		if r.Held {
			return propTrue
		}
		return ""
	}},
}

// usedBy is the count of workloads and the first of them.
func usedBy(c Context) string {
	if c.UsageCount == 0 {
		return ""
	}
	text := fmt.Sprintf("%d: %s", c.UsageCount, strings.Join(c.UsedBy, ","))
	if c.UsageCount > len(c.UsedBy) {
		text += ",…"
	}
	return text
}

// access is where the account's access reaches.
func access(c Context) string {
	if c.ClusterWide {
		return "cluster-wide"
	}
	return strings.Join(c.AccessNamespaces, ",")
}

func stamp(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func day(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

// ClusterRead is one cluster of a fleet export: read, with how many
// identities it holds, or not, with why.
type ClusterRead struct {
	Name       string `json:"name"`
	Read       bool   `json:"read"`
	Identities int    `json:"identities"`
	Error      string `json:"error,omitempty"`
}

// Write renders one cluster's rows in one of Formats.
func Write(w io.Writer, format string, rows []Row) error {
	return write(w, format, rows, columns, nil)
}

// WriteFleet renders the rows of several clusters, with a CLUSTER column,
// and in json the clusters read and those that could not be.
func WriteFleet(w io.Writer, format string, rows []Row, clusters []ClusterRead) error {
	return write(w, format, rows, append([]column{clusterColumn}, columns...), clusters)
}

func write(w io.Writer, format string, rows []Row, cols []column, clusters []ClusterRead) error {
	switch format {
	case "table":
		return writeTable(w, rows, cols)
	case "csv":
		return writeCSV(w, rows, cols)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		export := map[string]any{keyAPIVersion: "steward.dev/evidence/v1", "items": rows}
		if clusters != nil {
			export["clusters"] = clusters
		}
		return enc.Encode(export)
	case "markdown":
		return writeMarkdown(w, rows, cols)
	}
	return fmt.Errorf("unknown output format %q: use one of %s", format, strings.Join(Formats, ", "))
}

func writeTable(w io.Writer, rows []Row, cols []column) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	var short []column
	for _, c := range cols {
		if slices.Contains(tableColumns, c.header) {
			short = append(short, c)
		}
	}
	headers := make([]string, len(short))
	for i, c := range short {
		headers[i] = c.header
	}
	lw := &lineWriter{w: tw}
	lw.line(strings.Join(headers, "\t"))
	for _, row := range rows {
		values := make([]string, len(short))
		for i, c := range short {
			values[i] = orDash(c.value(row))
		}
		lw.line(strings.Join(values, "\t"))
	}
	if lw.err != nil {
		return lw.err
	}
	return tw.Flush()
}

// neutralizeFormula keeps a spreadsheet from running a cell as a formula
// (CSV injection): names, purposes and notes come from tenants, and a cell
// starting with =, +, -, @, a tab or a carriage return is prefixed with a
// single quote, which spreadsheets show as text.
func neutralizeFormula(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}

func writeCSV(w io.Writer, rows []Row, cols []column) error {
	cw := csv.NewWriter(w)
	headers := make([]string, len(cols))
	for i, c := range cols {
		headers[i] = strings.ToLower(c.header)
	}
	if err := cw.Write(headers); err != nil {
		return err
	}
	for _, row := range rows {
		values := make([]string, len(cols))
		for i, c := range cols {
			values[i] = neutralizeFormula(c.value(row))
		}
		if err := cw.Write(values); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func writeMarkdown(w io.Writer, rows []Row, cols []column) error {
	headers := make([]string, len(cols))
	rule := make([]string, len(cols))
	for i, c := range cols {
		headers[i], rule[i] = strings.ToLower(c.header), "---"
	}
	lw := &lineWriter{w: w}
	lw.line("| " + strings.Join(headers, " | ") + " |")
	lw.line("| " + strings.Join(rule, " | ") + " |")
	for _, row := range rows {
		values := make([]string, len(cols))
		for i, c := range cols {
			values[i] = strings.ReplaceAll(orDash(c.value(row)), "|", "\\|")
		}
		lw.line("| " + strings.Join(values, " | ") + " |")
	}
	return lw.err
}

// lineWriter writes lines to w and remembers the first error, after which
// it writes nothing more.
type lineWriter struct {
	w   io.Writer
	err error
}

func (lw *lineWriter) line(s string) {
	if lw.err == nil {
		_, lw.err = io.WriteString(lw.w, s+"\n")
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
