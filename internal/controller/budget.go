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

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/clock"
	"sigs.k8s.io/controller-runtime/pkg/client"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

// revocationWindow is the period of the blast-radius cap.
const revocationWindow = time.Hour

// defaultMaxRevocationsPerHour applies when a policy object built in code
// leaves the cap unset (the API server defaults it too).
const defaultMaxRevocationsPerHour = 10

// RevocationBudget enforces the blast-radius cap: at most
// spec.revocation.maxRevocationsPerHour revocations per policy per hour. The
// count lives in the policy's status and is updated with optimistic
// concurrency before each revocation, so it survives restarts and
// concurrent reconciles: a crash can make it count a revocation twice,
// never allow one more.
type RevocationBudget struct {
	// Reader reads the policy from the API server, not from a cache.
	Reader client.Reader
	Writer client.StatusClient
	Clock  clock.PassiveClock
	// Notify is told which policy's status changed.
	Notify func(policy string)
}

// Reserve takes one revocation from a policy's budget. It returns false when
// the cap is reached, with the end of the current window.
func (b *RevocationBudget) Reserve(ctx context.Context, policyName string) (bool, time.Time, error) {
	reserved := false
	var windowEnd time.Time
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		policy := &nhi.OwnershipPolicy{}
		if err := b.Reader.Get(ctx, client.ObjectKey{Name: policyName}, policy); err != nil {
			return err
		}
		now := b.Clock.Now()
		status := &policy.Status
		if status.RevocationWindowStart == nil || !now.Before(status.RevocationWindowStart.Add(revocationWindow)) {
			start := metav1.NewTime(now.Truncate(time.Second))
			status.RevocationWindowStart, status.RevocationsInWindow = &start, 0
		}
		windowEnd = status.RevocationWindowStart.Add(revocationWindow)
		if status.RevocationsInWindow >= maxRevocationsPerHour(policy) {
			reserved = false
			return nil
		}
		status.RevocationsInWindow++
		reserved = true
		return b.Writer.Status().Update(ctx, policy)
	})
	if err != nil {
		if apierrors.IsNotFound(err) {
			return false, time.Time{}, nil
		}
		return false, time.Time{}, fmt.Errorf("reserving a revocation under policy %s: %w", policyName, err)
	}
	if b.Notify != nil {
		b.Notify(policyName)
	}
	return reserved, windowEnd, nil
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
