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
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/governance"
)

// Row is one identity in the evidence export: who owns it, who approved it,
// until when, when it was last reviewed, what is wrong with it, and which
// controls that touches.
type Row struct {
	// Cluster is the kubeconfig context the row was read from, in a fleet
	// export; empty otherwise.
	Cluster     string     `json:"cluster,omitempty"`
	Namespace   string     `json:"namespace"`
	Kind        string     `json:"kind"`
	Name        string     `json:"name"`
	State       string     `json:"state"`
	Since       *time.Time `json:"since,omitempty"`
	Findings    []string   `json:"findings"`
	Controls    []string   `json:"controls"`
	Policy      string     `json:"policy,omitempty"`
	Action      string     `json:"action,omitempty"`
	Ownership   string     `json:"ownership,omitempty"`
	Team        string     `json:"team,omitempty"`
	Contacts    []string   `json:"contacts"`
	Purpose     string     `json:"purpose,omitempty"`
	ApprovedBy  string     `json:"approvedBy,omitempty"`
	ApprovedAt  *time.Time `json:"approvedAt,omitempty"`
	ApprovalRef string     `json:"approvalReference,omitempty"`
	ExpiresAt   *time.Time `json:"expiresAt,omitempty"`
	NextReview  *time.Time `json:"nextReviewBy,omitempty"`
	LastReview  string     `json:"lastReview,omitempty"`
	Reviewer    string     `json:"reviewer,omitempty"`
	ReviewedAt  *time.Time `json:"reviewedAt,omitempty"`
	Exceptions  []string   `json:"exceptions"`
	// DepartedContacts, DepartureSeen and AllDepartedAt are the offboarding
	// timeline: contacts gone from the owner directory, when that was first
	// seen, and when the last one left.
	DepartedContacts []string   `json:"departedContacts"`
	DepartureSeen    *time.Time `json:"departureFirstSeen,omitempty"`
	AllDepartedAt    *time.Time `json:"allDepartedAt,omitempty"`
	// Context is who uses the identity, what it can do, its cloud
	// identities and the deadlines ahead.
	Context
}

// Sources is what the export is built from: Steward's own objects and the
// reports it writes. Nothing here needs access to Secrets.
type Sources struct {
	Ownerships []nhi.IdentityOwnership
	Exceptions []nhi.OwnershipException
	Policies   []nhi.OwnershipPolicy
	// Reports are Steward's reports, at most one per namespace, in either
	// format: a PolicyReport and an OpenReports Report carry the same
	// results.
	Reports []unstructured.Unstructured
	// ReportsAvailable is false when neither report API is installed:
	// identities no ownership covers are then known only from the policies'
	// (bounded) violation lists.
	ReportsAvailable bool
}

type rowKey struct{ namespace, kind, name string }

// Inventory builds one row per identity, sorted by namespace, kind and name.
// It also returns warnings about gaps in the evidence.
func Inventory(src Sources) ([]Row, []string) {
	rows := map[rowKey]*Row{}
	var warnings []string

	for i := range src.Ownerships {
		o := &src.Ownerships[i]
		if meta.IsStatusConditionTrue(o.Status.Conditions, nhi.ConditionConflict) {
			continue // its identities belong to an older ownership
		}
		if int(o.Status.IdentityCount) > len(o.Status.Identities) {
			warnings = append(warnings, fmt.Sprintf("IdentityOwnership %s/%s lists %d of the %d identities it covers "+
				"(its status holds at most %d): split it into smaller ownerships for a complete export",
				o.Namespace, o.Name, len(o.Status.Identities), o.Status.IdentityCount, nhi.MaxStatusIdentities))
		}
		for _, id := range o.Status.Identities {
			row := rowFor(rows, o.Namespace, string(id.Kind), id.Name)
			row.State = string(id.State)
			row.Findings = append([]string{}, nhi.FindingNames(id.Findings)...)
			if id.Since != nil {
				row.Since = ptrTime(id.Since.Time)
			}
			row.Context = ContextOf(id)
			fillOwnership(row, o)
		}
	}

	for i := range src.Reports {
		report := &src.Reports[i]
		results, _, _ := unstructured.NestedSlice(report.Object, "results")
		for _, r := range results {
			fillFromResult(rows, report.GetNamespace(), r)
		}
		if total := reportTotal(report); total > len(results) {
			warnings = append(warnings, fmt.Sprintf("%s %s/%s lists %d of the namespace's %d governed "+
				"identities (a report holds at most %d): `kubectl get serviceaccounts,secrets -n %s -l %s` "+
				"lists every flagged one", cmp.Or(report.GetKind(), PolicyReportGVK.Kind), report.GetNamespace(),
				report.GetName(), len(results), total,
				MaxReportResults, report.GetNamespace(), governance.LabelFinding))
		}
	}
	// The policies' violations fill in what no report told: all of it when
	// no report API is served, and otherwise a namespace whose report is
	// missing (not written yet, or kept in the format the export did not
	// find). A report's row, when there is one, is never overwritten.
	for _, p := range src.Policies {
		for _, v := range p.Status.Violations {
			row := rowFor(rows, v.Namespace, string(v.Kind), v.Name)
			if row.State == "" {
				row.State, row.Policy, row.Action = string(v.State), p.Name, v.Action
				row.Findings = []string{string(v.State)}
				if v.Since != nil {
					row.Since = ptrTime(v.Since.Time)
				}
			}
		}
		if !src.ReportsAvailable {
			if int(p.Status.TotalViolations) > len(p.Status.Violations) {
				warnings = append(warnings, "policy "+p.Name+" lists only the first violations in its status; "+
					"install the PolicyReport CRD (config/policyreport), or the OpenReports CRD (config/openreports) "+
					"with --report-format=openreports, for a complete inventory")
			}
		}
	}

	for i := range src.Exceptions {
		x := &src.Exceptions[i]
		if !meta.IsStatusConditionTrue(x.Status.Conditions, nhi.ConditionActive) {
			continue
		}
		if int(x.Status.IdentityCount) > len(x.Status.Identities) {
			warnings = append(warnings, fmt.Sprintf("OwnershipException %s/%s lists %d of the %d identities it "+
				"applies to (its status holds at most %d): the others show no exception in this export",
				x.Namespace, x.Name, len(x.Status.Identities), x.Status.IdentityCount, nhi.MaxStatusIdentities))
		}
		for _, ref := range x.Status.Identities {
			if row, ok := rows[rowKey{x.Namespace, string(ref.Kind), ref.Name}]; ok {
				row.Exceptions = append(row.Exceptions, x.Name+" (until "+x.Spec.ExpiresAt.UTC().Format(time.RFC3339)+")")
			}
		}
	}

	out := make([]Row, 0, len(rows))
	for _, row := range rows {
		row.Controls = controlsOf(row.Findings)
		if len(row.Risky) > 0 {
			row.Controls = appendControlIDs(row.Controls, nhi.PrivilegeControls)
		}
		out = append(out, *row)
	}
	slices.SortFunc(out, func(a, b Row) int {
		return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Name, b.Name))
	})
	return out, warnings
}

// reportTotal is the number of identities a report's summary counts,
// which may exceed the results it lists.
func reportTotal(report *unstructured.Unstructured) int {
	summary, _, _ := unstructured.NestedMap(report.Object, "summary")
	total := 0
	for _, v := range summary {
		switch n := v.(type) {
		case int64:
			total += int(n)
		case float64:
			total += int(n)
		}
	}
	return total
}

func rowFor(rows map[rowKey]*Row, namespace, kind, name string) *Row {
	key := rowKey{namespace, kind, name}
	if row, ok := rows[key]; ok {
		return row
	}
	row := &Row{Namespace: namespace, Kind: kind, Name: name, Findings: []string{}, Contacts: []string{},
		Exceptions: []string{}, DepartedContacts: []string{}, Context: emptyContext()}
	rows[key] = row
	return row
}

func fillOwnership(row *Row, o *nhi.IdentityOwnership) {
	row.Ownership, row.Team, row.Purpose = o.Name, o.Spec.Owner.Team, o.Spec.Purpose
	row.Contacts = row.Contacts[:0]
	for _, c := range o.Spec.Owner.Contacts {
		row.Contacts = append(row.Contacts, string(c))
	}
	row.ExpiresAt = ptrTime(o.Spec.ExpiresAt.Time)
	if a := o.Spec.Approval; a != nil {
		row.ApprovedBy, row.ApprovalRef, row.ApprovedAt = string(a.ApprovedBy), a.Reference, ptrTime(a.ApprovedAt.Time)
	}
	if o.Status.NextReviewBy != nil {
		row.NextReview = ptrTime(o.Status.NextReviewBy.Time)
	}
	if d := o.Status.Departure; d != nil {
		row.DepartedContacts = row.DepartedContacts[:0]
		for _, c := range d.DepartedContacts {
			row.DepartedContacts = append(row.DepartedContacts, string(c))
		}
		row.DepartureSeen = ptrTime(d.FirstSeen.Time)
		if d.AllDepartedAt != nil {
			row.AllDepartedAt = ptrTime(d.AllDepartedAt.Time)
		}
	}
	if r := o.Status.LastReview; r != nil {
		row.LastReview, row.Reviewer, row.ReviewedAt = r.Name+" ("+string(r.Decision)+")", string(r.Reviewer), ptrTime(r.CompletedAt.Time)
	}
}

// fillFromResult reads one report result written by Steward.
func fillFromResult(rows map[rowKey]*Row, namespace string, result any) {
	r, ok := result.(map[string]any)
	if !ok || r["source"] != reportSource {
		return
	}
	resources, _ := r["resources"].([]any)
	if len(resources) == 0 {
		return
	}
	ref, _ := resources[0].(map[string]any)
	kind, _ := ref["kind"].(string)
	name, _ := ref["name"].(string)
	row := rowFor(rows, namespace, kind, name)
	row.Policy, _ = r["policy"].(string)
	props, _ := r["properties"].(map[string]any)
	if row.State == "" {
		row.State, _ = props["state"].(string)
		if findings, _ := props["findings"].(string); findings != "" {
			row.Findings = strings.Split(findings, ",")
		}
		if ts, ok := r["timestamp"].(map[string]any); ok {
			if seconds, ok := ts["seconds"].(int64); ok {
				row.Since = ptrTime(time.Unix(seconds, 0).UTC())
			}
		}
		row.Context = contextFromProperties(props)
	}
	row.Action, _ = props["action"].(string)
}

func controlsOf(findings []string) []string {
	typed := make([]nhi.Finding, len(findings))
	for i, f := range findings {
		typed[i] = nhi.Finding(f)
	}
	ids := ControlIDs(typed)
	if ids == nil {
		ids = []string{}
	}
	return ids
}

func ptrTime(t time.Time) *time.Time {
	t = t.UTC()
	return &t
}
