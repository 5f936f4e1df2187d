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
	"fmt"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

func TestStatusBatchDue(t *testing.T) {
	t0 := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	const period = 5 * time.Second
	cases := []struct {
		name      string
		period    time.Duration
		wroteAt   *time.Time // nil: never written
		now       time.Time
		urgent    bool
		wantDue   bool
		wantUntil time.Time
	}{
		{name: "first write goes at once", period: period, now: t0, wantDue: true},
		{name: "within the period it waits until the period ends", period: period, wroteAt: &t0,
			now: t0.Add(2 * time.Second), wantUntil: t0.Add(period)},
		{name: "urgent goes at once within the period", period: period, wroteAt: &t0,
			now: t0.Add(2 * time.Second), urgent: true, wantDue: true},
		{name: "at the period's end it goes", period: period, wroteAt: &t0, now: t0.Add(period), wantDue: true},
		{name: "a zero period never waits", period: 0, wroteAt: &t0, now: t0.Add(time.Second), wantDue: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := newStatusBatch(tc.period)
			if tc.wroteAt != nil {
				b.wrote("uid", *tc.wroteAt)
			}
			due, until := b.due("uid", tc.now, tc.urgent)
			if due != tc.wantDue || !until.Equal(tc.wantUntil) {
				t.Fatalf("due = %v, %v; want %v, %v", due, until, tc.wantDue, tc.wantUntil)
			}
		})
	}
	var none *statusBatch
	if due, _ := none.due("uid", t0, false); !due {
		t.Fatal("a nil batch held a write back")
	}
}

// TestStatusBatchForgetsOldWrites: the writes remembered are only the
// recent ones, so deleted ownerships leave nothing behind.
func TestStatusBatchForgetsOldWrites(t *testing.T) {
	t0 := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	b := newStatusBatch(time.Second)
	for i := range statusBatchSweepAt {
		b.wrote(types.UID(fmt.Sprint(i)), t0)
	}
	b.wrote("late", t0.Add(2*time.Second))
	if len(b.last) != 1 {
		t.Fatalf("%d writes remembered after the sweep, want 1", len(b.last))
	}
	if due, _ := b.due("late", t0.Add(2*time.Second+time.Millisecond), false); due {
		t.Fatal("the sweep forgot a write within the period")
	}
}

// TestOnlyRowsComeAndGo: identities arriving in or leaving the rows may
// wait; a change to an identity that keeps its row may not.
func TestOnlyRowsComeAndGo(t *testing.T) {
	at := metav1.NewTime(time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC))
	current := nhi.IdentityOwnershipStatus{
		ObservedGeneration: 1,
		Conditions:         []metav1.Condition{{Type: nhi.ConditionReady, Status: metav1.ConditionTrue, Reason: nhi.ReasonReconciled}},
		Identities:         []nhi.IdentityStatus{{Kind: nhi.KindServiceAccount, Name: "api", State: nhi.StateOwned}},
		IdentityCount:      1,
	}
	cases := []struct {
		name   string
		change func(*nhi.IdentityOwnershipStatus)
		want   bool
	}{
		{"a row and the count", func(s *nhi.IdentityOwnershipStatus) {
			s.Identities = append(s.Identities, nhi.IdentityStatus{Kind: nhi.KindSecret, Name: "key", State: nhi.StateOwned})
			s.IdentityCount = 2
		}, true},
		{"a row dropped, as a deleted identity's or one the cap pushes out", func(s *nhi.IdentityOwnershipStatus) {
			s.Identities = nil
			s.IdentityCount = 0
		}, true},
		{"a row's state", func(s *nhi.IdentityOwnershipStatus) { s.Identities[0].State = nhi.StateRevoked }, false},
		{"a row's findings", func(s *nhi.IdentityOwnershipStatus) {
			s.Identities[0].Findings = []nhi.Finding{nhi.FindingExpired}
		}, false},
		{"a row replaced by another identity of the same name", func(s *nhi.IdentityOwnershipStatus) {
			s.Identities[0] = nhi.IdentityStatus{Kind: nhi.KindServiceAccount, Name: "api", UID: "new", State: nhi.StateOwned}
		}, true},
		{"a history entry beside the rows", func(s *nhi.IdentityOwnershipStatus) {
			s.IdentityCount = 2
			s.History = []nhi.HistoryEntry{{Time: at, Type: "Transition", Name: "api", Reason: "Expired"}}
		}, false},
		{"a condition", func(s *nhi.IdentityOwnershipStatus) {
			s.Conditions = []metav1.Condition{{Type: nhi.ConditionReady, Status: metav1.ConditionFalse, Reason: nhi.ReasonExpiresAtPassed}}
		}, false},
		{"a new generation observed", func(s *nhi.IdentityOwnershipStatus) { s.ObservedGeneration = 2 }, false},
		{"an approval recorded", func(s *nhi.IdentityOwnershipStatus) {
			s.ApprovalRecord = &nhi.ApprovalRecord{ApprovalDigest: "a", ContentDigest: "c", FirstSeen: at}
		}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			desired := *current.DeepCopy()
			tc.change(&desired)
			if got := onlyRowsComeAndGo(&current, desired); got != tc.want {
				t.Fatalf("onlyRowsComeAndGo = %v, want %v", got, tc.want)
			}
		})
	}
}

// A policy's status write may wait only when its aggregate figures alone
// change; anything a person or an alert acts on goes at once.
func TestOnlyTotalsChange(t *testing.T) {
	at := metav1.NewTime(time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC))
	current := nhi.OwnershipPolicyStatus{
		ObservedGeneration: 1,
		Conditions:         []metav1.Condition{{Type: nhi.ConditionReady, Status: metav1.ConditionTrue, Reason: nhi.ReasonReconciled}},
		GovernedNamespaces: 1, TotalIdentities: 2, TotalViolations: 1,
		Totals:     []nhi.StateCount{{Kind: nhi.KindSecret, State: nhi.StateUnowned, Count: 1}},
		Violations: []nhi.Violation{{Namespace: "shop", Kind: nhi.KindSecret, Name: "key", State: nhi.StateUnowned}},
	}
	cases := []struct {
		name   string
		change func(*nhi.OwnershipPolicyStatus)
		want   bool
	}{
		{"the totals and violations of a new identity", func(s *nhi.OwnershipPolicyStatus) {
			s.TotalIdentities, s.TotalViolations = 3, 2
			s.Totals[0].Count = 2
			s.Violations = append(s.Violations, nhi.Violation{Namespace: "shop", Kind: nhi.KindSecret, Name: "key-2", State: nhi.StateUnowned})
		}, true},
		{"one more namespace governed", func(s *nhi.OwnershipPolicyStatus) { s.GovernedNamespaces = 2 }, true},
		{"a condition", func(s *nhi.OwnershipPolicyStatus) {
			s.Conditions = []metav1.Condition{{Type: nhi.ConditionReady, Status: metav1.ConditionFalse, Reason: nhi.ReasonOlderClaimExists}}
		}, false},
		{"a new generation observed", func(s *nhi.OwnershipPolicyStatus) { s.ObservedGeneration = 2 }, false},
		{"a revocation counted against the cap", func(s *nhi.OwnershipPolicyStatus) {
			s.RevocationsInWindow, s.RevocationWindowStart = 1, &at
		}, false},
		{"the directory's accepted entries", func(s *nhi.OwnershipPolicyStatus) { s.AcceptedDirectoryEntries = 40 }, false},
		{"a total beside a condition", func(s *nhi.OwnershipPolicyStatus) {
			s.TotalIdentities = 3
			s.Conditions = nil
		}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			desired := *current.DeepCopy()
			tc.change(&desired)
			if got := onlyTotalsChange(&current, desired); got != tc.want {
				t.Fatalf("onlyTotalsChange = %v, want %v", got, tc.want)
			}
		})
	}
}
