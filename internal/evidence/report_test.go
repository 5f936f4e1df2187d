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
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

var (
	reportExpiry = time.Date(2026, 9, 30, 0, 0, 0, 0, time.UTC)
	reportReview = time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC)
)

// paymentsOwner answers for the payments team's identities.
var paymentsOwner = Owner{Team: "payments", Contacts: []string{"ana@example.com", "raj@example.com"},
	ExpiresAt: reportExpiry, NextReviewBy: reportReview}

// reportEntries are one identity in each kind of result.
func reportEntries() []ReportEntry {
	return []ReportEntry{
		{Kind: nhi.KindServiceAccount, Name: "api", UID: "u-api", State: nhi.StateOwned, Ownership: "payments-api",
			Owner: paymentsOwner},
		{Kind: nhi.KindServiceAccount, Name: "batch", UID: "u-batch", State: nhi.StateExpired, Ownership: "payments-batch",
			Findings: []nhi.Finding{nhi.FindingExpired}, Action: "Flag",
			Owner: Owner{Team: "payments", Contacts: []string{"ana@example.com"}, ExpiresAt: reportExpiry}},
		{Kind: nhi.KindSecret, Name: "orphan", UID: "u-orphan", State: nhi.StateUnowned,
			Findings: []nhi.Finding{nhi.FindingUnowned}},
	}
}

func resultsOf(t *testing.T, report *unstructured.Unstructured) []map[string]any {
	t.Helper()
	raw, found, err := unstructured.NestedSlice(report.Object, "results")
	if err != nil || !found {
		t.Fatalf("no results: %v", err)
	}
	out := make([]map[string]any, len(raw))
	for i, r := range raw {
		out[i] = r.(map[string]any)
	}
	return out
}

func TestBuildReportWritesTheSameResultsInEveryFormat(t *testing.T) {
	content := BuildReport("payments", "baseline", reportEntries())
	policyReport := content.As(FormatPolicyReport)
	openReport := content.As(FormatOpenReports)

	for _, tc := range []struct {
		format                 ReportFormat
		report                 *unstructured.Unstructured
		apiVersion, kind       string
		source                 any // the report-level source
		maxResults             any // configuration.limits.maxResults
		hasReportConfiguration bool
	}{
		{format: FormatPolicyReport, report: policyReport, apiVersion: "wgpolicyk8s.io/v1alpha2", kind: "PolicyReport"},
		{format: FormatOpenReports, report: openReport, apiVersion: "openreports.io/v1alpha1", kind: "Report",
			source: "steward", maxResults: int64(MaxReportResults), hasReportConfiguration: true},
	} {
		t.Run(string(tc.format), func(t *testing.T) {
			r := tc.report
			if r.GetAPIVersion() != tc.apiVersion || r.GetKind() != tc.kind {
				t.Errorf("apiVersion/kind = %s/%s, want %s/%s", r.GetAPIVersion(), r.GetKind(), tc.apiVersion, tc.kind)
			}
			if r.GetNamespace() != "payments" || r.GetName() != PolicyReportName {
				t.Errorf("object = %s/%s, want payments/%s", r.GetNamespace(), r.GetName(), PolicyReportName)
			}
			if r.GetLabels()["app.kubernetes.io/managed-by"] != "steward" {
				t.Errorf("labels = %v, want app.kubernetes.io/managed-by=steward", r.GetLabels())
			}
			if got := r.Object["source"]; got != tc.source {
				t.Errorf("report source = %v, want %v", got, tc.source)
			}
			maxResults, _, _ := unstructured.NestedFieldNoCopy(r.Object, "configuration", "limits", "maxResults")
			if maxResults != tc.maxResults {
				t.Errorf("configuration.limits.maxResults = %v, want %v", maxResults, tc.maxResults)
			}
			want := map[string]any{"pass": int64(1), "fail": int64(2), "warn": int64(0), "error": int64(0), "skip": int64(0)}
			if !reflect.DeepEqual(r.Object["summary"], want) {
				t.Errorf("summary = %v, want %v", r.Object["summary"], want)
			}
			for _, result := range resultsOf(t, r) {
				if result["source"] != "steward" {
					t.Errorf("result %v: source = %v, want steward", result["resources"], result["source"])
				}
			}
		})
	}
	if !reflect.DeepEqual(policyReport.Object["results"], openReport.Object["results"]) {
		t.Error("the formats carry different results")
	}
	if a, b := content.Digest(), BuildReport("payments", "baseline", reportEntries()).Digest(); a != b {
		t.Errorf("the digest of the same content differs: %s, %s", a, b)
	}
	shuffled := reportEntries()
	slices.Reverse(shuffled)
	if BuildReport("payments", "baseline", shuffled).Digest() != content.Digest() {
		t.Error("the same identities in another order make another report: it would be rewritten for nothing")
	}
	changed := reportEntries()
	changed[0].Owner.Contacts = []string{"ana@example.com"}
	if BuildReport("payments", "baseline", changed).Digest() == content.Digest() {
		t.Error("a changed contact leaves the digest unchanged: the report would not be rewritten")
	}
}

func TestReportResultsCarryTheOwner(t *testing.T) {
	for _, format := range ReportFormats {
		results := resultsOf(t, BuildReport("payments", "baseline", reportEntries()).As(format))
		for _, tc := range []struct {
			name   string
			want   map[string]string // properties that must be there
			absent []string          // properties that must not
		}{
			{name: "api", want: map[string]string{"ownership": "payments-api", "team": "payments",
				"contacts": "ana@example.com,raj@example.com", "expiresAt": "2026-09-30T00:00:00Z",
				"nextReviewBy": "2026-06-30T12:00:00Z", "state": "Owned"}},
			{name: "batch", want: map[string]string{"ownership": "payments-batch", "team": "payments",
				"contacts": "ana@example.com", "expiresAt": "2026-09-30T00:00:00Z", "state": "Expired",
				"findings": "Expired"},
				absent: []string{"nextReviewBy"}},
			{name: "orphan", want: map[string]string{"state": "Unowned", "findings": "Unowned"},
				absent: []string{"ownership", "team", "contacts", "expiresAt", "nextReviewBy"}},
		} {
			t.Run(string(format)+"/"+tc.name, func(t *testing.T) {
				i := slices.IndexFunc(results, func(r map[string]any) bool {
					return r["resources"].([]any)[0].(map[string]any)["name"] == tc.name
				})
				if i < 0 {
					t.Fatalf("no result for %s", tc.name)
				}
				props := results[i]["properties"].(map[string]any)
				for key, value := range tc.want {
					if props[key] != value {
						t.Errorf("properties[%s] = %v, want %q", key, props[key], value)
					}
				}
				for _, key := range tc.absent {
					if v, ok := props[key]; ok {
						t.Errorf("properties[%s] = %v, want none", key, v)
					}
				}
				for key, value := range props {
					if _, ok := value.(string); !ok {
						t.Errorf("properties[%s] is a %T: both schemas allow only strings", key, value)
					}
				}
			})
		}
	}
}

func TestReportOwnerPropertiesStayWithinTheBudget(t *testing.T) {
	// Sixteen long contacts (the most an ownership may list) on every
	// identity: about 4 KiB of owner properties each.
	contacts := make([]string, 0, 16)
	for i := range 16 {
		contacts = append(contacts, fmt.Sprintf("%s-%02d@example.com", strings.Repeat("a", 230), i))
	}
	owner := Owner{Team: "payments", Contacts: contacts, ExpiresAt: reportExpiry, NextReviewBy: reportReview}
	entries := make([]ReportEntry, MaxReportResults)
	for i := range entries {
		entries[i] = ReportEntry{Kind: nhi.KindServiceAccount, Name: fmt.Sprintf("sa-%04d", i), State: nhi.StateOwned,
			Ownership: "payments", Owner: owner}
	}
	results := resultsOf(t, BuildReport("payments", "baseline", entries).As(FormatOpenReports))
	if len(results) != MaxReportResults {
		t.Fatalf("%d results, want %d", len(results), MaxReportResults)
	}
	propertyBytes, withOwner := 0, 0
	for _, r := range results {
		props := r["properties"].(map[string]any)
		if props["ownership"] != "payments" {
			t.Fatalf("result without its ownership: %v", props)
		}
		if _, ok := props["contacts"]; ok {
			withOwner++
			propertyBytes += len(props["contacts"].(string))
		}
	}
	if withOwner == 0 || withOwner == len(results) {
		t.Errorf("%d of %d results carry their owner, want some but not all", withOwner, len(results))
	}
	if propertyBytes > reportContextBudget+8<<10 {
		t.Errorf("%d bytes of contacts, over the report's budget of %d", propertyBytes, reportContextBudget)
	}
	if _, ok := results[0]["properties"].(map[string]any)["team"]; !ok {
		t.Error("the first result lacks its team: the budget is spent in order")
	}
}

func TestParseReportFormats(t *testing.T) {
	for _, tc := range []struct {
		value   string
		want    []ReportFormat
		wantErr bool
	}{
		{value: "wgpolicyk8s", want: []ReportFormat{FormatPolicyReport}},
		{value: "openreports", want: []ReportFormat{FormatOpenReports}},
		{value: "both", want: []ReportFormat{FormatPolicyReport, FormatOpenReports}},
		{value: DefaultReportFormat, want: []ReportFormat{FormatPolicyReport}},
		{value: "", wantErr: true},
		{value: "OpenReports", wantErr: true},
		{value: "wgpolicyk8s,openreports", wantErr: true},
	} {
		t.Run(tc.value, func(t *testing.T) {
			got, err := ParseReportFormats(tc.value)
			if (err != nil) != tc.wantErr {
				t.Fatalf("error = %v, want one: %v", err, tc.wantErr)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("formats = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestReportFormatsNameTheirAPI(t *testing.T) {
	for _, tc := range []struct {
		format   ReportFormat
		resource string
		crd      string
	}{
		{format: FormatPolicyReport, resource: "wgpolicyk8s.io/v1alpha2, Resource=policyreports", crd: "policyreports.wgpolicyk8s.io"},
		{format: FormatOpenReports, resource: "openreports.io/v1alpha1, Resource=reports", crd: "reports.openreports.io"},
	} {
		if got := tc.format.Resource().String(); got != tc.resource {
			t.Errorf("%s: resource %s, want %s", tc.format, got, tc.resource)
		}
		if got := tc.format.CRDName(); got != tc.crd {
			t.Errorf("%s: CRD %s, want %s", tc.format, got, tc.crd)
		}
	}
}
