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

package controller

import (
	"fmt"
	"strings"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/governance"
)

// maxNamedWorkloads is how many workloads a message names before it
// counts the rest.
const maxNamedWorkloads = 10

// workloadNames are the workloads as kind/name, for the decision log (all
// of them: it is the record).
func workloadNames(workloads []nhi.WorkloadReference) []string {
	if len(workloads) == 0 {
		return nil
	}
	names := make([]string, len(workloads))
	for i, w := range workloads {
		names[i] = w.String()
	}
	return names
}

// usedByText says who uses an identity, for an Event or a log line.
func usedByText(workloads []nhi.WorkloadReference) string {
	names := workloadNames(workloads)
	text := strings.Join(names[:min(len(names), maxNamedWorkloads)], ", ")
	if extra := len(names) - maxNamedWorkloads; extra > 0 {
		text += fmt.Sprintf(" and %d more", extra)
	}
	return fmt.Sprintf("%d workloads use it: %s", len(names), text)
}

// impactText is what a revocation not carried out would break; dryRun
// adds what Enforce would do under the default inUse: Hold.
func impactText(workloads []nhi.WorkloadReference, dryRun bool) string {
	if len(workloads) == 0 {
		return "; no workload uses it"
	}
	text := "; revoking it would break the workloads using it (" + usedByText(workloads) + ")"
	if dryRun {
		text += "; under Enforce it is held unless spec.revocation.inUse is Revoke"
	}
	return text
}

// deadlineText describes the deadline an identity is warned about.
func deadlineText(id *governance.IdentityResult) string {
	w := id.Warning
	subject := fmt.Sprintf("%s %s", id.Identity.Kind, id.Identity.Name)
	at := governance.Timestamp(w.At.Time)
	switch w.Deadline {
	case nhi.DeadlineRotation:
		return fmt.Sprintf("%s must be rotated by %s (rotation.maxAge of IdentityOwnership %s)", subject, at, id.Ownership)
	case nhi.DeadlineRevocation:
		return fmt.Sprintf("%s is scheduled for revocation at %s (%s): the grace period of the policy's Revoke rule ends then",
			subject, at, id.ActionReason)
	}
	return fmt.Sprintf("%s: %s due at %s", subject, w.Deadline, at)
}
