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

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

// defaultWarnBefore applies when a policy built in code sets no warnBefore
// (the API server defaults it to the same).
const defaultWarnBefore = 14 * 24 * time.Hour

// warnBefore is the policy's warning window; 0 when warnings are off.
func warnBefore(policy *nhi.OwnershipPolicy) time.Duration {
	if policy.Spec.WarnBefore == nil {
		return defaultWarnBefore
	}
	d, err := time.ParseDuration(string(*policy.Spec.WarnBefore))
	if err != nil || d < 0 {
		return defaultWarnBefore
	}
	return d
}

// warnings collects the deadlines within the policy's warning window and
// schedules a re-evaluation for when each enters it.
type warnings struct {
	e      *evaluation
	window time.Duration
	list   []nhi.DeadlineWarning
}

func (e *evaluation) newWarnings() *warnings {
	return &warnings{e: e, window: e.durations.warnBefore}
}

// add records a deadline when it is ahead and within the window, and asks
// for a re-evaluation when it enters the window. A zero deadline is none.
func (w *warnings) add(kind nhi.DeadlineKind, at time.Time, object string) {
	if w.window == 0 || at.IsZero() || !w.e.s.Now.Before(at) {
		return
	}
	if opens := at.Add(-w.window); w.e.s.Now.Before(opens) {
		w.e.at(opens)
		return
	}
	w.list = append(w.list, nhi.DeadlineWarning{Deadline: kind, At: metav1.NewTime(at), Object: object})
}

// sorted returns the warnings, soonest first, capped like the API caps them.
func (w *warnings) sorted() []nhi.DeadlineWarning {
	slices.SortStableFunc(w.list, func(a, b nhi.DeadlineWarning) int { return a.At.Compare(b.At.Time) })
	if len(w.list) > nhi.MaxDeadlineWarnings {
		w.list = w.list[:nhi.MaxDeadlineWarnings]
	}
	return w.list
}

// identityWarnings are the deadlines ahead of one identity: its
// ownership's expiry and review, its own rotation, the end of the
// exceptions that waive its findings, and the end of a Revoke rule's grace.
// It also decides the Warning Event: one per deadline of the identity's
// own (a rotation, a revocation), the soonest, once.
func (e *evaluation) identityWarnings(r *IdentityResult, owner *ownershipFacts, rotationDue time.Time) {
	w := e.newWarnings()
	if owner != nil && !owner.revoked {
		if !owner.expired {
			w.add(nhi.DeadlineExpiry, owner.expiry, owner.ownership.Name)
		}
		if !owner.reviewOverdue {
			w.add(nhi.DeadlineReview, owner.reviewDue, owner.ownership.Name)
		}
	}
	w.add(nhi.DeadlineRotation, rotationDue, "")
	for _, name := range r.Exceptions {
		for _, x := range e.exceptions {
			if x.Name == name {
				w.add(nhi.DeadlineExceptionExpiry, x.Spec.ExpiresAt.Time, x.Name)
			}
		}
	}
	if r.Action == ActionFlag && !r.RevokeAt.IsZero() && enforcing(e.s.Policy) {
		// In DryRun nothing is revoked at that instant: nothing to warn of.
		w.add(nhi.DeadlineRevocation, r.RevokeAt, "")
	}
	r.Warnings = w.sorted()
	for _, warning := range r.Warnings {
		if warning.Deadline == nhi.DeadlineRotation || warning.Deadline == nhi.DeadlineRevocation {
			r.Record.WarnedFor = warning.At.Time
			if !warning.At.Time.Equal(r.Identity.Recorded.WarnedFor) {
				r.Warning = &warning
			}
			break
		}
	}
}

// ownershipWarning is the ExpiringSoon condition of an ownership: its
// expiry or its review within the policy's warning window.
func (e *evaluation) ownershipWarning(f *ownershipFacts) metav1.Condition {
	if e.s.Policy != nil && !f.revoked {
		w := e.newWarnings()
		if !f.expired {
			w.add(nhi.DeadlineExpiry, f.expiry, "")
		}
		if !f.reviewOverdue {
			w.add(nhi.DeadlineReview, f.reviewDue, "")
		}
		if list := w.sorted(); len(list) > 0 {
			// The message names every deadline in the window, so that one
			// entering it while another is pending changes the message,
			// and gets its own Event.
			parts := make([]string, 0, len(list))
			for _, d := range list {
				what := "the ownership expires"
				if d.Deadline == nhi.DeadlineReview {
					what = "the ownership's review is due"
				}
				parts = append(parts, what+" at "+formatTime(d.At.Time))
			}
			reason := nhi.ReasonExpiryApproaching
			if list[0].Deadline == nhi.DeadlineReview {
				reason = nhi.ReasonReviewApproaching
			}
			return Condition(nhi.ConditionExpiringSoon, true, reason,
				strings.Join(parts, "; ")+", within the policy's warnBefore ("+w.window.String()+")")
		}
	}
	return Condition(nhi.ConditionExpiringSoon, false, nhi.ReasonNoDeadlineNear, "no deadline within the policy's warnBefore")
}

// exceptionWarning is the ExpiringSoon condition of an active exception.
func (e *evaluation) exceptionWarning(x *nhi.OwnershipException, active bool) metav1.Condition {
	if e.s.Policy != nil && active {
		w := e.newWarnings()
		w.add(nhi.DeadlineExceptionExpiry, x.Spec.ExpiresAt.Time, "")
		if len(w.sorted()) > 0 {
			return Condition(nhi.ConditionExpiringSoon, true, nhi.ReasonExpiryApproaching,
				"the exception ends at "+formatTime(x.Spec.ExpiresAt.Time)+" and enforcement of "+
					joinFindings(x.Spec.Findings)+" resumes; renew it, or fix the findings")
		}
	}
	return Condition(nhi.ConditionExpiringSoon, false, nhi.ReasonNoDeadlineNear, "no deadline within the policy's warnBefore")
}
