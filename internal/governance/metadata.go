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
	"maps"
	"strconv"
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
	// LabelRevocationHeld is "true" when a revocation is due but held
	// because workloads use the identity.
	LabelRevocationHeld = "steward.dev/revocation-held"

	// The annotations below are copies for people of what Steward recorded
	// in its ledger; Steward rewrites them when they differ and never reads
	// them back.

	// AnnotationState is the identity's state.
	AnnotationState = "steward.dev/state"
	// AnnotationFindings lists every finding, comma-separated.
	AnnotationFindings = "steward.dev/findings"
	// AnnotationFindingSince is when the identity entered its current
	// (non-Owned) state.
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
	// AnnotationRevokedAt is when a revocation was committed.
	AnnotationRevokedAt = "steward.dev/revoked-at"
	// AnnotationRemovedBindings lists the binding subjects a RemoveBindings
	// revocation removed.
	AnnotationRemovedBindings = "steward.dev/removed-bindings"

	// AnnotationRotatedAt is written by whoever rotates a Secret; Steward
	// only reads it, and only a value no later than now. Rotation age
	// counts from it when it is later than the Secret's creation. The
	// protected-keys admission policy admits a change of it only together
	// with a change of the Secret's data.
	AnnotationRotatedAt = "steward.dev/rotated-at"
	// LabelLegacyTokenLastUsed is set by the API server on legacy token
	// Secrets; Steward ignores a date later than today.
	LabelLegacyTokenLastUsed = "kubernetes.io/legacy-token-last-used"
)

// annotationRetiredRevoking is a key earlier versions wrote; Steward removes
// it wherever it finds it, and never reads it.
const annotationRetiredRevoking = "steward.dev/revoking"

// ManagedLabels and ManagedAnnotations are the keys Evaluate computes; any
// of them absent from a desired set is removed from the identity.
var (
	ManagedLabels      = []string{LabelFinding, LabelWouldRevoke, LabelRevocationHeld}
	ManagedAnnotations = []string{
		AnnotationState, AnnotationFindings, AnnotationFindingSince, AnnotationOwnership,
		AnnotationOwnerTeam, AnnotationExpiresAt, AnnotationApprovedBy, AnnotationExceptedBy,
		AnnotationRevokedAt, AnnotationRemovedBindings, annotationRetiredRevoking,
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
// desired values: a value to set, or nil to delete. It is nil when nothing
// needs writing: it runs for every identity on every evaluation, and most
// have nothing to change, so then it allocates nothing.
func Diff(current, desired map[string]string, managed []string) map[string]*string {
	// The usual case, found in as many lookups as there are desired keys
	// (an identity's cached annotations are Steward's own keys only, see the
	// cache transform), where the loop makes two for every managed key.
	if maps.Equal(current, desired) {
		return nil
	}
	var changes map[string]*string
	for _, key := range managed {
		have, present := current[key]
		want, wanted := desired[key]
		switch {
		case wanted && (!present || have != want):
			if changes == nil {
				changes = map[string]*string{}
			}
			changes[key] = &want
		case !wanted && present:
			if changes == nil {
				changes = map[string]*string{}
			}
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
	if value == "" {
		return time.Time{}, false // the usual case, without time.Parse's error
	}
	t, err := time.Parse(time.RFC3339, value)
	return t, err == nil
}

// Marks that follow "State@unixSeconds" in a ledger entry.
const (
	markWouldRevoke = "WouldRevoke"
	markHeld        = "Held"
	markHalted      = "Halted"
	markUnusedSince = "u"
	markWarnedFor   = "w"
	markUsage       = "h"
)

// EncodeRecord is a ledger entry: "State@unixSeconds", followed by
// "@WouldRevoke" once a due revocation was reported but not carried out,
// "@Held" once a due revocation was held, "@Halted" once one was held back
// by the blast-radius cap, "@u<unix>" for when the unused
// clock started, "@w<unix>" for the deadline last warned about and
// "@h<digest>" for the workloads that used it. It is
// compact because a namespace's ledger holds one per identity.
func EncodeRecord(rec Record) string {
	var b strings.Builder
	b.WriteString(string(rec.State))
	b.WriteByte('@')
	b.WriteString(strconv.FormatInt(rec.Since.Unix(), 10))
	if rec.WouldRevoke {
		b.WriteString("@" + markWouldRevoke)
	}
	if rec.Held {
		b.WriteString("@" + markHeld)
	}
	if rec.Halted {
		b.WriteString("@" + markHalted)
	}
	if !rec.UnusedSince.IsZero() {
		b.WriteString("@" + markUnusedSince + strconv.FormatInt(rec.UnusedSince.Unix(), 10))
	}
	if !rec.WarnedFor.IsZero() {
		b.WriteString("@" + markWarnedFor + strconv.FormatInt(rec.WarnedFor.Unix(), 10))
	}
	if rec.UsageDigest != "" {
		b.WriteString("@" + markUsage + rec.UsageDigest)
	}
	return b.String()
}

// DecodeRecord reads a ledger entry written by EncodeRecord into the
// fields it encodes; ok is false when the entry is malformed.
func DecodeRecord(value string) (Record, bool) {
	parts := strings.Split(value, "@")
	if len(parts) < 2 {
		return Record{}, false
	}
	since, ok := unixTime(parts[1])
	if !ok {
		return Record{}, false
	}
	rec := Record{State: nhi.IdentityState(parts[0]), Since: since}
	for _, mark := range parts[2:] {
		switch {
		case mark == markWouldRevoke:
			rec.WouldRevoke = true
		case mark == markHeld:
			rec.Held = true
		case mark == markHalted:
			rec.Halted = true
		case strings.HasPrefix(mark, markUnusedSince):
			rec.UnusedSince, _ = unixTime(mark[len(markUnusedSince):])
		case strings.HasPrefix(mark, markWarnedFor):
			rec.WarnedFor, _ = unixTime(mark[len(markWarnedFor):])
		case strings.HasPrefix(mark, markUsage):
			rec.UsageDigest = mark[len(markUsage):]
		}
	}
	return rec, true
}

func unixTime(seconds string) (time.Time, bool) {
	unix, err := strconv.ParseInt(seconds, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(unix, 0).UTC(), true
}
