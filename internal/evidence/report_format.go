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

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// ReportFormat is an API in which Steward writes its per-namespace report.
type ReportFormat string

// The report formats. Both carry the same results: the OpenReports API
// (openreports.io) is the wgpolicyk8s.io API moved out of the Kubernetes
// Policy working group, with a report-level source and limits added.
const (
	FormatPolicyReport ReportFormat = "wgpolicyk8s"
	FormatOpenReports  ReportFormat = "openreports"
)

// ReportFormats are every format, in the order Steward writes them.
var ReportFormats = []ReportFormat{FormatPolicyReport, FormatOpenReports}

// ReportFormatBoth is the --report-format value that chooses every format.
const ReportFormatBoth = "both"

// DefaultReportFormat is the default of --report-format. PolicyReports are
// what report UIs and the policy engines that install their CRD use today
// (Kyverno writes OpenReports only when asked to); writing both would show
// every identity twice in a UI that reads both APIs.
const DefaultReportFormat = string(FormatPolicyReport)

// ParseReportFormats reads a --report-format value: wgpolicyk8s,
// openreports or both.
func ParseReportFormats(value string) ([]ReportFormat, error) {
	switch value {
	case string(FormatPolicyReport), string(FormatOpenReports):
		return []ReportFormat{ReportFormat(value)}, nil
	case ReportFormatBoth:
		return ReportFormats, nil
	}
	return nil, fmt.Errorf("unknown report format %q: want %s, %s or %s", value, FormatPolicyReport,
		FormatOpenReports, ReportFormatBoth)
}

// PolicyReportGVK is the wgpolicyk8s.io PolicyReport.
var PolicyReportGVK = schema.GroupVersionKind{Group: "wgpolicyk8s.io", Version: "v1alpha2", Kind: "PolicyReport"}

// OpenReportGVK is the OpenReports Report.
var OpenReportGVK = schema.GroupVersionKind{Group: "openreports.io", Version: "v1alpha1", Kind: "Report"}

// GVK is the kind of a format's reports.
func (f ReportFormat) GVK() schema.GroupVersionKind {
	if f == FormatOpenReports {
		return OpenReportGVK
	}
	return PolicyReportGVK
}

// Resource is the API resource of a format's reports.
func (f ReportFormat) Resource() schema.GroupVersionResource {
	if f == FormatOpenReports {
		return OpenReportGVK.GroupVersion().WithResource("reports")
	}
	return PolicyReportGVK.GroupVersion().WithResource("policyreports")
}

// CRDName is the name of the CustomResourceDefinition that serves a
// format's reports.
func (f ReportFormat) CRDName() string {
	r := f.Resource()
	return r.Resource + "." + r.Group
}
