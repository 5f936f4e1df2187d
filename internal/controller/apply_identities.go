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
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"

	"golang.org/x/sync/errgroup"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/evidence"
	"github.com/nhi-steward/steward/internal/governance"
)

// Event reasons on identities, besides the state names (Unowned, Expired…)
// used for transitions into a finding.
const (
	// EventReasonOwned: the identity became Owned.
	EventReasonOwned = "Owned"
	// EventReasonExcepted: every finding is waived by an exception.
	EventReasonExcepted = "Excepted"
	// EventReasonWouldRevoke: a revocation is due, but the policy is DryRun.
	EventReasonWouldRevoke = "WouldRevoke"
	// EventReasonRevocationHeld: a revocation is due under an enforcing
	// policy, but workloads use the identity and the policy holds it.
	EventReasonRevocationHeld = "RevocationHeld"
	// EventReasonDeadlineApproaching: one of the identity's own deadlines
	// (a rotation, a scheduled revocation) is within the policy's
	// warnBefore.
	EventReasonDeadlineApproaching = "DeadlineApproaching"
	// EventReasonRevocationDue: a revocation is due under Enforce.
	EventReasonRevocationDue = "RevocationDue"
)

// applyIdentities patches the identities whose Steward metadata differs from
// the desired one, and records each transition and action once: after its
// patch succeeded. It returns the number of writes.
//
// The patches run concurrently, at most r.Patches.Limit at a time across
// every namespace's reconcile: a namespace of 20,000 identities is patched
// as fast as the API server takes them, and many small namespaces together
// send no more at once than one large one. Each identity still has one
// writer: its namespace is reconciled by one worker at a time.
//
// An identity whose patch fails does not hold up the others (an admission
// policy elsewhere may refuse one): every patch is tried, and the error
// names the first failure and how many there were.
func (r *NamespaceReconciler) applyIdentities(ctx context.Context, in *namespaceInputs, result *governance.Result) (int, error) {
	var writes, failures atomic.Int64
	var first atomic.Pointer[error]
	var group errgroup.Group
	group.SetLimit(r.Patches.Limit())
	for i := range result.Identities {
		id := &result.Identities[i]
		labels := governance.Diff(id.Identity.Labels, id.Labels, governance.ManagedLabels)
		annotations := governance.Diff(id.Identity.Annotations, id.Annotations, governance.ManagedAnnotations)
		if len(labels) == 0 && len(annotations) == 0 {
			continue
		}
		group.Go(func() error {
			wrote, err := r.patchIdentity(ctx, in.snapshot.Namespace, id.Identity, labels, annotations)
			if err != nil {
				failures.Add(1)
				first.CompareAndSwap(nil, &err)
			} else if wrote {
				writes.Add(1)
			}
			return nil
		})
	}
	_ = group.Wait() // every function returns nil; the failures are counted
	if err := first.Load(); err != nil {
		return int(writes.Load()), fmt.Errorf("%d of %d identity patches failed, the first: %w",
			failures.Load(), failures.Load()+writes.Load(), *err)
	}
	return int(writes.Load()), nil
}

// patchIdentity patches one identity's Steward metadata and notes the
// write. An identity deleted meanwhile is not patched, and is no error: its
// delete event re-evaluates the namespace.
func (r *NamespaceReconciler) patchIdentity(ctx context.Context, namespace string, id *governance.Identity,
	labels, annotations map[string]*string) (bool, error) {
	release, err := r.Patches.Acquire(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	obj, err := r.patchMetadata(ctx, namespace, *id, labels, annotations)
	if apierrors.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("patching %s %s: %w", id.Kind, id.Name, err)
	}
	r.recordWrite(ctx, namespace, *id, obj, labels, annotations)
	id.ResourceVersion = obj.ResourceVersion
	return true, nil
}

// recordTransitions records, once each, the transitions and due
// revocations that the ledger now holds: a decision-log line, an Event and
// a log line. It runs after the ledger write, so that a crash repeats
// nothing and loses nothing the ledger does not also lose.
func (r *NamespaceReconciler) recordTransitions(ctx context.Context, in *namespaceInputs, result *governance.Result) {
	events := newIdentityEvents(r.Recorder, in.snapshot.Namespace, r.EventsPerReason)
	for i := range result.Identities {
		r.recordIdentity(ctx, in, &result.Identities[i], events)
	}
	events.flush()
}

func (r *NamespaceReconciler) recordWrite(ctx context.Context, namespace string, id governance.Identity,
	patched *metav1.PartialObjectMetadata, labels, annotations map[string]*string) {
	r.written.record(namespace, id, patched.ResourceVersion, labels, annotations)
	if version, cached := r.cachedVersion(ctx, namespace, id); cached {
		r.written.observed(id.UID, version)
	}
}

// cachedVersion is the resourceVersion the cache holds for an identity;
// false if the cache does not hold it.
func (r *NamespaceReconciler) cachedVersion(ctx context.Context, namespace string, id governance.Identity) (string, bool) {
	key := client.ObjectKey{Namespace: namespace, Name: id.Name}
	if id.Kind == nhi.KindSecret {
		return r.Secrets.ResourceVersion(ctx, key, id.SecretType)
	}
	// The typed ServiceAccount the namespace is read from: asking for a
	// metadata-only one would start a second informer of them.
	obj := &corev1.ServiceAccount{}
	if err := r.Get(ctx, key, obj, client.UnsafeDisableDeepCopy); err != nil {
		return "", false
	}
	return obj.ResourceVersion, true
}

// patchMetadata merge-patches only Steward's keys; a nil value deletes one.
func (r *NamespaceReconciler) patchMetadata(ctx context.Context, namespace string, id governance.Identity,
	labels, annotations map[string]*string) (*metav1.PartialObjectMetadata, error) {
	meta := map[string]any{}
	if len(labels) > 0 {
		meta["labels"] = labels
	}
	if len(annotations) > 0 {
		meta["annotations"] = annotations
	}
	patch, err := json.Marshal(map[string]any{"metadata": meta})
	if err != nil {
		return nil, err
	}
	obj := &metav1.PartialObjectMetadata{TypeMeta: serviceAccountTypeMeta}
	if id.Kind == nhi.KindSecret {
		obj.TypeMeta = secretTypeMeta
	}
	obj.Namespace, obj.Name, obj.UID = namespace, id.Name, id.UID
	return obj, r.Patch(ctx, obj, client.RawPatch(types.MergePatchType, patch))
}

// recordIdentity emits the Event and decision-log lines of a patched
// identity's transition and newly due action.
func (r *NamespaceReconciler) recordIdentity(ctx context.Context, in *namespaceInputs, id *governance.IdentityResult,
	events *identityEvents) {
	transitioned := id.Transitioned() && (id.Governed || id.PreviousState != "")
	usageChanged := id.Governed && id.UsageChanged
	if !transitioned && !usageChanged && !id.ReportWouldRevoke && !id.ReportHold && id.Warning == nil {
		return // nothing to record, as for most identities in most passes: nothing built either
	}
	log := logf.FromContext(ctx)
	obj := identityObject(in.snapshot.Namespace, *id.Identity)
	base := evidence.Decision{
		Time: in.snapshot.Now, Namespace: in.snapshot.Namespace, Kind: string(id.Identity.Kind),
		Name: id.Identity.Name, UID: string(id.Identity.UID), Findings: nhi.FindingNames(id.Findings),
		Waived: nhi.FindingNames(id.Waived), Ownership: id.Ownership, Exceptions: id.Exceptions,
	}
	if policy := in.snapshot.Policy; policy != nil {
		base.Policy, base.Enforcement = policy.Name, string(policy.Spec.Enforcement)
	}

	if transitioned {
		d := base
		d.Type, d.From, d.To = evidence.DecisionTransition, string(id.PreviousState), string(id.State)
		d.Message = describeState(id)
		r.decide(ctx, d)
		if eventType, reason := transitionEvent(id); reason != "" {
			events.Eventf(obj, eventType, reason, "Evaluate", "%s", d.Message)
		}
		if id.Governed && id.Action == governance.ActionFlag {
			evidence.CountAction(string(governance.ActionFlag), id.Identity.Kind)
		}
		if id.PreviousState != "" {
			evidence.ObserveDeadline("transition", id.DueAt, r.Clock.Now())
		}
		log.Info("identity transitioned", "kind", id.Identity.Kind, "name", id.Identity.Name,
			"from", id.PreviousState, "to", id.State, "findings", base.Findings)
	}

	if usageChanged {
		d := base
		d.Type, d.Workloads = evidence.DecisionUsage, workloadNames(id.Identity.Users)
		d.Message = fmt.Sprintf("%s %s: no workload uses it", id.Identity.Kind, id.Identity.Name)
		if len(id.Identity.Users) > 0 {
			d.Message = fmt.Sprintf("%s %s: %s", id.Identity.Kind, id.Identity.Name, usedByText(id.Identity.Users))
		}
		r.decide(ctx, d)
	}

	if id.ReportWouldRevoke {
		d := base
		d.Type, d.Action, d.Reason, d.Workloads = evidence.DecisionAction, string(id.Action), id.ActionReason, workloadNames(id.Impact)
		reason := EventReasonWouldRevoke
		d.Message = fmt.Sprintf("%s %s would be revoked (%s) but policy %s is in DryRun; nothing was changed%s",
			id.Identity.Kind, id.Identity.Name, id.ActionReason, base.Policy, impactText(id.Impact, true))
		if id.Halted {
			reason = EventReasonRevocationHalted
			d.Message = fmt.Sprintf("%s %s is due for revocation (%s) but policy %s reached its blast-radius cap "+
				"(spec.revocation.maxRevocationsPerHour); nothing was changed%s", id.Identity.Kind, id.Identity.Name,
				id.ActionReason, base.Policy, impactText(id.Impact, false))
		}
		r.decide(ctx, d)
		events.Eventf(obj, corev1.EventTypeWarning, reason, "Revoke", "%s", d.Message)
		evidence.CountAction(reason, id.Identity.Kind)
		evidence.ObserveDeadline("would-revoke", id.RevokeAt, r.Clock.Now())
		log.Info("revocation due but not carried out", "kind", id.Identity.Kind, "name", id.Identity.Name,
			"reason", id.ActionReason, "halted", id.Halted, "workloads", d.Workloads)
	}

	if id.ReportHold {
		d := base
		d.Type, d.Action, d.Reason, d.Workloads = evidence.DecisionAction, string(id.Action), id.ActionReason, workloadNames(id.Impact)
		d.Message = fmt.Sprintf("%s %s is due for revocation (%s) under policy %s, but it is held because %s; "+
			"decide: an OwnershipException, a new IdentityOwnership, or spec.revocation.inUse: Revoke on the policy",
			id.Identity.Kind, id.Identity.Name, id.ActionReason, base.Policy, usedByText(id.Impact))
		r.decide(ctx, d)
		events.Eventf(obj, corev1.EventTypeWarning, EventReasonRevocationHeld, "Revoke", "%s", d.Message)
		evidence.CountAction(EventReasonRevocationHeld, id.Identity.Kind)
		evidence.ObserveDeadline("hold", id.RevokeAt, r.Clock.Now())
		log.Info("revocation held: the identity is in use", "kind", id.Identity.Kind, "name", id.Identity.Name,
			"reason", id.ActionReason, "workloads", d.Workloads)
	}

	if id.Warning != nil {
		d := base
		d.Type, d.Action = evidence.DecisionAction, EventReasonDeadlineApproaching
		d.Deadline, d.DeadlineAt = string(id.Warning.Deadline), &id.Warning.At.Time
		d.Message = deadlineText(id)
		r.decide(ctx, d)
		events.Eventf(obj, corev1.EventTypeWarning, EventReasonDeadlineApproaching, "Warn", "%s", d.Message)
		log.Info("deadline approaching", "kind", id.Identity.Kind, "name", id.Identity.Name,
			"deadline", id.Warning.Deadline, "at", id.Warning.At.Time)
	}
}

// recordAction writes an action's decision-log line and Event.
func (r *NamespaceReconciler) recordAction(ctx context.Context, in *namespaceInputs, id *governance.IdentityResult,
	d evidence.Decision, eventType, reason string) {
	d.Type, d.Time, d.Namespace = evidence.DecisionAction, in.snapshot.Now, in.snapshot.Namespace
	d.Kind, d.Name, d.UID = string(id.Identity.Kind), id.Identity.Name, string(id.Identity.UID)
	d.Findings, d.Ownership = nhi.FindingNames(id.Findings), id.Ownership
	if policy := in.snapshot.Policy; policy != nil {
		d.Policy, d.Enforcement = policy.Name, string(policy.Spec.Enforcement)
	}
	r.decide(ctx, d)
	evidence.CountAction(d.Action, id.Identity.Kind)
	r.Recorder.Eventf(identityObject(in.snapshot.Namespace, *id.Identity), nil, eventType, reason, d.Action, "%s", d.Message)
}

// identityObject is an identity as the target of an Event or a patch.
func identityObject(namespace string, id governance.Identity) *metav1.PartialObjectMetadata {
	obj := &metav1.PartialObjectMetadata{TypeMeta: serviceAccountTypeMeta}
	if id.Kind == nhi.KindSecret {
		obj.TypeMeta = secretTypeMeta
	}
	obj.Namespace, obj.Name, obj.UID = namespace, id.Name, id.UID
	return obj
}

func (r *NamespaceReconciler) decide(ctx context.Context, d evidence.Decision) {
	if err := r.DecisionLog.Record(d); err != nil {
		logf.FromContext(ctx).Error(err, "writing the decision log")
	}
}

// transitionEvent is the Event for a transition: a Warning for a flagged
// finding, Normal when the identity became Owned or Excepted, none for
// annotate-only findings or identities leaving governance.
func transitionEvent(id *governance.IdentityResult) (string, string) {
	switch {
	case !id.Governed:
		return "", ""
	case id.ArrivedOwned() || id.State == nhi.StateOwned && id.PreviousState == nhi.StateOwned:
		return "", "" // first seen owned: nothing happened worth an Event
	case id.State == nhi.StateOwned:
		return corev1.EventTypeNormal, EventReasonOwned
	case id.State == nhi.StateExcepted:
		return corev1.EventTypeNormal, EventReasonExcepted
	case id.State == nhi.StateRevoked:
		return "", "" // the revocation's own Event says it all
	case id.Action == governance.ActionAnnotate:
		return "", ""
	}
	return corev1.EventTypeWarning, string(id.State)
}

// describeState is a one-line, human-readable account of an identity's state.
func describeState(id *governance.IdentityResult) string {
	subject := fmt.Sprintf("%s %s", id.Identity.Kind, id.Identity.Name)
	switch id.State {
	case "":
		return subject + " is no longer governed by any OwnershipPolicy"
	case nhi.StateOwned:
		return fmt.Sprintf("%s is Owned under IdentityOwnership %s", subject, id.Ownership)
	case nhi.StateExcepted:
		return fmt.Sprintf("%s is Excepted: %s waived by %s", subject,
			strings.Join(nhi.FindingNames(id.Waived), ", "), strings.Join(id.Exceptions, ", "))
	case nhi.StateUnowned:
		if id.Ownership != "" {
			return fmt.Sprintf("%s is Unowned: a review withdrew IdentityOwnership %s", subject, id.Ownership)
		}
		return subject + " is Unowned: no IdentityOwnership covers it"
	}
	return fmt.Sprintf("%s is %s (findings: %s)", subject, id.State, strings.Join(nhi.FindingNames(id.Findings), ", "))
}
