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
	"os"
	"path/filepath"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	dto "github.com/prometheus/client_model/go"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
	"sigs.k8s.io/yaml"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/evidence"
)

// metricValue reads one sample of a metric from the manager's registry, 0
// when there is none.
func metricValue(name string, labels map[string]string) float64 {
	families, err := metrics.Registry.Gather()
	Expect(err).NotTo(HaveOccurred())
	for _, family := range families {
		if family.GetName() != name {
			continue
		}
		for _, m := range family.GetMetric() {
			if matchesLabels(m, labels) {
				switch {
				case m.Gauge != nil:
					return m.Gauge.GetValue()
				case m.Counter != nil:
					return m.Counter.GetValue()
				case m.Histogram != nil:
					return float64(m.Histogram.GetSampleCount())
				}
			}
		}
	}
	return 0
}

func matchesLabels(m *dto.Metric, want map[string]string) bool {
	found := 0
	for _, l := range m.GetLabel() {
		if v, ok := want[l.GetName()]; ok && v == l.GetValue() {
			found++
		}
	}
	return found == len(want)
}

var _ = Describe("Evidence for auditors and tools", func() {
	It("is kstatus-conformant: Current when Ready, InProgress while a generation is unobserved", func() {
		s := newScenario()
		s.serviceAccount("api")
		o := s.ownership("api", []nhi.IdentityReference{sa("api")})
		Eventually(conditionOf(o, nhi.ConditionReady)).Should(haveCondition(metav1.ConditionTrue, nhi.ReasonReconciled))

		compute := func(obj client.Object) status.Status {
			raw, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
			Expect(err).NotTo(HaveOccurred())
			result, err := status.Compute(&unstructured.Unstructured{Object: raw})
			Expect(err).NotTo(HaveOccurred())
			return result.Status
		}
		Eventually(func() status.Status { return compute(s.get(o)()) }).Should(Equal(status.CurrentStatus))

		// Steward may still be writing the status: update the latest version.
		Eventually(func() error {
			if err := k8sClient.Get(ctx, client.ObjectKeyFromObject(o), o); err != nil {
				return err
			}
			o.Spec.Purpose = "Charges cards and issues refunds"
			return k8sClient.Update(ctx, o)
		}).Should(Succeed())
		Expect(o.Generation).To(BeEquivalentTo(2))
		Expect(compute(o)).To(Equal(status.InProgressStatus), "a new generation is in progress until observed")
		Eventually(func() status.Status { return compute(s.get(o)()) }).Should(Equal(status.CurrentStatus))
		Expect(o.Status.ObservedGeneration).To(BeEquivalentTo(2))
	})

	It("exports identities by namespace, kind and state, actions and deadline latency as metrics", func() {
		s := newScenario()
		s.serviceAccount("orphan")
		s.serviceAccount("batch")
		expiresAt := time.Now().Add(2 * time.Second).Truncate(time.Second).Add(time.Second)
		s.ownership("batch", []nhi.IdentityReference{sa("batch")}, func(o *nhi.IdentityOwnership) {
			o.Spec.ExpiresAt = metav1.NewTime(expiresAt)
		})
		before := metricValue("steward_deadline_action_latency_seconds", map[string]string{"action": "transition"})

		Eventually(func() float64 {
			v := metricValue("steward_identities", map[string]string{"namespace": s.namespace, "kind": "ServiceAccount", "state": "Unowned"})
			return v
		}).Should(Equal(1.0))
		observeBy(expiresAt, s.findingLabel(sa("batch")), "expired")
		Eventually(func() float64 {
			v := metricValue("steward_identities", map[string]string{"namespace": s.namespace, "kind": "ServiceAccount", "state": "Expired"})
			return v
		}).Should(Equal(1.0))
		flags := metricValue("steward_actions_total", map[string]string{"action": "Flag", "kind": "ServiceAccount"})
		Expect(flags).To(BeNumerically(">=", 2))
		after := metricValue("steward_deadline_action_latency_seconds", map[string]string{"action": "transition"})
		Expect(after).To(BeNumerically(">", before), "the expiry's latency was observed")
	})

	It("writes no PolicyReport while its CRD is absent, and one per governed namespace once it is installed", func() {
		s := newScenario()
		s.serviceAccount("api")
		s.serviceAccount("orphan")
		s.ownership("api", []nhi.IdentityReference{sa("api")})
		Eventually(s.findingLabel(sa("orphan"))).Should(Equal("unowned"))
		Eventually(s.stateOf(sa("api"))).Should(Equal("Owned"))

		By("installing the PolicyReport CRD")
		data, err := os.ReadFile(filepath.Join("..", "..", "config", "policyreport", "wgpolicyk8s.io_policyreports.yaml"))
		Expect(err).NotTo(HaveOccurred())
		crd := &apiextensionsv1.CustomResourceDefinition{}
		Expect(yaml.Unmarshal(data, crd)).To(Succeed())
		Expect(client.IgnoreAlreadyExists(k8sClient.Create(ctx, crd))).To(Succeed())

		report := &unstructured.Unstructured{}
		report.SetGroupVersionKind(evidence.PolicyReportGVK)
		Eventually(func() error {
			return k8sClient.Get(ctx, client.ObjectKey{Namespace: s.namespace, Name: evidence.PolicyReportName}, report)
		}).WithTimeout(30 * time.Second).Should(Succeed())
		Eventually(func() any {
			Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(report), report)).To(Succeed())
			return report.Object["summary"]
		}).Should(And(HaveKeyWithValue("pass", BeEquivalentTo(1)), HaveKeyWithValue("fail", BeEquivalentTo(1))))
		results, _, _ := unstructured.NestedSlice(report.Object, "results")
		Expect(results).To(ContainElement(And(
			HaveKeyWithValue("result", "fail"), HaveKeyWithValue("rule", "Unowned"), HaveKeyWithValue("policy", s.policy.Name),
			HaveKeyWithValue("properties", HaveKeyWithValue("controls", ContainSubstring("SOC 2 CC6.1"))))))

		By("keeping it current")
		s.ownership("orphan", []nhi.IdentityReference{sa("orphan")})
		Eventually(func() any {
			Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(report), report)).To(Succeed())
			return report.Object["summary"]
		}).Should(HaveKeyWithValue("pass", BeEquivalentTo(2)))
	})
})
