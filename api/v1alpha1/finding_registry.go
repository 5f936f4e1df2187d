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

package v1alpha1

// MaxFindings bounds every list of findings in the API (the MaxItems of
// spec.rules, spec.findings and status findings). FindingRegistry may hold
// at most this many.
const MaxFindings = 16

// ReportSeverity is the severity of a PolicyReport result.
type ReportSeverity string

// PolicyReport severities, as wgpolicyk8s.io and openreports.io define them.
const (
	ReportSeverityHigh   ReportSeverity = "high"
	ReportSeverityMedium ReportSeverity = "medium"
	ReportSeverityLow    ReportSeverity = "low"
	ReportSeverityInfo   ReportSeverity = "info"
)

// Control is one requirement of a compliance framework that a finding is
// evidence against.
// +kubebuilder:object:generate=false
type Control struct {
	Framework string `json:"framework"`
	ID        string `json:"id"`
	Title     string `json:"title"`
}

// FindingInfo is everything Steward's consumers need to know about one
// finding: the decision package (severity order), the identity label
// (Kebab of the name), the PolicyReport severity, and the evidence export
// (the controls). The evaluation of the finding itself lives in the
// decision package.
// +kubebuilder:object:generate=false
type FindingInfo struct {
	Finding Finding
	// Severity is the PolicyReport severity of an identity in this state.
	Severity ReportSeverity
	// Controls are the framework requirements the finding is evidence
	// against; docs/auditors.md prints the same table.
	Controls []Control
	// Remedy is what an owner does about it, as `kubectl steward explain`
	// prints it.
	Remedy string
}

// Frameworks Steward reports against.
const (
	FrameworkSOC2  = "SOC 2"
	FrameworkNIST  = "NIST CSF 2.0"
	FrameworkPCI   = "PCI DSS 4.0"
	FrameworkOWASP = "OWASP NHI"
)

// Controls of the frameworks Steward reports against.
var (
	controlSOC2Registered  = Control{FrameworkSOC2, "CC6.1", "Logical access: identities are registered and owned"}
	controlSOC2Authorised  = Control{FrameworkSOC2, "CC6.2", "Access is authorised before it is granted"}
	controlSOC2Reviewed    = Control{FrameworkSOC2, "CC6.2", "Access is periodically reviewed"}
	controlSOC2Removed     = Control{FrameworkSOC2, "CC6.3", "Access is removed when no longer required"}
	controlNISTManaged     = Control{FrameworkNIST, "PR.AA-01", "Identities and credentials are managed"}
	controlNISTApproved    = Control{FrameworkNIST, "PR.AA-05", "Access permissions are defined, approved and enforced"}
	controlNISTReviewed    = Control{FrameworkNIST, "PR.AA-05", "Access permissions are reviewed"}
	controlPCIAssigned     = Control{FrameworkPCI, "7.2.5", "System and application accounts are assigned and managed"}
	controlPCIApproved     = Control{FrameworkPCI, "7.2.1", "Access is approved by authorised personnel"}
	controlPCIReviewed     = Control{FrameworkPCI, "7.2.5.1", "Access of system and application accounts is reviewed periodically"}
	controlPCIManaged      = Control{FrameworkPCI, "8.6.1", "System and application accounts are managed"}
	controlPCIRotated      = Control{FrameworkPCI, "8.6.3", "Passwords/passphrases of application and system accounts are changed periodically"}
	controlOWASPOffboarded = Control{FrameworkOWASP, "NHI1", "Improper offboarding"}
	controlOWASPLongLived  = Control{FrameworkOWASP, "NHI7", "Long-lived secrets"}
)

// PrivilegeControls are the requirements that an identity's risky
// permissions are evidence against (the evidence export lists them for a
// ServiceAccount with any RiskyPermission).
var PrivilegeControls = []Control{
	{FrameworkOWASP, "NHI5", "Overprivileged NHI"},
	{FrameworkPCI, "7.2.5", "System and application accounts are assigned least privileges"},
}

// FindingRegistry lists every finding, most severe first: an identity's
// state is its most severe open finding. Adding a finding means adding it
// here, to the Finding and IdentityState enums, and its evaluation to the
// decision package.
var FindingRegistry = []FindingInfo{
	{Finding: FindingUnowned, Severity: ReportSeverityHigh,
		Controls: []Control{controlSOC2Registered, controlNISTManaged, controlPCIAssigned, controlOWASPOffboarded},
		Remedy:   "file an IdentityOwnership that names it, and have it approved"},
	{Finding: FindingExpired, Severity: ReportSeverityHigh,
		Controls: []Control{controlSOC2Removed, controlNISTApproved, controlPCIManaged},
		Remedy:   "renew the ownership: a new spec.expiresAt, approved again"},
	{Finding: FindingOwnerDeparted, Severity: ReportSeverityHigh,
		Controls: []Control{controlSOC2Removed, controlOWASPOffboarded, controlNISTManaged},
		Remedy:   "hand the identity over: name active contacts in the ownership, approved again"},
	{Finding: FindingUnapproved, Severity: ReportSeverityMedium,
		Controls: []Control{controlSOC2Authorised, controlNISTApproved, controlPCIApproved},
		Remedy:   "have a person who is not an owner contact record spec.approval"},
	{Finding: FindingReviewOverdue, Severity: ReportSeverityLow,
		Controls: []Control{controlSOC2Reviewed, controlPCIReviewed, controlNISTReviewed},
		Remedy:   "file an OwnershipReview (Recertify or Revoke) by a reviewer who is not an owner contact"},
	{Finding: FindingRotationOverdue, Severity: ReportSeverityLow,
		Controls: []Control{controlPCIRotated, controlOWASPLongLived, controlNISTManaged},
		Remedy:   "rotate the Secret and set steward.dev/rotated-at with the new data"},
	{Finding: FindingStale, Severity: ReportSeverityMedium,
		Controls: []Control{controlSOC2Removed, controlOWASPLongLived, controlPCIManaged},
		Remedy:   "delete the unused legacy token, or use a TokenRequest token instead"},
	{Finding: FindingUnused, Severity: ReportSeverityMedium,
		Controls: []Control{controlSOC2Removed, controlOWASPOffboarded, controlPCIManaged},
		Remedy: "delete it if nothing needs it; if it is used from outside the cluster, record that with an " +
			"OwnershipException for Unused"},
}

// RevokedSeverity is the PolicyReport severity of a Revoked identity.
const RevokedSeverity = ReportSeverityHigh

// FindingInfoOf returns a finding's registry entry; ok is false for a value
// the registry does not hold.
func FindingInfoOf(f Finding) (FindingInfo, bool) {
	for _, info := range FindingRegistry {
		if info.Finding == f {
			return info, true
		}
	}
	return FindingInfo{}, false
}
