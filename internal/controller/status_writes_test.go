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

package controller_test

import (
	"fmt"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

var _ = Describe("Status under a burst of new identities", func() {
	It("writes an ownership's rows and a policy's totals at most once per batch period, the burst's last when the period ends, and no history for identities created owned", func() {
		s := newScenario()
		s.secret("key-00", corev1.SecretTypeOpaque, "app", "burst")
		o := s.ownership("burst", nil, func(o *nhi.IdentityOwnership) {
			o.Spec.Selector = &nhi.IdentitySelector{Kinds: []nhi.IdentityKind{nhi.KindSecret},
				MatchLabels: map[string]string{"app": "burst"}}
		})
		identityCount := func() int32 { s.get(o)(); return o.Status.IdentityCount }
		Eventually(identityCount).Should(BeEquivalentTo(1))
		policyTotal := func() int32 { s.get(s.policy)(); return s.policy.Status.TotalIdentities }
		Eventually(policyTotal).Should(BeEquivalentTo(1))

		By("counting the ownership's writes with a watch")
		watcher, err := client.NewWithWatch(cfg, client.Options{Scheme: scheme.Scheme})
		Expect(err).NotTo(HaveOccurred())
		w, err := watcher.Watch(ctx, &nhi.IdentityOwnershipList{}, client.InNamespace(s.namespace),
			client.MatchingFields{"metadata.name": o.Name})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(w.Stop)
		pw, err := watcher.Watch(ctx, &nhi.OwnershipPolicyList{}, client.MatchingFields{"metadata.name": s.policy.Name})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(pw.Stop)
		var writes, policyWrites atomic.Int32
		count := func(events <-chan watch.Event, n *atomic.Int32) {
			for e := range events {
				if e.Type == watch.Modified {
					n.Add(1)
				}
			}
		}
		go count(w.ResultChan(), &writes)
		go count(pw.ResultChan(), &policyWrites)

		By("creating ten covered Secrets over two seconds, each its own pass")
		const burst = 10
		var burstNames []string
		started := time.Now()
		for i := 1; i <= burst; i++ {
			name := fmt.Sprintf("key-%02d", i)
			burstNames = append(burstNames, name)
			s.secret(name, corev1.SecretTypeOpaque, "app", "burst")
			Eventually(s.stateOf(secretRef(name))).Should(Equal("Owned"))
			time.Sleep(200 * time.Millisecond) // the burst's pace: not a wait for Steward
		}

		By("the last rows are written when the period ends, with no event to prompt it")
		Eventually(identityCount).Should(BeEquivalentTo(burst + 1))
		Eventually(policyTotal).Should(BeEquivalentTo(burst + 1))
		// One write when the burst starts, one per period it lasted and the
		// last when the period ends; unbatched, each of the passes writes.
		batched := 2 + int32(time.Since(started)/testStatusBatchPeriod)
		Expect(batched).To(BeNumerically("<", burst), "the burst was too slow to tell batched writes from unbatched")
		Consistently(func() []int32 { return []int32{writes.Load(), policyWrites.Load()} }, "3s").Should(
			HaveEach(BeNumerically("<=", batched)),
			"each of %d passes rewrote the ownership's rows (first figure) or the policy's totals (second)", burst)

		By("identities created owned earn no history; the decision log records them")
		// key-00 may have been seen Unowned before the ownership existed,
		// and then became Owned: that is a transition, and history.
		createdOwned := HaveField("Name", BeElementOf(burstNames))
		Expect(o.Status.History).NotTo(ContainElement(createdOwned))
		Expect(decisionsAbout(s.namespace, "key-05")).To(ContainElement(ContainSubstring(`"to":"Owned"`)))

		By("an identity that becomes owned is history, written at once")
		s.secret("late", corev1.SecretTypeOpaque)
		Eventually(s.findingLabel(secretRef("late"))).Should(Equal("unowned"))
		late := &corev1.Secret{}
		Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: s.namespace, Name: "late"}, late)).To(Succeed())
		late.Labels = map[string]string{"app": "burst"}
		Expect(k8sClient.Update(ctx, late)).To(Succeed())
		Eventually(s.stateOf(secretRef("late"))).Should(Equal("Owned"))
		Eventually(func() []nhi.HistoryEntry { s.get(o)(); return o.Status.History }).Should(And(
			ContainElement(And(HaveField("Type", "Transition"), HaveField("Name", "late"), HaveField("Reason", "Owned"))),
			Not(ContainElement(createdOwned))))
	})
})
