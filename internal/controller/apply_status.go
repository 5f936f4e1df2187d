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
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/evidence"
	"github.com/nhi-steward/steward/internal/governance"
)

// historyLimit bounds IdentityOwnership.status.history.
const historyLimit = 20

// statusWritesInFlight bounds the status patches one reconcile has in
// flight. A namespace's objects are few, but each patch of a large
// ownership's status is a round trip the API server takes its time over;
// one after the other they were a fifth of a large namespace's pass.
const statusWritesInFlight = 4

// writeStatuses writes the status of every ownership, exception and review
// of the namespace, each in one patch and only when it changed. The patches
// run at once (each object has its own, and this reconcile is its only
// writer); every one is tried, and their errors are joined. An ownership
// status whose rows alone changed may wait (statusBatch); the time returned
// is when the first that waits is due, zero when none does.
func (r *NamespaceReconciler) writeStatuses(ctx context.Context, in *namespaceInputs, result *governance.Result) (time.Time, error) {
	now := metav1.NewTime(in.snapshot.Now.Truncate(time.Second))
	history := historyByOwnership(result, now)
	var group errgroup.Group
	group.SetLimit(statusWritesInFlight)
	var mu sync.Mutex
	var errs []error
	var dueAt time.Time
	write := func(patch func() error) {
		group.Go(func() error {
			if err := patch(); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
			return nil
		})
	}
	for i := range in.snapshot.Ownerships {
		o := &in.snapshot.Ownerships[i]
		if res := result.Ownerships[o.Name]; res != nil {
			write(func() error {
				waitsUntil, err := r.writeOwnershipStatus(ctx, in, o, res, history[o.Name], now)
				if !waitsUntil.IsZero() {
					mu.Lock()
					dueAt = soonest(dueAt, waitsUntil)
					mu.Unlock()
				}
				return err
			})
		}
	}
	for i := range in.snapshot.Exceptions {
		x := &in.snapshot.Exceptions[i]
		if res := result.Exceptions[x.Name]; res != nil {
			write(func() error {
				status := x.Status // a shallow copy: see writeOwnershipStatus
				status.Conditions = slices.Clone(x.Status.Conditions)
				exceptionStatus(&status, x.Generation, res, now)
				if equality.Semantic.DeepEqual(x.Status, status) {
					return nil
				}
				desired := x.DeepCopy()
				status.DeepCopyInto(&desired.Status)
				if err := r.patchStatus(ctx, x, desired); err != nil {
					return err
				}
				r.warnIfExpiringSoon(ctx, in, x, "OwnershipException", x.Status.Conditions, desired.Status.Conditions)
				return nil
			})
		}
	}
	for i := range in.snapshot.Reviews {
		rv := &in.snapshot.Reviews[i]
		if res := result.Reviews[rv.Name]; res != nil {
			write(func() error {
				status := rv.Status // a shallow copy: see writeOwnershipStatus
				status.Conditions = slices.Clone(rv.Status.Conditions)
				reviewStatus(&status, rv.Generation, res, now)
				if equality.Semantic.DeepEqual(rv.Status, status) {
					return nil
				}
				desired := rv.DeepCopy()
				status.DeepCopyInto(&desired.Status)
				return r.patchStatus(ctx, rv, desired)
			})
		}
	}
	_ = group.Wait() // every function returns nil; the errors are collected
	return dueAt, errors.Join(errs...)
}

// soonest is the earlier of two times, a zero time counting as none.
func soonest(a, b time.Time) time.Time {
	if a.IsZero() || !b.IsZero() && b.Before(a) {
		return b
	}
	return a
}

// writeOwnershipStatus writes one ownership's status, then the Events and
// decisions that the write makes true. A status whose identity rows and
// count alone changed waits while the ownership's last write is recent
// (statusBatch); the time returned is then when it is due.
func (r *NamespaceReconciler) writeOwnershipStatus(ctx context.Context, in *namespaceInputs, o *nhi.IdentityOwnership,
	res *governance.OwnershipResult, entries []nhi.HistoryEntry, now metav1.Time) (time.Time, error) {
	// The new status is computed on a shallow copy of the object's, which
	// is the cache's own (readInputs): the status functions replace every
	// field they set but the conditions, which setConditions writes in
	// place, so those alone are cloned. Only a status that changed is
	// deep-copied into the object patched (the patch's response is decoded
	// into it); most do not change in a pass, and copying and comparing
	// each ownership of a namespace of a thousand was 38% of what its
	// passes allocated (docs/performance.md, sixth pass).
	status := o.Status
	status.Conditions = slices.Clone(o.Status.Conditions)
	transfer, transferred := governance.OwnerTransfer(o.Status.RecordedOwner, o.Spec.Owner)
	if transferred {
		entries = append(slices.Clip(entries), nhi.HistoryEntry{Time: now, Type: "Transition", Reason: ReasonOwnershipTransferred, Message: transfer})
	}
	ownershipStatus(&status, o.Generation, res, entries, now)
	status.RecordedOwner = &o.Spec.Owner
	if equality.Semantic.DeepEqual(o.Status, status) {
		return time.Time{}, nil
	}
	if due, at := r.statusWrites.due(o.UID, in.snapshot.Now, !onlyRowsComeAndGo(&o.Status, status)); !due {
		return at, nil
	}
	desired := o.DeepCopy()
	status.DeepCopyInto(&desired.Status)
	if err := r.patchStatus(ctx, o, desired); err != nil {
		return time.Time{}, err
	}
	r.statusWrites.wrote(o.UID, in.snapshot.Now)
	if transferred {
		// Recorded once: the patch above made recordedOwner current.
		r.recordTransfer(ctx, in, o, transfer)
	}
	r.warnIfExpiringSoon(ctx, in, o, evidence.KindIdentityOwnership, o.Status.Conditions, desired.Status.Conditions)
	return time.Time{}, nil
}

// onlyRowsComeAndGo reports whether desired differs from current in the
// identity rows and count alone, and only by rows added or dropped: the
// identities created in the cover or deleted from it, and the rows the
// cap on rows shifts. Such a write may wait for the status batch. Any row
// kept whose content changed (an identity's state, findings, usage) is
// news about that identity, and everything else is evidence or progress
// (conditions, history, observedGeneration, the approval record): those
// are written at once.
func onlyRowsComeAndGo(current *nhi.IdentityOwnershipStatus, desired nhi.IdentityOwnershipStatus) bool {
	byIdentity := make(map[identityRowKey]*nhi.IdentityStatus, len(current.Identities))
	for i := range current.Identities {
		row := &current.Identities[i]
		byIdentity[identityRowKey{row.Kind, row.Name, row.UID}] = row
	}
	for i := range desired.Identities {
		row := &desired.Identities[i]
		if was, ok := byIdentity[identityRowKey{row.Kind, row.Name, row.UID}]; ok && !equality.Semantic.DeepEqual(*was, *row) {
			return false
		}
	}
	desired.Identities, desired.IdentityCount = current.Identities, current.IdentityCount
	return equality.Semantic.DeepEqual(*current, desired)
}

// identityRowKey names the identity a status row is about.
type identityRowKey struct {
	kind      nhi.IdentityKind
	name, uid string
}

// patchStatus patches current's status to desired's.
func (r *NamespaceReconciler) patchStatus(ctx context.Context, current, desired client.Object) error {
	// The optimistic lock turns a patch computed from a stale cached copy
	// into a conflict, retried on a fresh copy, instead of a silent no-op.
	err := r.Status().Patch(ctx, desired, client.MergeFromWithOptions(current, client.MergeFromWithOptimisticLock{}))
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		// The cache's objects, read without copying, may carry no kind.
		kind := desired.GetObjectKind().GroupVersionKind().Kind
		if gvk, gvkErr := apiutil.GVKForObject(desired, r.Scheme()); gvkErr == nil {
			kind = gvk.Kind
		}
		return fmt.Errorf("writing status of %s %s: %w", kind, desired.GetName(), err)
	}
	return nil
}

// setConditions merges desired conditions, keeping lastTransitionTime when a
// condition's status did not change.
func setConditions(conditions *[]metav1.Condition, desired []metav1.Condition, generation int64, now metav1.Time) {
	for _, c := range desired {
		c.ObservedGeneration = generation
		c.LastTransitionTime = now
		meta.SetStatusCondition(conditions, c)
	}
}

func ownershipStatus(status *nhi.IdentityOwnershipStatus, generation int64, res *governance.OwnershipResult,
	newHistory []nhi.HistoryEntry, now metav1.Time) {
	status.ObservedGeneration = generation
	setConditions(&status.Conditions, res.Conditions, generation, now)
	status.Identities = res.Identities
	status.IdentityCount = int32(res.IdentityCount)
	status.NextReviewBy = nil
	if res.NextReviewBy != nil {
		t := metav1.NewTime(*res.NextReviewBy)
		status.NextReviewBy = &t
	}
	status.LastReview = res.LastReview
	status.ApprovalRecord = res.ApprovalRecord
	switch {
	case res.Revoked && status.RevokedAt == nil:
		status.RevokedAt = &now
	case !res.Revoked:
		status.RevokedAt = nil
	}
	status.Departure = governance.NextDeparture(status.Departure, res, now.Time)
	status.History = prependHistory(status.History, newHistory)
}

// warnIfExpiringSoon emits one Warning Event and decision-log line per
// deadline of an ownership or exception: when its ExpiringSoon condition,
// just written, became True or now names another deadline.
func (r *NamespaceReconciler) warnIfExpiringSoon(ctx context.Context, in *namespaceInputs, obj client.Object, kind string,
	before, after []metav1.Condition) {
	now := meta.FindStatusCondition(after, nhi.ConditionExpiringSoon)
	if now == nil || now.Status != metav1.ConditionTrue {
		return
	}
	if was := meta.FindStatusCondition(before, nhi.ConditionExpiringSoon); was != nil && was.Status == metav1.ConditionTrue &&
		was.Message == now.Message {
		return
	}
	message := fmt.Sprintf("%s %s: %s", kind, obj.GetName(), now.Message)
	r.Recorder.Eventf(obj, nil, corev1.EventTypeWarning, nhi.ConditionExpiringSoon, "Warn", "%s", message)
	r.decide(ctx, evidence.Decision{
		Time: in.snapshot.Now, Type: evidence.DecisionAction, Action: EventReasonDeadlineApproaching, Namespace: obj.GetNamespace(),
		Kind: kind, Name: obj.GetName(), UID: string(obj.GetUID()), Reason: now.Reason, Message: message,
	})
	logf.FromContext(ctx).Info("deadline approaching", "kind", kind, "name", obj.GetName(), "reason", now.Reason)
}

// ReasonOwnershipTransferred is the history, Event and decision reason of a
// change of spec.owner (a mover).
const ReasonOwnershipTransferred = "OwnershipTransferred"

// recordTransfer emits the Event and decision-log line of a transfer of
// ownership.
func (r *NamespaceReconciler) recordTransfer(ctx context.Context, in *namespaceInputs, o *nhi.IdentityOwnership, message string) {
	r.Recorder.Eventf(o, nil, "Normal", ReasonOwnershipTransferred, "Evaluate", "%s", message)
	r.decide(ctx, evidence.Decision{
		Time: in.snapshot.Now, Type: evidence.DecisionTransition, Namespace: o.Namespace, Kind: evidence.KindIdentityOwnership,
		Name: o.Name, UID: string(o.UID), Reason: ReasonOwnershipTransferred, Ownership: o.Name, Message: message,
	})
}

// prependHistory adds entries newest first, skipping any entry identical
// (but for its time) to the newest recorded one for the same identity, so a
// retried reconcile never records a transition twice.
func prependHistory(existing, entries []nhi.HistoryEntry) []nhi.HistoryEntry {
	var added []nhi.HistoryEntry
	for _, e := range entries {
		duplicate := false
		for _, old := range existing {
			if old.Kind == e.Kind && old.Name == e.Name {
				duplicate = old.Type == e.Type && old.Reason == e.Reason && old.Message == e.Message
				break
			}
		}
		if !duplicate {
			added = append(added, e)
		}
	}
	if len(added) == 0 {
		return existing
	}
	history := append(added, existing...)
	if len(history) > historyLimit {
		history = history[:historyLimit]
	}
	return history
}

// historyByOwnership turns the identities' transitions and newly due
// revocations into history entries of their ownership.
func historyByOwnership(result *governance.Result, now metav1.Time) map[string][]nhi.HistoryEntry {
	history := map[string][]nhi.HistoryEntry{}
	for i := range result.Identities {
		id := &result.Identities[i]
		if id.Ownership == "" || !id.Governed {
			continue
		}
		if id.Transitioned() && !id.ArrivedOwned() {
			history[id.Ownership] = append(history[id.Ownership], nhi.HistoryEntry{
				Time: now, Type: "Transition", Kind: id.Identity.Kind, Name: id.Identity.Name,
				Reason: string(id.State), Message: describeState(id),
			})
		}
		if id.ReportWouldRevoke {
			history[id.Ownership] = append(history[id.Ownership], nhi.HistoryEntry{
				Time: now, Type: "Action", Kind: id.Identity.Kind, Name: id.Identity.Name,
				Reason: EventReasonWouldRevoke, Message: wouldRevokeHistory(id),
			})
		}
		if id.ReportHold {
			history[id.Ownership] = append(history[id.Ownership], nhi.HistoryEntry{
				Time: now, Type: "Action", Kind: id.Identity.Kind, Name: id.Identity.Name,
				Reason: EventReasonRevocationHeld, Message: fmt.Sprintf("revocation due (%s) held: %s", id.ActionReason,
					usedByText(id.Impact)),
			})
		}
	}
	return history
}

// wouldRevokeHistory explains why a due revocation changed nothing.
func wouldRevokeHistory(id *governance.IdentityResult) string {
	why := "the policy is in DryRun"
	if id.Halted {
		why = "the policy's blast-radius cap is reached"
	}
	return fmt.Sprintf("revocation due (%s); nothing changed: %s%s", id.ActionReason, why, impactText(id.Impact, !id.Halted))
}

func exceptionStatus(status *nhi.OwnershipExceptionStatus, generation int64, res *governance.ExceptionResult, now metav1.Time) {
	status.ObservedGeneration = generation
	setConditions(&status.Conditions, res.Conditions, generation, now)
	status.Identities = res.Identities
	status.IdentityCount = int32(res.IdentityCount)
	switch {
	case res.Expired && status.ExpiredAt == nil:
		status.ExpiredAt = &now
	case !res.Expired:
		status.ExpiredAt = nil
	}
}

func reviewStatus(status *nhi.OwnershipReviewStatus, generation int64, res *governance.ReviewResult, now metav1.Time) {
	status.ObservedGeneration = generation
	setConditions(&status.Conditions, res.Conditions, generation, now)
	status.OwnershipGeneration, status.OwnershipUID = res.OwnershipGeneration, res.OwnershipUID
	status.DecisionSequence = res.DecisionSequence
	if res.Completed && status.CompletedAt == nil {
		status.CompletedAt = &now
	}
	status.Actions = res.Actions
}
