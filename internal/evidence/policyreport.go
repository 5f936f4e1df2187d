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
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

// PolicyReportName is the name of Steward's report in each namespace, in
// every format.
const PolicyReportName = "steward"

// reportSource is the source of the results Steward writes, which tells
// them apart from other tools' results in the same report.
const reportSource = "steward"

// The report results (see BuildReport for which identity gets which).
const (
	resultPass  = "pass"
	resultFail  = "fail"
	resultWarn  = "warn"
	resultError = "error"
	resultSkip  = "skip"
)

// keyAPIVersion is the apiVersion key of Kubernetes-style objects and
// references.
const keyAPIVersion = "apiVersion"

// MaxReportResults keeps a report well under etcd's object size limit: a
// report lists the first MaxReportResults entries in its order (kind, then
// name); the rest count only in its summary.
const MaxReportResults = 2000

// reportContextBudget bounds the bytes of owner properties (team, contacts,
// deadlines) and context (workloads, access, cloud identities, warnings) a
// report carries: past it, results carry neither, which the ownerships'
// status and explain still give.
const reportContextBudget = 384 << 10

// ReportEntry is one governed identity, as a report result.
type ReportEntry struct {
	Kind       nhi.IdentityKind
	Name       string
	UID        string
	State      nhi.IdentityState
	Findings   []nhi.Finding
	Ownership  string
	Exceptions []string
	Since      time.Time
	Action     string
	// Owner is who answers for the identity under Ownership; the zero
	// Owner when no ownership covers it.
	Owner Owner
	// Context is who uses the identity, what it can do, and the deadlines
	// ahead.
	Context Context
}

// Owner is what a report UI needs to route an identity's findings to the
// people who answer for it: the covering ownership's team and contacts,
// and its deadlines.
type Owner struct {
	Team     string
	Contacts []string
	// ExpiresAt is when the ownership lapses.
	ExpiresAt time.Time
	// NextReviewBy is when the ownership must next be recertified; zero
	// when no review is required.
	NextReviewBy time.Time
}

// Report result property keys of the owner, named as in the export.
const (
	propTeam         = "team"
	propContacts     = "contacts"
	propExpiresAt    = "expiresAt"
	propNextReviewBy = "nextReviewBy"
)

// properties adds the owner to a report result's properties, and returns
// about how many bytes it added.
func (o Owner) properties(props map[string]any) int {
	size := 0
	set := func(key, value string) {
		if value != "" {
			props[key] = value
			size += len(key) + len(value) + 6
		}
	}
	set(propTeam, o.Team)
	set(propContacts, strings.Join(o.Contacts, ","))
	if !o.ExpiresAt.IsZero() {
		set(propExpiresAt, o.ExpiresAt.UTC().Format(time.RFC3339))
	}
	if !o.NextReviewBy.IsZero() {
		set(propNextReviewBy, o.NextReviewBy.UTC().Format(time.RFC3339))
	}
	return size
}

// ReportContent is one namespace's report as every format carries it: the
// results and their summary. The objects As makes share it: read them,
// never modify them.
type ReportContent struct {
	namespace string
	results   []any
	summary   map[string]any
}

// BuildReport builds the report of one namespace: one result per governed
// identity — pass when Owned, skip when Excepted, warn when either has a
// deadline within the policy's warnBefore, fail otherwise — so report UIs
// show the whole inventory, not only the failures. Results are sorted by
// kind and name: the entries come in the cache's order, which changes from
// one list to the next, and a report that changed with it would be
// rewritten by evaluations that changed nothing. BuildReport sorts entries
// in place.
//
// An entry past the first MaxReportResults in that order only counts in the
// summary, for which its Kind, Name, State and Context.Warnings suffice: a
// caller with many identities may fill in only those for the rest, which
// saves most of the cost of a large namespace's report.
func BuildReport(namespace, policy string, entries []ReportEntry) *ReportContent {
	slices.SortFunc(entries, func(a, b ReportEntry) int {
		return CompareReportOrder(nhi.IdentityReference{Kind: a.Kind, Name: a.Name},
			nhi.IdentityReference{Kind: b.Kind, Name: b.Name})
	})
	summary := map[string]int64{resultPass: 0, resultFail: 0, resultWarn: 0, resultError: 0, resultSkip: 0}
	results := make([]any, 0, min(len(entries), MaxReportResults))
	propertyBytes := 0
	for _, e := range entries {
		result := resultFail
		switch e.State {
		case nhi.StateOwned:
			result = resultPass
			if len(e.Context.Warnings) > 0 {
				result = resultWarn
			}
		case nhi.StateExcepted:
			result = resultSkip
			if len(e.Context.Warnings) > 0 {
				result = resultWarn // the exception ends soon
			}
		}
		summary[result]++
		if len(results) >= MaxReportResults {
			continue
		}
		properties := map[string]any{"state": string(e.State)}
		if len(e.Findings) > 0 {
			properties["findings"] = joinFindings(e.Findings)
			properties["controls"] = strings.Join(ControlIDs(e.Findings), ", ")
		}
		if e.Ownership != "" {
			properties["ownership"] = e.Ownership
		}
		if len(e.Exceptions) > 0 {
			properties["exceptions"] = strings.Join(e.Exceptions, ",")
		}
		if e.Action != "" {
			properties["action"] = e.Action
		}
		if propertyBytes < reportContextBudget {
			propertyBytes += e.Owner.properties(properties)
			propertyBytes += e.Context.properties(properties)
		}
		results = append(results, map[string]any{
			"source":   reportSource,
			"policy":   policy,
			"rule":     string(e.State),
			"category": "Machine identity governance",
			"severity": string(SeverityOf(e.State)),
			"result":   result,
			"scored":   true,
			"message":  messageOf(e),
			"timestamp": map[string]any{
				"seconds": e.Since.Unix(),
				"nanos":   int64(0),
			},
			"resources": []any{map[string]any{
				keyAPIVersion: "v1", "kind": string(e.Kind), "name": e.Name, "namespace": namespace, "uid": e.UID,
			}},
			"properties": properties,
		})
	}
	return &ReportContent{namespace: namespace, results: results, summary: map[string]any{
		resultPass: summary[resultPass], resultFail: summary[resultFail], resultWarn: summary[resultWarn],
		resultError: summary[resultError], resultSkip: summary[resultSkip],
	}}
}

// CompareReportOrder orders identities as a report lists them: by kind,
// then name. A caller that builds only the listed entries whole sorts by it.
func CompareReportOrder(a, b nhi.IdentityReference) int {
	return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Name, b.Name))
}

// Digest identifies the content, whatever the format it is written in.
func (c *ReportContent) Digest() string {
	data, _ := json.Marshal([]any{c.results, c.summary})
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// As is the content as a report of one format. The formats differ only
// outside the results: an OpenReports Report also names its source for the
// whole report, and says it lists at most MaxReportResults results.
func (c *ReportContent) As(format ReportFormat) *unstructured.Unstructured {
	report := &unstructured.Unstructured{Object: map[string]any{}}
	report.SetGroupVersionKind(format.GVK())
	report.SetNamespace(c.namespace)
	report.SetName(PolicyReportName)
	report.SetLabels(map[string]string{"app.kubernetes.io/managed-by": "steward"})
	report.Object["scope"] = map[string]any{keyAPIVersion: "v1", "kind": "Namespace", "name": c.namespace}
	report.Object["summary"] = c.summary
	report.Object["results"] = c.results
	if format == FormatOpenReports {
		report.Object["source"] = reportSource
		report.Object["configuration"] = map[string]any{
			"limits": map[string]any{"maxResults": int64(MaxReportResults)},
		}
	}
	return report
}

// PolicyReport is BuildReport's content as a wgpolicyk8s.io PolicyReport.
func PolicyReport(namespace, policy string, entries []ReportEntry) *unstructured.Unstructured {
	return BuildReport(namespace, policy, entries).As(FormatPolicyReport)
}

// SeverityOf is the PolicyReport severity of an identity in a state, from
// the finding registry.
func SeverityOf(state nhi.IdentityState) nhi.ReportSeverity {
	if state == nhi.StateRevoked {
		return nhi.RevokedSeverity
	}
	if info, ok := nhi.FindingInfoOf(nhi.Finding(state)); ok {
		return info.Severity
	}
	return nhi.ReportSeverityInfo
}

func messageOf(e ReportEntry) string {
	switch e.State {
	case nhi.StateOwned:
		if len(e.Context.Warnings) > 0 {
			return fmt.Sprintf("%s %s is owned under IdentityOwnership %s; deadline ahead: %s", e.Kind, e.Name,
				e.Ownership, strings.Join(e.Context.Warnings, ", "))
		}
		return fmt.Sprintf("%s %s is owned under IdentityOwnership %s", e.Kind, e.Name, e.Ownership)
	case nhi.StateExcepted:
		return fmt.Sprintf("%s %s: %s waived by %s", e.Kind, e.Name, joinFindings(e.Findings), strings.Join(e.Exceptions, ", "))
	}
	return fmt.Sprintf("%s %s is %s (findings: %s)", e.Kind, e.Name, e.State, joinFindings(e.Findings))
}

func joinFindings(findings []nhi.Finding) string {
	return strings.Join(nhi.FindingNames(findings), ",")
}
