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

package governance

import (
	"strings"
	"time"
	"unicode"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

// Keys Steward writes on identities. Steward only ever patches these keys;
// every other label and annotation belongs to someone else.
const (
	// LabelFinding carries the state of a flagged identity in kebab-case, so
	// `kubectl get sa -A -l steward.dev/finding` lists every flagged one.
	LabelFinding = "steward.dev/finding"
	// LabelWouldRevoke is "true" when a revocation is due but the policy is
	// in DryRun.
	LabelWouldRevoke = "steward.dev/would-revoke"

	// AnnotationState is the identity's state as Steward last recorded it.
	AnnotationState = "steward.dev/state"
	// AnnotationFindings lists every finding, comma-separated.
	AnnotationFindings = "steward.dev/findings"
	// AnnotationFindingSince is when the identity entered its current
	// (non-Owned) state; grace periods count from it, across restarts.
	AnnotationFindingSince = "steward.dev/finding-since"
	// AnnotationOwnership names the IdentityOwnership covering the identity.
	AnnotationOwnership = "steward.dev/ownership"
	// AnnotationOwnerTeam is the owning team.
	AnnotationOwnerTeam = "steward.dev/owner-team"
	// AnnotationExpiresAt is when the ownership lapses.
	AnnotationExpiresAt = "steward.dev/expires-at"
	// AnnotationApprovedBy is who approved the ownership.
	AnnotationApprovedBy = "steward.dev/approved-by"
	// AnnotationExceptedBy names the active exceptions, comma-separated.
	AnnotationExceptedBy = "steward.dev/excepted-by"
	// AnnotationRevokedAt is set by the revocation when it happened.
	AnnotationRevokedAt = "steward.dev/revoked-at"
	// AnnotationRevoking marks a revocation in progress: it was counted
	// against the blast-radius cap and is finished after a restart without
	// being counted again.
	AnnotationRevoking = "steward.dev/revoking"
	// AnnotationRemovedBindings records, as JSON, the binding subjects a
	// RemoveBindings revocation removed, so access can be restored.
	AnnotationRemovedBindings = "steward.dev/removed-bindings"

	// AnnotationRotatedAt is written by whoever rotates a Secret; Steward
	// only reads it. Rotation age counts from it when it is later than the
	// Secret's creation.
	AnnotationRotatedAt = "steward.dev/rotated-at"
	// LabelLegacyTokenLastUsed is set by Kubernetes on legacy token Secrets.
	LabelLegacyTokenLastUsed = "kubernetes.io/legacy-token-last-used"
)

// ManagedLabels and ManagedAnnotations are the keys Evaluate computes; any
// of them absent from a desired set is removed from the identity.
var (
	ManagedLabels      = []string{LabelFinding, LabelWouldRevoke}
	ManagedAnnotations = []string{
		AnnotationState, AnnotationFindings, AnnotationFindingSince, AnnotationOwnership,
		AnnotationOwnerTeam, AnnotationExpiresAt, AnnotationApprovedBy, AnnotationExceptedBy,
	}
)

// Kebab turns a state such as ReviewOverdue into review-overdue.
func Kebab(state nhi.IdentityState) string {
	var b strings.Builder
	for i, r := range string(state) {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('-')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Diff returns the changes that bring an identity's managed keys to the
// desired values: a value to set, or nil to delete. It is empty when nothing
// needs writing.
func Diff(current, desired map[string]string, managed []string) map[string]*string {
	changes := map[string]*string{}
	for _, key := range managed {
		have, present := current[key]
		want, wanted := desired[key]
		switch {
		case wanted && (!present || have != want):
			changes[key] = &want
		case !wanted && present:
			changes[key] = nil
		}
	}
	return changes
}

// Timestamp formats a time as Steward writes times in annotations and
// messages: RFC 3339, UTC.
func Timestamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func formatTime(t time.Time) string { return Timestamp(t) }

func parseTime(value string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339, value)
	return t, err == nil
}
