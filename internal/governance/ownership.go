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
	"slices"
	"strings"
	"time"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

// ownershipFacts is what Evaluate derives from one ownership, its policy,
// its reviews, the directory and the time.
type ownershipFacts struct {
	ownership *nhi.IdentityOwnership
	// expiresAt caches expiryText().
	expiresAt string
	// findingsOnce caches findings(); see there.
	findingsOnce     []nhi.Finding
	findingsComputed bool

	// rotationMaxAge is spec.rotation.maxAge, parsed once.
	rotationMaxAge time.Duration

	approvalRequired bool
	unapproved       bool
	// approvalRecord is what the ownership's status must record about its
	// approval; approvalOutdated: the covered fields changed since;
	// approvalInFuture: approvedAt is later than now.
	approvalRecord   *nhi.ApprovalRecord
	approvalOutdated bool
	approvalInFuture bool
	// approvedAt is when the approval counts from: the earlier of
	// spec.approval.approvedAt and when Steward first saw it.
	approvedAt time.Time
	// expiry is spec.expiresAt, or approvedAt + maxValidity when that is
	// sooner (validityClamped).
	expiry          time.Time
	validityClamped bool
	expired         bool

	reviewInterval time.Duration
	reviewDue      time.Time // zero when no review is required
	reviewOverdue  bool
	lastReview     *nhi.OwnershipReview

	departedContacts []string
	allDeparted      bool
	// departureFrozen: the directory is unavailable and the last recorded
	// departures are kept as they were.
	departureFrozen bool

	// revoked: the latest completed review decided Revoke.
	revoked bool
}

func newOwnershipFacts(o *nhi.IdentityOwnership, s *Snapshot, completedReviews []*nhi.OwnershipReview) *ownershipFacts {
	f := &ownershipFacts{ownership: o, expiry: o.Spec.ExpiresAt.Time}
	policy := s.Policy

	if policy != nil {
		f.approvalRequired = requiresApproval(policy)
	}
	if approval := o.Spec.Approval; approval != nil {
		content := contentDigest(o)
		f.approvalRecord = approvalRecord(o, content, s.Now)
		f.approvalOutdated = f.approvalRecord.ContentDigest != content
		f.approvalInFuture = approval.ApprovedAt.After(s.Now)
		f.approvedAt = approval.ApprovedAt.Time
		if first := f.approvalRecord.FirstSeen.Time; first.Before(f.approvedAt) {
			f.approvedAt = first
		}
	}
	f.unapproved = f.approvalRequired && (o.Spec.Approval == nil || f.approvalOutdated || f.approvalInFuture)

	if approval := o.Spec.Approval; approval != nil && policy != nil {
		if maxValidity := ParseDuration(policy.Spec.MaxValidity); maxValidity > 0 {
			if limit := f.approvedAt.Add(maxValidity); limit.Before(f.expiry) {
				f.expiry, f.validityClamped = limit, true
			}
		}
	}
	f.expired = !s.Now.Before(f.expiry)

	// Reviews are ordered oldest first; the latest completed one decides.
	if n := len(completedReviews); n > 0 {
		f.lastReview = completedReviews[n-1]
		f.revoked = f.lastReview.Spec.Decision == nhi.DecisionRevoke
	}

	f.rotationMaxAge = rotationMaxAge(o)
	f.reviewInterval = ParseDuration(o.Spec.ReviewInterval)
	if policy != nil {
		if maxInterval := ParseDuration(policy.Spec.MaxReviewInterval); maxInterval > 0 &&
			(f.reviewInterval == 0 || maxInterval < f.reviewInterval) {
			f.reviewInterval = maxInterval
		}
	}
	if f.reviewInterval > 0 {
		base := o.CreationTimestamp.Time
		if o.Spec.Approval != nil {
			base = f.approvedAt
		}
		if f.lastReview != nil && f.lastReview.Spec.Decision == nhi.DecisionRecertify &&
			f.lastReview.CreationTimestamp.After(base) {
			base = f.lastReview.CreationTimestamp.Time
		}
		f.reviewDue = base.Add(f.reviewInterval)
		f.reviewOverdue = !s.Now.Before(f.reviewDue)
	}

	if dir := s.Directory; dir != nil && !dir.Available {
		// An unreadable or suspicious directory changes nobody's state: the
		// departures last seen stand until it is trustworthy again.
		if d := o.Status.Departure; d != nil {
			for _, contact := range d.DepartedContacts {
				f.departedContacts = append(f.departedContacts, string(contact))
			}
			f.allDeparted = d.AllDepartedAt != nil
			f.departureFrozen = true
		}
	}
	if dir := s.Directory; dir != nil && dir.Available {
		for _, contact := range o.Spec.Owner.Contacts {
			if !dir.Has(string(contact)) {
				f.departedContacts = append(f.departedContacts, string(contact))
			}
		}
		f.allDeparted = len(f.departedContacts) > 0 && len(f.departedContacts) == len(o.Spec.Owner.Contacts)
	}
	return f
}

// findings are the ownership-level findings its identities inherit.
// The result is computed once per evaluation and shared by every identity
// the ownership covers: callers must not modify it in place.
func (f *ownershipFacts) findings() []nhi.Finding {
	if !f.findingsComputed {
		f.findingsOnce, f.findingsComputed = slices.Clip(f.computeFindings()), true
	}
	return f.findingsOnce
}

func (f *ownershipFacts) computeFindings() []nhi.Finding {
	if f.revoked {
		// A review withdrew the ownership: it vouches for nothing any more.
		return []nhi.Finding{nhi.FindingUnowned}
	}
	var findings []nhi.Finding
	if f.unapproved {
		findings = append(findings, nhi.FindingUnapproved)
	}
	if f.expired {
		findings = append(findings, nhi.FindingExpired)
	}
	if f.reviewOverdue {
		findings = append(findings, nhi.FindingReviewOverdue)
	}
	if f.allDeparted {
		findings = append(findings, nhi.FindingOwnerDeparted)
	}
	return findings
}

// expiryText is the expiry as annotated on every identity the ownership
// covers, formatted once.
func (f *ownershipFacts) expiryText() string {
	if f.expiresAt == "" {
		f.expiresAt = formatTime(f.expiry)
	}
	return f.expiresAt
}

// isContact reports whether a person is one of the owner's contacts,
// ignoring case.
func isContact(o *nhi.IdentityOwnership, person nhi.Person) bool {
	return IsOneOf(o.Spec.Owner.Contacts, person)
}

// IsOneOf reports whether person is one of people. E-mail addresses are
// compared ignoring case, everywhere Steward compares people.
func IsOneOf(people []nhi.Person, person nhi.Person) bool {
	return slices.ContainsFunc(people, func(p nhi.Person) bool { return strings.EqualFold(string(p), string(person)) })
}

// rotationMaxAge is an ownership's spec.rotation.maxAge; 0 when it has none.
func rotationMaxAge(o *nhi.IdentityOwnership) time.Duration {
	if o.Spec.Rotation == nil {
		return 0
	}
	return ParseDuration(&o.Spec.Rotation.MaxAge)
}
