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
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/clock"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/governance"
)

// revocationWindow is the period of the blast-radius cap.
const revocationWindow = time.Hour

// defaultMaxRevocationsPerHour applies when a policy object built in code
// leaves the cap unset (the API server defaults it too).
const defaultMaxRevocationsPerHour = 10

// RevocationBudget enforces the blast-radius cap: at most
// spec.revocation.maxRevocationsPerHour revocations per policy in any hour,
// and at most maxRevocationsPerNamespacePerHour of them in one namespace, so
// that one tenant cannot halt enforcement everywhere else. The count lives
// in the policy's ledger (Steward's namespace, written only here) and is
// updated with optimistic concurrency before each revocation, so it
// survives restarts and concurrent reconciles: a crash can make it count a
// revocation twice, never allow one more. The policy reconciler only reads
// it, for the policy's status.
type RevocationBudget struct {
	Ledgers *Ledgers
	Clock   clock.PassiveClock
	// Notify is told which policy's budget changed.
	Notify func(policy string)
}

// Reserve takes one revocation of an identity in a namespace from a
// policy's budget. It returns false when the policy's cap or the
// namespace's share is reached, with the instant a slot frees up.
func (b *RevocationBudget) Reserve(ctx context.Context, policy *nhi.OwnershipPolicy, namespace string,
	uid types.UID) (bool, time.Time, error) {
	reserved := false
	var retryAt time.Time
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		ledger, err := b.Ledgers.Get(ctx, policyLedgerName(policy.Name))
		if err != nil {
			return err
		}
		// What Available reads next: the budget as it is, whether or not
		// this reservation succeeds.
		b.Ledgers.remember(ledger)
		now := b.Clock.Now()
		window := inWindow(ledger.Status.Budget, now)
		var inNamespace []nhi.BudgetEntry
		for _, e := range window {
			if e.Namespace == namespace {
				inNamespace = append(inNamespace, e)
			}
		}
		switch {
		case int32(len(window)) >= maxRevocationsPerHour(policy):
			reserved, retryAt = false, windowFrees(window)
			return nil
		case int32(len(inNamespace)) >= maxRevocationsPerNamespacePerHour(policy):
			reserved, retryAt = false, windowFrees(inNamespace)
			return nil
		}
		reserved = true
		window = append(window, nhi.BudgetEntry{Namespace: namespace, UID: uid, At: metav1.NewTime(now.Truncate(time.Second))})
		if err := b.Ledgers.Create(ctx, ledger); err != nil {
			return err
		}
		ledger.Status.Budget = window
		if err := b.Ledgers.Writer.Status().Update(ctx, ledger); err != nil {
			b.Ledgers.forget(ledger.Name)
			return err
		}
		b.Ledgers.remember(ledger)
		return nil
	})
	if err != nil {
		return false, time.Time{}, fmt.Errorf("reserving a revocation under policy %s: %w", policy.Name, err)
	}
	if reserved && b.Notify != nil {
		b.Notify(policy.Name)
	}
	return reserved, retryAt, nil
}

// Available is what a namespace may still spend of a policy's budget now,
// as the decision package takes it. It reads the policy's ledger as last
// written by this process (Reserve is its only writer), so it costs no
// request per reconcile; Reserve re-reads it from the API server and has
// the last word, should two namespaces race for the last slot.
func (b *RevocationBudget) Available(ctx context.Context, policy *nhi.OwnershipPolicy, namespace string) (governance.Budget, error) {
	ledger, err := b.Ledgers.Latest(ctx, policyLedgerName(policy.Name))
	if err != nil {
		return governance.Budget{}, err
	}
	window := inWindow(ledger.Status.Budget, b.Clock.Now())
	var inNamespace []nhi.BudgetEntry
	for _, e := range window {
		if e.Namespace == namespace {
			inNamespace = append(inNamespace, e)
		}
	}
	policyLeft := int(maxRevocationsPerHour(policy)) - len(window)
	namespaceLeft := int(maxRevocationsPerNamespacePerHour(policy)) - len(inNamespace)
	budget := governance.Budget{Remaining: max(min(policyLeft, namespaceLeft), 0)}
	switch {
	case namespaceLeft < policyLeft && len(inNamespace) > 0:
		budget.FreesAt = windowFrees(inNamespace)
	case len(window) > 0:
		budget.FreesAt = windowFrees(window)
	}
	return budget, nil
}

// inWindow keeps the entries of the last hour.
func inWindow(entries []nhi.BudgetEntry, now time.Time) []nhi.BudgetEntry {
	var kept []nhi.BudgetEntry
	for _, e := range entries {
		if now.Before(e.At.Add(revocationWindow)) {
			kept = append(kept, e)
		}
	}
	return kept
}

// windowFrees is when the oldest entry leaves the window.
func windowFrees(entries []nhi.BudgetEntry) time.Time {
	var oldest time.Time
	for _, e := range entries {
		if oldest.IsZero() || e.At.Time.Before(oldest) {
			oldest = e.At.Time
		}
	}
	return oldest.Add(revocationWindow)
}

// maxRevocationsPerNamespacePerHour is a namespace's share of the cap:
// half of it, rounded up, unless the policy says otherwise.
func maxRevocationsPerNamespacePerHour(policy *nhi.OwnershipPolicy) int32 {
	if m := policy.Spec.Revocation.MaxRevocationsPerNamespacePerHour; m != nil {
		return *m
	}
	return (maxRevocationsPerHour(policy) + 1) / 2
}

func maxRevocationsPerHour(policy *nhi.OwnershipPolicy) int32 {
	if m := policy.Spec.Revocation.MaxRevocationsPerHour; m != nil {
		return *m
	}
	return defaultMaxRevocationsPerHour
}

// halted reports whether a policy's budget is spent, and when the current
// window ends.
func halted(policy *nhi.OwnershipPolicy, now time.Time) (bool, time.Time) {
	if policy.Spec.Enforcement != nhi.EnforcementEnforce {
		return false, time.Time{}
	}
	if maxRevocationsPerHour(policy) == 0 {
		return true, time.Time{} // revocation forbidden outright, no window to wait for
	}
	start := policy.Status.RevocationWindowStart
	if start == nil {
		return false, time.Time{}
	}
	end := start.Add(revocationWindow)
	return now.Before(end) && policy.Status.RevocationsInWindow >= maxRevocationsPerHour(policy), end
}
