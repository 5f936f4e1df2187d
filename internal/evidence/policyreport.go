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
	"fmt"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

// PolicyReportGVK is the wgpolicyk8s.io PolicyReport Steward writes.
var PolicyReportGVK = schema.GroupVersionKind{Group: "wgpolicyk8s.io", Version: "v1alpha2", Kind: "PolicyReport"}

// PolicyReportName is the name of Steward's report in each namespace.
const PolicyReportName = "steward"

// reportSource is the source of the results Steward writes, which tells
// them apart from other tools' results in the same report.
const reportSource = "steward"

// The PolicyReport results (see PolicyReport for which identity gets which).
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

// maxReportResults keeps a report well under etcd's object size limit.
const maxReportResults = 2000

// reportContextBudget bounds the bytes of context (workloads, access,
// cloud identities, warnings) a report carries: past it, results carry no
// context, which the ownerships' status and explain still give.
const reportContextBudget = 384 << 10

// ReportEntry is one governed identity, as a PolicyReport result.
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
	// Context is who uses the identity, what it can do, and the deadlines
	// ahead.
	Context Context
}

// PolicyReport builds the report of one namespace: one result per governed
// identity — pass when Owned, skip when Excepted, warn when either has a
// deadline within the policy's warnBefore, fail otherwise — so report UIs
// show the whole inventory, not only the failures.
func PolicyReport(namespace, policy string, entries []ReportEntry) *unstructured.Unstructured {
	summary := map[string]int64{resultPass: 0, resultFail: 0, resultWarn: 0, resultError: 0, resultSkip: 0}
	results := make([]any, 0, min(len(entries), maxReportResults))
	contextBytes := 0
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
		if len(results) >= maxReportResults {
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
		if contextBytes < reportContextBudget {
			contextBytes += e.Context.properties(properties)
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
	report := &unstructured.Unstructured{}
	report.SetGroupVersionKind(PolicyReportGVK)
	report.SetNamespace(namespace)
	report.SetName(PolicyReportName)
	report.SetLabels(map[string]string{"app.kubernetes.io/managed-by": "steward"})
	report.Object["scope"] = map[string]any{keyAPIVersion: "v1", "kind": "Namespace", "name": namespace}
	report.Object["summary"] = map[string]any{
		resultPass: summary[resultPass], resultFail: summary[resultFail], resultWarn: summary[resultWarn],
		resultError: summary[resultError], resultSkip: summary[resultSkip],
	}
	report.Object["results"] = results
	return report
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
