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
	"slices"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

// Control is one requirement of a compliance framework.
type Control struct {
	Framework string `json:"framework"`
	ID        string `json:"id"`
	Title     string `json:"title"`
}

// ControlsByFinding maps each finding to the controls it is evidence
// against. docs/auditors.md prints the same table.
var ControlsByFinding = map[nhi.Finding][]Control{
	nhi.FindingUnowned: {
		{"SOC 2", "CC6.1", "Logical access: identities are registered and owned"},
		{"NIST CSF 2.0", "PR.AA-01", "Identities and credentials are managed"},
		{"PCI DSS 4.0", "7.2.5", "System and application accounts are assigned and managed"},
		{"OWASP NHI", "NHI1", "Improper offboarding"},
	},
	nhi.FindingUnapproved: {
		{"SOC 2", "CC6.2", "Access is authorised before it is granted"},
		{"NIST CSF 2.0", "PR.AA-05", "Access permissions are defined, approved and enforced"},
		{"PCI DSS 4.0", "7.2.1", "Access is approved by authorised personnel"},
	},
	nhi.FindingExpired: {
		{"SOC 2", "CC6.3", "Access is removed when no longer required"},
		{"NIST CSF 2.0", "PR.AA-05", "Access permissions are defined, approved and enforced"},
		{"PCI DSS 4.0", "8.6.1", "System and application accounts are managed"},
	},
	nhi.FindingReviewOverdue: {
		{"SOC 2", "CC6.2", "Access is periodically reviewed"},
		{"PCI DSS 4.0", "7.2.5.1", "Access of system and application accounts is reviewed periodically"},
		{"NIST CSF 2.0", "PR.AA-05", "Access permissions are reviewed"},
	},
	nhi.FindingRotationOverdue: {
		{"PCI DSS 4.0", "8.6.3", "Passwords/passphrases of application and system accounts are changed periodically"},
		{"OWASP NHI", "NHI7", "Long-lived secrets"},
		{"NIST CSF 2.0", "PR.AA-01", "Identities and credentials are managed"},
	},
	nhi.FindingStale: {
		{"SOC 2", "CC6.3", "Access is removed when no longer required"},
		{"OWASP NHI", "NHI7", "Long-lived secrets"},
		{"PCI DSS 4.0", "8.6.1", "System and application accounts are managed"},
	},
	nhi.FindingOwnerDeparted: {
		{"SOC 2", "CC6.3", "Access is removed when no longer required"},
		{"OWASP NHI", "NHI1", "Improper offboarding"},
		{"NIST CSF 2.0", "PR.AA-01", "Identities and credentials are managed"},
	},
}

// ControlIDs lists "Framework ID" for a set of findings, without duplicates.
func ControlIDs(findings []nhi.Finding) []string {
	var ids []string
	for _, f := range findings {
		for _, c := range ControlsByFinding[f] {
			id := c.Framework + " " + c.ID
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	return ids
}
