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
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/events"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/governance"
)

// PolicyReconciler writes each OwnershipPolicy's aggregate status from the
// namespace summaries: totals by kind and state, the first violations,
// conflicts with older policies, and the owner directory's health. It is
// event-driven: it runs when a namespace summary changes, never on a timer.
type PolicyReconciler struct {
	client.Client
	Ledgers *Ledgers
	// Directories caches the owner directories policies name.
	Directories *DirectoryCaches
	Clock       clock.PassiveClock
	Summaries   *SummaryStore
	Recorder    events.EventRecorder

	// statusWrites spaces out the writes that only refresh the totals and
	// the first violations; nil writes every change at once.
	statusWrites *statusBatch
}

// Reconcile recomputes one policy's status.
func (r *PolicyReconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	policy := &nhi.OwnershipPolicy{}
	if err := r.Get(ctx, req.NamespacedName, policy); err != nil {
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	governed, conflicts := r.Summaries.ForPolicy(policy.Name)
	desired := policy.DeepCopy()
	status := &desired.Status
	clockNow := r.Clock.Now()
	now := metav1.NewTime(clockNow.Truncate(time.Second))

	aggregate(status, governed)
	if err := r.budgetStatus(ctx, policy.Name, status, now.Time); err != nil {
		return reconcile.Result{}, err
	}
	// Conflict, directory, halted, stalled and ready.
	conds := make([]metav1.Condition, 0, 5)
	conds = append(conds, conflictCondition(conflicts), r.directoryCondition(ctx, policy, status))
	isHalted, windowEnd := halted(desired, now.Time)
	haltedCondition := condition(nhi.ConditionEnforcementHalted, false, nhi.ReasonWithinCap,
		fmt.Sprintf("%d of %d revocations used in the current hour (at most %d per namespace)",
			status.RevocationsInWindow, maxRevocationsPerHour(policy), maxRevocationsPerNamespacePerHour(policy)))
	if isHalted {
		message := "spec.revocation.maxRevocationsPerHour is 0: Steward reports due revocations but carries out none"
		if !windowEnd.IsZero() {
			message = fmt.Sprintf("%d revocations in the hour since %s reached spec.revocation.maxRevocationsPerHour; "+
				"Steward keeps reporting but revokes nothing more until %s, or until the cap is raised",
				status.RevocationsInWindow, formatTime(status.RevocationWindowStart.Time), formatTime(windowEnd))
		}
		haltedCondition = condition(nhi.ConditionEnforcementHalted, true, nhi.ReasonRevocationCapReached, message)
		if !meta.IsStatusConditionTrue(policy.Status.Conditions, nhi.ConditionEnforcementHalted) {
			r.Recorder.Eventf(policy, nil, corev1.EventTypeWarning, nhi.ConditionEnforcementHalted, "Revoke", "%s",
				haltedCondition.Message)
		}
	}
	conds = append(conds, haltedCondition)
	// The message names no count (status.totals and the columns of kubectl
	// get do): with one, every identity created would make the condition,
	// and so the write, urgent.
	ready := condition(nhi.ConditionReady, true, nhi.ReasonReconciled,
		"in force; status.totals and status.violations say what its namespaces hold")
	stalled := condition(nhi.ConditionStalled, false, nhi.ReasonReconciled, "")
	if len(conflicts) > 0 && status.GovernedNamespaces == 0 {
		ready = condition(nhi.ConditionReady, false, nhi.ReasonOlderClaimExists, conds[0].Message)
		stalled = condition(nhi.ConditionStalled, true, nhi.ReasonOlderClaimExists, conds[0].Message)
	}
	conds = append(conds, stalled, ready)
	setConditions(&status.Conditions, conds, policy.Generation, now)
	status.ObservedGeneration = policy.Generation

	result := reconcile.Result{}
	if start := status.RevocationWindowStart; start != nil {
		// The oldest counted revocation leaves the window then: the count,
		// and a halt, change with no other event.
		result.RequeueAfter = max(start.Add(revocationWindow).Sub(clockNow), time.Second)
	}
	if equality.Semantic.DeepEqual(policy.Status, desired.Status) {
		return result, nil
	}
	if due, at := r.statusWrites.due(policy.UID, clockNow, !onlyTotalsChange(&policy.Status, desired.Status)); !due {
		return requeueBy(result, max(at.Sub(clockNow), time.Millisecond)), nil
	}
	if err := r.Status().Patch(ctx, desired, client.MergeFromWithOptions(policy, client.MergeFromWithOptimisticLock{})); err != nil && !apierrors.IsNotFound(err) {
		return reconcile.Result{}, fmt.Errorf("writing policy status: %w", err)
	}
	r.statusWrites.wrote(policy.UID, clockNow)
	return result, nil
}

// onlyTotalsChange reports whether desired differs from current in the
// aggregate figures alone: the governed namespaces, the totals and the
// first violations, which every namespace's pass changes while identities
// come and go, and which each write recomputes from the namespaces'
// summaries. Such a write may wait for the status batch. Conditions, the
// observed generation, the revocation budget and the owner directory's
// entries are written at once.
func onlyTotalsChange(current *nhi.OwnershipPolicyStatus, desired nhi.OwnershipPolicyStatus) bool {
	desired.GovernedNamespaces, desired.TotalIdentities, desired.TotalViolations =
		current.GovernedNamespaces, current.TotalIdentities, current.TotalViolations
	desired.Totals, desired.Violations = current.Totals, current.Violations
	return equality.Semantic.DeepEqual(*current, desired)
}

// requeueBy is result requeued after at most after.
func requeueBy(result reconcile.Result, after time.Duration) reconcile.Result {
	if result.RequeueAfter == 0 || after < result.RequeueAfter {
		result.RequeueAfter = after
	}
	return result
}

var (
	condition  = governance.Condition
	formatTime = governance.Timestamp
)

// aggregate fills totals and violations from the governed namespaces.
func aggregate(status *nhi.OwnershipPolicyStatus, governed []NamespaceSummary) {
	status.GovernedNamespaces = int32(len(governed))
	status.TotalIdentities, status.TotalViolations = 0, 0
	totals := map[nhi.IdentityKind]map[nhi.IdentityState]int32{}
	status.Violations = nil
	for _, summary := range governed {
		for kind, byState := range summary.Totals {
			if totals[kind] == nil {
				totals[kind] = map[nhi.IdentityState]int32{}
			}
			for state, n := range byState {
				totals[kind][state] += n
				status.TotalIdentities += n
				if isViolation(state) {
					status.TotalViolations += n
				}
			}
		}
		for _, v := range summary.Violations {
			if len(status.Violations) < violationLimit {
				status.Violations = append(status.Violations, v.status(summary.Namespace))
			}
		}
	}
	status.Totals = nil
	for _, kind := range slices.Sorted(maps.Keys(totals)) {
		for _, state := range nhi.StateSeverity {
			if n := totals[kind][state]; n > 0 {
				status.Totals = append(status.Totals, nhi.StateCount{Kind: kind, State: state, Count: n})
			}
		}
	}
}

// budgetStatus shows, in the policy's status, the revocations its ledger
// counts in the current hour. The budget itself is written only by
// RevocationBudget, in the ledger; this reconciler is the only writer of
// the policy's status.
func (r *PolicyReconciler) budgetStatus(ctx context.Context, policy string, status *nhi.OwnershipPolicyStatus,
	now time.Time) error {
	ledger, err := r.Ledgers.Get(ctx, policyLedgerName(policy))
	if err != nil {
		return err
	}
	window := inWindow(ledger.Status.Budget, now)
	status.RevocationsInWindow, status.RevocationWindowStart = int32(len(window)), nil
	if len(window) > 0 {
		start := metav1.NewTime(windowFrees(window).Add(-revocationWindow))
		status.RevocationWindowStart = &start
	}
	return nil
}

func conflictCondition(conflicts map[string]string) metav1.Condition {
	if len(conflicts) == 0 {
		return condition(nhi.ConditionConflict, false, nhi.ReasonNoConflict, "")
	}
	var parts []string
	for _, ns := range slices.Sorted(maps.Keys(conflicts)) {
		parts = append(parts, fmt.Sprintf("%s (governed by %s)", ns, conflicts[ns]))
	}
	return condition(nhi.ConditionConflict, true, nhi.ReasonOlderClaimExists,
		"older policies already govern: "+strings.Join(parts, ", "))
}

// directoryCondition reports the owner directory's health and remembers the
// size of the last accepted directory for the shrink guard.
func (r *PolicyReconciler) directoryCondition(ctx context.Context, policy *nhi.OwnershipPolicy,
	status *nhi.OwnershipPolicyStatus) metav1.Condition {
	if policy.Spec.OwnerDirectory == nil {
		return condition(nhi.ConditionDirectoryUnavailable, false, nhi.ReasonDirectoryReadable, "no owner directory configured")
	}
	check := readDirectory(ctx, r.Directories, policy)
	if !check.Directory.Available {
		return condition(nhi.ConditionDirectoryUnavailable, true, check.Reason, check.Message)
	}
	status.AcceptedDirectoryEntries = int32(len(check.Directory.Entries))
	return condition(nhi.ConditionDirectoryUnavailable, false, check.Reason, check.Message)
}

// SetupWithManager registers the reconciler: it runs on policy changes and
// whenever the namespace reconciler reports a changed summary.
func (r *PolicyReconciler) SetupWithManager(mgr manager.Manager) error {
	c, err := ctrl.ControllerManagedBy(mgr).
		Named("policy").
		For(&nhi.OwnershipPolicy{}, ctrl.WithPredicates(predicate.GenerationChangedPredicate{})).
		WatchesRawSource(source.Channel(r.Summaries.changes, &handler.EnqueueRequestForObject{})).
		Build(r)
	if err != nil {
		return err
	}
	// The directory's health is the policy's own condition: a change to the
	// ConfigMap must reach it even when no identity changes state.
	return r.Directories.Bind(c, handler.TypedEnqueueRequestsFromMapFunc(
		func(ctx context.Context, cm *corev1.ConfigMap) []reconcile.Request { return r.policiesReading(ctx, cm) }))
}

// policiesReading maps an owner-directory ConfigMap to the policies that
// read it.
func (r *PolicyReconciler) policiesReading(ctx context.Context, cm client.Object) []reconcile.Request {
	policies := &nhi.OwnershipPolicyList{}
	if err := r.List(ctx, policies); err != nil {
		return nil
	}
	var requests []reconcile.Request
	for _, p := range policies.Items {
		if d := p.Spec.OwnerDirectory; d != nil && d.ConfigMapRef.Namespace == cm.GetNamespace() && d.ConfigMapRef.Name == cm.GetName() {
			requests = append(requests, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&p)})
		}
	}
	return requests
}
