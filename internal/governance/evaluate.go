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

// legacyTokenType is the type of Secrets holding legacy ServiceAccount tokens.
const legacyTokenType = "kubernetes.io/service-account-token"

// evaluation carries the intermediate facts of one Evaluate call.
type evaluation struct {
	s          *Snapshot
	ownerships []*nhi.IdentityOwnership // oldest first
	facts      []*ownershipFacts
	owners     *coverageIndex
	exceptions []*nhi.OwnershipException // oldest first
	active     []bool
	excepts    *coverageIndex
	deadline   time.Time
	durations  policyDurations
}

// Evaluate computes the desired state of one namespace. See the package
// documentation.
func Evaluate(s Snapshot) Result {
	e := &evaluation{s: &s, durations: parsePolicyDurations(s.Policy)}
	result := Result{
		Ownerships: map[string]*OwnershipResult{},
		Exceptions: map[string]*ExceptionResult{},
		Reviews:    map[string]*ReviewResult{},
	}

	completed := e.evaluateReviews(result.Reviews)
	e.indexOwnerships(completed)
	e.indexExceptions(result.Exceptions)

	result.Identities = make([]IdentityResult, len(s.Identities))
	for i := range s.Identities {
		e.evaluateIdentity(&result.Identities[i], &s.Identities[i])
	}
	if s.Policy != nil && enforcing(s.Policy) {
		e.allocateRevocations(result.Identities)
	}
	shared := sharedMetadata{}
	for i := range result.Identities {
		finish(&result.Identities[i], shared)
	}
	byOwnership := identitiesByOwnership(result.Identities)
	e.ownershipResults(result.Identities, result.Ownerships, byOwnership)
	e.exceptionIdentities(result.Identities, result.Exceptions)
	e.reviewActions(result.Identities, result.Reviews, byOwnership)
	result.NextDeadline = e.deadline
	return result
}

// at records an instant at which the result changes.
func (e *evaluation) at(t time.Time) {
	if t.After(e.s.Now) && (e.deadline.IsZero() || t.Before(e.deadline)) {
		e.deadline = t
	}
}

func (e *evaluation) indexOwnerships(completed map[string][]*nhi.OwnershipReview) {
	for i := range e.s.Ownerships {
		if e.s.Ownerships[i].DeletionTimestamp == nil {
			e.ownerships = append(e.ownerships, &e.s.Ownerships[i])
		}
	}
	slices.SortFunc(e.ownerships, func(a, b *nhi.IdentityOwnership) int { return olderFirst(&a.ObjectMeta, &b.ObjectMeta) })
	targets := make([]target, len(e.ownerships))
	e.facts = make([]*ownershipFacts, len(e.ownerships))
	for i, o := range e.ownerships {
		targets[i] = target{identities: o.Spec.Identities, selector: o.Spec.Selector}
		e.facts[i] = newOwnershipFacts(o, e.s, completed[o.Name])
		if e.s.Policy != nil {
			e.at(e.facts[i].expiry)
			e.at(e.facts[i].reviewDue)
			if e.facts[i].approvalInFuture {
				e.at(o.Spec.Approval.ApprovedAt.Time)
			}
		}
	}
	e.owners = newCoverageIndex(targets)
}

func (e *evaluation) indexExceptions(out map[string]*ExceptionResult) {
	for i := range e.s.Exceptions {
		if e.s.Exceptions[i].DeletionTimestamp == nil {
			e.exceptions = append(e.exceptions, &e.s.Exceptions[i])
		}
	}
	slices.SortFunc(e.exceptions, func(a, b *nhi.OwnershipException) int { return olderFirst(&a.ObjectMeta, &b.ObjectMeta) })
	targets := make([]target, len(e.exceptions))
	e.active = make([]bool, len(e.exceptions))
	for i, x := range e.exceptions {
		targets[i] = target{identities: x.Spec.Identities, selector: x.Spec.Selector}
		res := exceptionStatus(x, e.s)
		res.Conditions = append(res.Conditions, e.exceptionWarning(x, res.Active))
		e.active[i] = res.Active
		out[x.Name] = res
		if res.Active {
			e.at(x.Spec.ExpiresAt.Time)
		}
	}
	e.excepts = newCoverageIndex(targets)
}

// exceptionIdentities lists, on each exception, the governed identities it
// targets.
func (e *evaluation) exceptionIdentities(identities []IdentityResult, out map[string]*ExceptionResult) {
	for i := range identities {
		if !identities[i].Governed {
			continue
		}
		for _, x := range identities[i].excepts {
			res := out[e.exceptions[x].Name]
			res.Identities = append(res.Identities, identities[i].Identity.Ref())
		}
	}
	// Sorted, then capped: the snapshot's order is the cache's, and status
	// must not change when only that order does.
	for _, res := range out {
		slices.SortFunc(res.Identities, func(a, b nhi.IdentityReference) int {
			return compareIdentities(a.Kind, a.Name, b.Kind, b.Name)
		})
		res.IdentityCount = len(res.Identities)
		if len(res.Identities) > nhi.MaxStatusIdentities {
			res.Identities = res.Identities[:nhi.MaxStatusIdentities]
		}
	}
}

// evaluateIdentity derives one identity's findings, state, action and
// metadata.
func (e *evaluation) evaluateIdentity(r *IdentityResult, identity *Identity) {
	r.Identity, r.PreviousState = identity, identity.Recorded.State
	id := identity
	policy := e.s.Policy
	if policy == nil || !governs(policy, id) {
		return
	}
	r.Governed = true

	var owner *ownershipFacts
	r.claims = e.owners.covering(id)
	if len(r.claims) > 0 {
		owner = e.facts[r.claims[0]] // the oldest claim wins
		r.Ownership = owner.ownership.Name
	}
	var dueAt deadlines
	r.Findings, dueAt = e.findings(id, owner)
	unusedSince, unusedAt := e.unused(id)
	if !unusedAt.IsZero() {
		r.Findings = append(slices.Clip(r.Findings), nhi.FindingUnused) // a copy: the slice may be shared
		dueAt.set(nhi.FindingUnused, unusedAt)
		sortFindings(r.Findings)
	}

	var waivable []nhi.Finding
	r.excepts = e.excepts.covering(id)
	for _, i := range r.excepts {
		x := e.exceptions[i]
		// Nobody accepts the risk of their own identities: an exception
		// accepted by one of the owner's contacts waives nothing for them.
		selfAccepted := owner != nil && isContact(owner.ownership, x.Spec.RiskAcceptedBy)
		if e.active[i] && !selfAccepted &&
			slices.ContainsFunc(x.Spec.Findings, func(f nhi.Finding) bool { return slices.Contains(r.Findings, f) }) {
			r.Exceptions = append(r.Exceptions, x.Name)
			waivable = append(waivable, x.Spec.Findings...)
		}
	}
	var open []nhi.Finding
	for _, f := range r.Findings {
		if slices.Contains(waivable, f) {
			r.Waived = append(r.Waived, f)
		} else {
			open = append(open, f)
		}
	}

	switch {
	case id.Recorded.Revoked && len(open) > 0:
		r.State = nhi.StateRevoked
	case len(open) > 0:
		r.State = nhi.IdentityState(open[0])
	case len(r.Waived) > 0:
		r.State = nhi.StateExcepted
	default:
		r.State = nhi.StateOwned
	}
	r.DueAt = dueAt.get(nhi.Finding(r.State))
	r.Since = e.since(id, r)
	if r.State != nhi.StateRevoked {
		e.decideAction(r, open, owner)
		e.holdInUse(r)
	}
	r.owner = owner
	r.Record = Record{State: r.State, Since: r.Since, UnusedSince: unusedSince, UsageDigest: usageDigest(id.Users)}
	r.UsageChanged = r.Record.UsageDigest != id.Recorded.UsageDigest
	e.identityWarnings(r, owner, dueAt.get(deadlineRotation))
}

// deadlineRotation keys the rotation due date in the deadlines of an
// identity's findings, whether or not it has passed.
const deadlineRotation nhi.Finding = "rotation-due"

// holdInUse holds a due revocation of an identity that workloads use,
// unless the policy says to revoke anyway. The workloads are Pods and
// workload templates: a ServiceAccount listing a Secret runs nothing (the
// token controller lists legacy tokens there, and anyone who edits a
// ServiceAccount could list any Secret), and the Pods that pull images
// with it name it themselves. Not held: a revocation already in progress
// (it was decided before the workload appeared, and stopping halfway would
// leave it half revoked), and one a reviewer decided (a person already
// decided, seeing who uses it). In DryRun nothing is revoked anyway; the
// WouldRevoke evidence names the workloads.
func (e *evaluation) holdInUse(r *IdentityResult) {
	switch r.Action {
	case ActionRevoke, ActionWouldRevoke:
	default:
		return
	}
	for _, u := range r.Identity.Users {
		if u.Kind != string(nhi.KindServiceAccount) {
			r.Impact = append(r.Impact, u)
		}
	}
	if r.Action == ActionRevoke && len(r.Impact) > 0 && holds(e.s.Policy) && !r.Identity.Recorded.RevocationInProgress &&
		r.ActionReason != ReasonReviewDecidedRevoke {
		r.Action = ActionHold
	}
}

// ReasonReviewDecidedRevoke is the action reason of a revocation an
// OwnershipReview decided.
const ReasonReviewDecidedRevoke = "ReviewDecidedRevoke"

// finish completes an identity's result once every decision about it is
// taken: the once-only reports, the ledger record and the metadata. A nil
// shared gives the identity maps of its own.
func finish(r *IdentityResult, shared sharedMetadata) {
	if !r.Governed {
		return
	}
	rec := r.Identity.Recorded
	r.Record.WouldRevoke = r.Action == ActionWouldRevoke && !r.Halted
	r.Record.Halted = r.Action == ActionWouldRevoke && r.Halted
	r.Record.Held = r.Action == ActionHold
	r.ReportWouldRevoke = (r.Record.WouldRevoke && !rec.WouldRevoke) || (r.Record.Halted && !rec.Halted)
	r.ReportHold = r.Record.Held && !rec.Held
	r.Labels, r.Annotations = shared.of(r)
}

// findings lists every finding of an identity, most severe first, and the
// deadlines at which those with one became true.
func (e *evaluation) findings(id *Identity, owner *ownershipFacts) ([]nhi.Finding, deadlines) {
	var (
		findings []nhi.Finding
		dueAt    deadlines
	)
	if owner == nil {
		findings = unownedFindings
	} else {
		findings = owner.findings()
		if !owner.revoked {
			dueAt.set(nhi.FindingExpired, owner.expiry)
			dueAt.set(nhi.FindingReviewOverdue, owner.reviewDue)
		}
		if rotation := owner.ownership.Spec.Rotation; rotation != nil && id.Kind == nhi.KindSecret && !owner.revoked {
			base := id.Created
			if rotated, ok := parseTime(id.Annotations[AnnotationRotatedAt]); ok && rotated.After(base) && !rotated.After(e.s.Now) {
				base = rotated
			}
			due := base.Add(owner.rotationMaxAge)
			dueAt.set(deadlineRotation, due)
			if !e.s.Now.Before(due) {
				findings = append(slices.Clip(findings), nhi.FindingRotationOverdue)
				dueAt.set(nhi.FindingRotationOverdue, due)
			}
			e.at(due)
		}
	}
	if staleAfter := e.durations.staleAfter; staleAfter > 0 && id.SecretType == legacyTokenType {
		lastUsed := id.Created
		if day, err := time.Parse(time.DateOnly, id.Labels[LabelLegacyTokenLastUsed]); err == nil && !day.After(e.s.Now) {
			lastUsed = day
		}
		due := lastUsed.Add(staleAfter)
		if !e.s.Now.Before(due) {
			findings = append(slices.Clip(findings), nhi.FindingStale)
			dueAt.set(nhi.FindingStale, due)
		}
		e.at(due)
	}
	if len(findings) > 1 {
		findings = slices.Clone(findings) // sorted in place: never the ownership's own slice
		sortFindings(findings)
	}
	return findings, dueAt
}

// unownedFindings is the findings of every identity no ownership covers,
// shared by all of them: results never modify a Findings slice in place.
var unownedFindings = []nhi.Finding{nhi.FindingUnowned}

// deadlines are the instants at which an identity's findings became (or
// will become) true, keyed by finding. An evaluation computes one set per
// identity, so it is an array rather than a map.
type deadlines struct {
	findings [6]nhi.Finding
	at       [6]time.Time
	n        int
}

func (d *deadlines) set(f nhi.Finding, at time.Time) {
	for i := range d.n {
		if d.findings[i] == f {
			d.at[i] = at
			return
		}
	}
	d.findings[d.n], d.at[d.n] = f, at
	d.n++
}

func (d *deadlines) get(f nhi.Finding) time.Time {
	for i := range d.n {
		if d.findings[i] == f {
			return d.at[i]
		}
	}
	return time.Time{}
}

// sortFindings orders findings most severe first.
func sortFindings(findings []nhi.Finding) {
	slices.SortFunc(findings, func(a, b nhi.Finding) int { return severity(nhi.IdentityState(a)) - severity(nhi.IdentityState(b)) })
}

// since is when the identity entered its current state: the ledger's
// instant while the state is unchanged, now on a transition.
func (e *evaluation) since(id *Identity, r *IdentityResult) time.Time {
	if r.State == r.PreviousState && !id.Recorded.Since.IsZero() && !id.Recorded.Since.After(e.s.Now) {
		return id.Recorded.Since
	}
	return e.s.Now.Truncate(time.Second)
}

// decideAction applies the policy's rules to the open findings: the most
// severe action wins, and a Revoke rule flags until its grace ends.
func (e *evaluation) decideAction(r *IdentityResult, open []nhi.Finding, owner *ownershipFacts) {
	policy := e.s.Policy
	revokeAction := ActionWouldRevoke
	if enforcing(policy) {
		revokeAction = ActionRevoke
	}
	// The review's revocation answers the Unowned finding it causes; when an
	// exception waives that finding, the other open findings follow their
	// own rules.
	if owner != nil && owner.revoked && slices.Contains(open, nhi.FindingUnowned) {
		r.Action, r.ActionReason, r.RevokeAt = revokeAction, ReasonReviewDecidedRevoke, r.Since
		return
	}
	for _, f := range open {
		rule := ruleFor(policy, f)
		action := ActionAnnotate
		switch rule.Action {
		case nhi.ActionFlag:
			action = ActionFlag
		case nhi.ActionRevoke:
			revokeAt := r.Since.Add(e.durations.revokeAfter[f])
			if r.RevokeAt.IsZero() || revokeAt.Before(r.RevokeAt) {
				r.RevokeAt = revokeAt
			}
			if e.s.Now.Before(revokeAt) {
				action = ActionFlag
				e.at(revokeAt)
			} else {
				action = revokeAction
			}
		}
		if actionSeverity[action] > actionSeverity[r.Action] {
			r.Action, r.ActionReason = action, string(f)
		}
	}
}

// desiredMetadata is the desired value of every key Steward manages.
func desiredMetadata(r *IdentityResult, owner *ownershipFacts) (map[string]string, map[string]string) {
	labels := make(map[string]string, 1)
	annotations := make(map[string]string, 8)
	annotations[AnnotationState] = string(r.State)
	if r.State == nhi.StateRevoked || actionSeverity[r.Action] >= actionSeverity[ActionFlag] {
		labels[LabelFinding] = Kebab(r.State)
	}
	if r.Action == ActionWouldRevoke {
		labels[LabelWouldRevoke] = "true"
	}
	if r.Action == ActionHold {
		labels[LabelRevocationHeld] = "true"
	}
	if len(r.Findings) > 0 {
		annotations[AnnotationFindings] = findingsAnnotation(r.Findings)
	}
	if r.State != nhi.StateOwned {
		annotations[AnnotationFindingSince] = formatTime(r.Since)
	}
	if len(r.Waived) > 0 {
		annotations[AnnotationExceptedBy] = strings.Join(r.Exceptions, ",")
	}
	if rec := r.Identity.Recorded; r.State == nhi.StateRevoked && rec.Revoked {
		annotations[AnnotationRevokedAt] = formatTime(rec.RevokedAt)
		if rec.RemovedBindings != "" {
			annotations[AnnotationRemovedBindings] = rec.RemovedBindings
		}
	}
	if owner != nil {
		o := owner.ownership
		annotations[AnnotationOwnership] = o.Name
		annotations[AnnotationOwnerTeam] = o.Spec.Owner.Team
		annotations[AnnotationExpiresAt] = owner.expiryText()
		if o.Spec.Approval != nil {
			annotations[AnnotationApprovedBy] = string(o.Spec.Approval.ApprovedBy)
		}
	}
	return labels, annotations
}

// findingsAnnotation is the value of AnnotationFindings: the names, comma
// separated. One finding, the usual case, needs no new string.
func findingsAnnotation(findings []nhi.Finding) string {
	if len(findings) == 1 {
		return string(findings[0])
	}
	names := make([]string, len(findings))
	for i, f := range findings {
		names[i] = string(f)
	}
	return strings.Join(names, ",")
}

// severity is the position of a state in nhi.StateSeverity (0 = most severe).
func severity(state nhi.IdentityState) int {
	if i := slices.Index(nhi.StateSeverity, state); i >= 0 {
		return i
	}
	return len(nhi.StateSeverity)
}
