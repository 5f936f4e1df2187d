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
	"fmt"
	"runtime"
	"syscall"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

const (
	benchIdentities = 100_000
	benchOwnerships = 1_000
	benchGroup      = benchIdentities / benchOwnerships // identities per ownership
)

// benchSnapshot is one namespace with 100,000 identities (half
// ServiceAccounts, half Opaque Secrets) in 1,000 labelled groups, and 1,000
// ownerships: even ones name their group's identities, odd ones select it
// by label (a few with matchExpressions only, a few with a kinds
// restriction). Every 50th ownership claims its neighbour's group instead
// of its own, leaving 20 groups Unowned and 20 ownerships in conflict.
// Ownerships vary in expiry, approval, review and rotation so that every
// finding occurs.
func benchSnapshot() Snapshot {
	s := Snapshot{
		Namespace: testNamespace,
		Now:       ref,
		Policy: newPolicy(
			staleAfter("2160h"), maxReviewInterval("4380h"), maxValidity("17520h"), maxExceptionDuration("2160h"),
			revokeRule(nhi.FindingUnowned, "720h"), rule(nhi.FindingExpired, nhi.ActionFlag),
			rule(nhi.FindingUnapproved, nhi.ActionFlag), rule(nhi.FindingReviewOverdue, nhi.ActionAnnotate),
			rule(nhi.FindingRotationOverdue, nhi.ActionFlag), revokeRule(nhi.FindingStale, "2160h"),
		),
		Directory: directory(alice, dave),
	}
	group := func(i int) string { return fmt.Sprintf("app-%03d", i/benchGroup) }
	for i := range benchIdentities {
		var id Identity
		if i%2 == 0 {
			id = sa(fmt.Sprintf("sa-%06d", i))
		} else {
			id = opaque(fmt.Sprintf("sec-%06d", i))
		}
		id.Labels["app"] = group(i)
		id.Labels["tier"] = []string{"web", "batch", "data"}[i%3]
		id.Created = ref.Add(-time.Duration(i%400) * day)
		if i%10 == 0 { // recorded by an earlier evaluation
			id.Recorded.State = nhi.StateOwned
		}
		s.Identities = append(s.Identities, id)
	}

	for k := range benchOwnerships {
		target := k
		if k%50 == 49 {
			target = k - 1
		}
		opts := []ownershipOpt{ownershipCreatedAt(ownershipCreated.Add(time.Duration(k) * time.Minute))}
		switch {
		case k%2 == 0:
			for i := target * benchGroup; i < (target+1)*benchGroup; i++ {
				opts = append(opts, covers(s.Identities[i].Ref()))
			}
		case k%100 == 1:
			opts = append(opts, selects(nhi.IdentitySelector{MatchExpressions: []metav1.LabelSelectorRequirement{{
				Key: "app", Operator: metav1.LabelSelectorOpIn, Values: []string{group(target * benchGroup)},
			}}}))
		case k%10 == 3:
			opts = append(opts, selects(nhi.IdentitySelector{Kinds: []nhi.IdentityKind{nhi.KindSecret},
				MatchLabels: map[string]string{"app": group(target * benchGroup)}}))
		default:
			opts = append(opts, selects(nhi.IdentitySelector{MatchLabels: map[string]string{"app": group(target * benchGroup)}}))
		}
		if k%7 == 0 {
			opts = append(opts, expires(ref.Add(-day)))
		}
		if k%11 == 0 {
			opts = append(opts, unapproved())
		}
		if k%5 == 0 {
			opts = append(opts, reviewEvery("720h"))
		}
		if k%3 == 0 {
			opts = append(opts, rotateEvery("2160h"))
		}
		if k%13 == 0 {
			opts = append(opts, contacts(bob))
		}
		s.Ownerships = append(s.Ownerships, newOwnership(fmt.Sprintf("own-%04d", k), opts...))
	}

	for k := range 20 {
		x := newException(fmt.Sprintf("x-%02d", k), findings(nhi.FindingExpired, nhi.FindingRotationOverdue),
			ref.Add(-day), ref.Add(30*day))
		x.Spec.Selector = &nhi.IdentitySelector{MatchLabels: map[string]string{"app": group(k * 7 * benchGroup)}}
		s.Exceptions = append(s.Exceptions, x)
	}
	for k := range 50 {
		decision := nhi.DecisionRecertify
		if k%10 == 9 {
			decision = nhi.DecisionRevoke
		}
		s.Reviews = append(s.Reviews, newReview(fmt.Sprintf("r-%02d", k), fmt.Sprintf("own-%04d", k*20), carol,
			decision, ref.Add(-time.Duration(k)*time.Hour)))
	}
	return s
}

func BenchmarkEvaluate100kIdentities1kOwnerships(b *testing.B) {
	s := benchSnapshot()
	if len(s.Identities) != benchIdentities || len(s.Ownerships) != benchOwnerships {
		b.Fatalf("fixture has %d identities and %d ownerships", len(s.Identities), len(s.Ownerships))
	}
	// Sanity check outside the timed loop: the fixture exercises the
	// interesting paths.
	states := map[nhi.IdentityState]int{}
	for _, r := range Evaluate(s).Identities {
		states[r.State]++
	}
	for _, st := range []nhi.IdentityState{nhi.StateOwned, nhi.StateUnowned, nhi.StateExpired, nhi.StateUnapproved,
		nhi.StateReviewOverdue, nhi.StateRotationOverdue, nhi.StateOwnerDeparted, nhi.StateExcepted} {
		if states[st] == 0 {
			b.Fatalf("fixture produces no %s identity: %v", st, states)
		}
	}

	b.ReportAllocs()
	var memBefore runtime.MemStats
	runtime.ReadMemStats(&memBefore)
	cpuBefore := processCPU(b)
	iterations := 0
	for b.Loop() {
		Evaluate(s)
		iterations++
	}
	cpu := processCPU(b) - cpuBefore
	var memAfter runtime.MemStats
	runtime.ReadMemStats(&memAfter)
	b.ReportMetric(float64(iterations*benchIdentities)/b.Elapsed().Seconds(), "identities/s")
	// The process's CPU time per evaluation, garbage collection included:
	// unlike ns/op, it does not grow when other processes share the cores.
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(iterations), "cpu-ns/op")
	b.ReportMetric(float64(memAfter.Mallocs-memBefore.Mallocs)/float64(iterations*benchIdentities), "allocs/identity")
}

// processCPU is the user and system CPU time the process has used.
func processCPU(b *testing.B) time.Duration {
	var usage syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usage); err != nil {
		b.Fatal(err)
	}
	return time.Duration(usage.Utime.Nano() + usage.Stime.Nano())
}
