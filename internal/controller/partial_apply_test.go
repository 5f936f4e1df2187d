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
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/controller"
	"github.com/nhi-steward/steward/internal/governance"
)

var _ = Describe("A pass that cannot apply everything", func() {
	It("records what it decided when one identity refuses its patch, and repeats nothing", func() {
		s := newScenario()
		probe := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "probe-"}}
		Expect(k8sClient.Create(ctx, probe)).To(Succeed())
		// An admission policy elsewhere in the cluster refuses Steward's
		// label on one ServiceAccount (and on its twin in an ungoverned
		// namespace, to see when the API server enforces it).
		refuseLabel(s.namespace, probe.Name, "refuses")
		probeSA := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "refuses", Namespace: probe.Name}}
		Expect(k8sClient.Create(ctx, probeSA)).To(Succeed())
		Eventually(func() string {
			obj := &corev1.ServiceAccount{}
			Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(probeSA), obj)).To(Succeed())
			obj.Labels = map[string]string{governance.LabelFinding: obj.ResourceVersion}
			if err := k8sClient.Update(ctx, obj); err != nil {
				return err.Error()
			}
			return ""
		}).Should(ContainSubstring("refused for this test"))

		s.serviceAccount("first")
		s.serviceAccount("second")
		s.serviceAccount("refuses")

		Eventually(s.findingLabel(sa("first"))).Should(Equal("unowned"))
		Eventually(s.findingLabel(sa("second"))).Should(Equal("unowned"))
		// The pass failed, yet the ledger holds every decision, and the
		// evidence of each was recorded once.
		Eventually(func() int { return countLines(decisionsAbout(s.namespace, "first"), `"type":"transition"`) }).
			Should(Equal(1))
		Eventually(ledgerEntryOf(s.namespace, sa("refuses"))).Should(HavePrefix(string(nhi.StateUnowned) + "@"))
		recordedSince := strings.Split(ledgerEntryOf(s.namespace, sa("refuses"))(), "@")[1]
		first := metadataOf(s.namespace, sa("first"))()
		// The failed pass is retried with backoff: no retry patches the
		// others again, or decides their transitions again.
		Consistently(func() string { return metadataOf(s.namespace, sa("first"))().ResourceVersion }).
			WithTimeout(3 * time.Second).Should(Equal(first.ResourceVersion))
		Expect(countLines(decisionsAbout(s.namespace, "first"), `"type":"transition"`)).To(Equal(1))
		Expect(s.findingLabel(sa("refuses"))()).To(BeEmpty())

		// Once the API server takes the patch, the identity carries the
		// clock the ledger recorded in the failed pass.
		Expect(k8sClient.Delete(ctx, &admissionregistrationv1.ValidatingAdmissionPolicyBinding{
			ObjectMeta: metav1.ObjectMeta{Name: "refuse-" + s.namespace}})).To(Succeed())
		Eventually(s.findingLabel(sa("refuses"))).WithTimeout(30 * time.Second).Should(Equal("unowned"))
		refused := metadataOf(s.namespace, sa("refuses"))()
		since, err := time.Parse(time.RFC3339, refused.Annotations[governance.AnnotationFindingSince])
		Expect(err).NotTo(HaveOccurred())
		Expect(strconv.FormatInt(since.Unix(), 10)).To(Equal(recordedSince))
		Expect(countLines(decisionsAbout(s.namespace, "refuses"), `"type":"transition"`)).To(Equal(1))
		Expect(countLines(decisionsAbout(s.namespace, "first"), `"type":"transition"`)).To(Equal(1))
	})

	It("folds the Events of one reason past the per-evaluation limit into a summary about the namespace", func() {
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "gov-"}}
		Expect(k8sClient.Create(ctx, ns)).To(Succeed())
		// The identities exist before the namespace is governed, so that its
		// first evaluation finds them all Unowned at once.
		const count = controller.DefaultEventsPerReason + 3
		for i := range count {
			Expect(k8sClient.Create(ctx, &corev1.ServiceAccount{
				ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("bot-%03d", i), Namespace: ns.Name}})).To(Succeed())
		}
		Eventually(func() int {
			list := &corev1.ServiceAccountList{}
			Expect(k8sClient.List(ctx, list, client.InNamespace(ns.Name))).To(Succeed())
			return len(list.Items)
		}).Should(Equal(count))
		ns.Labels = map[string]string{"steward.dev/test": ns.Name}
		Expect(k8sClient.Update(ctx, ns)).To(Succeed())
		policy := &nhi.OwnershipPolicy{
			ObjectMeta: metav1.ObjectMeta{Name: ns.Name},
			Spec: nhi.OwnershipPolicySpec{
				NamespaceSelector: &metav1.LabelSelector{MatchLabels: ns.Labels},
				Rules:             []nhi.PolicyRule{{Finding: nhi.FindingUnowned, Action: nhi.ActionFlag}},
			},
		}
		Expect(k8sClient.Create(ctx, policy)).To(Succeed())
		DeferCleanup(func() { Expect(k8sClient.Delete(ctx, policy)).To(Succeed()) })

		folded := regexp.MustCompile(`^(\d+) more identities in namespace ` + ns.Name + ` had a Unowned Event`)
		// Every identity is accounted for: an Event of its own, or counted
		// in a summary, and at least one summary exists.
		Eventually(func(g Gomega) {
			own := &eventsv1.EventList{}
			g.Expect(k8sClient.List(ctx, own, client.InNamespace(ns.Name))).To(Succeed())
			sent := 0
			for _, e := range own.Items {
				if e.Reason == string(nhi.StateUnowned) && e.Regarding.Kind == "ServiceAccount" {
					sent++
				}
			}
			summaries := &eventsv1.EventList{}
			g.Expect(k8sClient.List(ctx, summaries, client.InNamespace(metav1.NamespaceDefault))).To(Succeed())
			inSummaries, found := 0, 0
			for _, e := range summaries.Items {
				m := folded.FindStringSubmatch(e.Note)
				if e.Reason != controller.EventReasonEventsFolded || e.Regarding.Kind != "Namespace" ||
					e.Regarding.Name != ns.Name || m == nil {
					continue
				}
				n, err := strconv.Atoi(m[1])
				g.Expect(err).NotTo(HaveOccurred())
				g.Expect(e.Type).To(Equal(corev1.EventTypeWarning))
				// Only the count leaves the namespace: default's Events
				// are read by others, so no identity is named there.
				g.Expect(e.Note).NotTo(ContainSubstring("bot-"))
				inSummaries += n
				found++
			}
			g.Expect(found).To(BeNumerically(">=", 1), "no EventsFolded summary")
			g.Expect(sent).To(BeNumerically("<=", controller.DefaultEventsPerReason))
			g.Expect(sent+inSummaries).To(Equal(count), "%d sent one by one, %d in summaries", sent, inSummaries)
		}).WithTimeout(30 * time.Second).Should(Succeed())
		// The decision log still has a line for every identity.
		unowned := 0
		for line := range strings.SplitSeq(decisions.String(), "\n") {
			if strings.Contains(line, `"namespace":"`+ns.Name+`"`) && strings.Contains(line, `"to":"Unowned"`) {
				unowned++
			}
		}
		Expect(unowned).To(Equal(count))
	})
})

// refuseLabel installs an admission policy that refuses a
// steward.dev/finding label on the ServiceAccounts called name in the two
// namespaces; deleting the binding "refuse-<namespace>" lifts it.
func refuseLabel(namespace, probeNamespace, name string) {
	GinkgoHelper()
	denyUpdates("refuse-"+namespace, "", "serviceaccounts",
		fmt.Sprintf("!(object.metadata.namespace in ['%s', '%s']) || object.metadata.name != '%s' || "+
			"!has(object.metadata.labels) || !('%s' in object.metadata.labels)",
			namespace, probeNamespace, name, governance.LabelFinding),
		"refused for this test")
}

// denyUpdates installs a ValidatingAdmissionPolicy, and its binding, both
// called name: updates of the resource for which the CEL expression is
// false are refused with message. Both are deleted after the spec.
func denyUpdates(name, group, resource, expression, message string) {
	GinkgoHelper()
	policy := &admissionregistrationv1.ValidatingAdmissionPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: admissionregistrationv1.ValidatingAdmissionPolicySpec{
			FailurePolicy: ptr.To(admissionregistrationv1.Fail),
			MatchConstraints: &admissionregistrationv1.MatchResources{
				ResourceRules: []admissionregistrationv1.NamedRuleWithOperations{{
					RuleWithOperations: admissionregistrationv1.RuleWithOperations{
						Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Update},
						Rule: admissionregistrationv1.Rule{APIGroups: []string{group},
							APIVersions: []string{"v1"}, Resources: []string{resource}},
					},
				}},
			},
			Validations: []admissionregistrationv1.Validation{{Expression: expression, Message: message}},
		},
	}
	binding := &admissionregistrationv1.ValidatingAdmissionPolicyBinding{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: admissionregistrationv1.ValidatingAdmissionPolicyBindingSpec{PolicyName: name,
			ValidationActions: []admissionregistrationv1.ValidationAction{admissionregistrationv1.Deny}},
	}
	for _, obj := range []client.Object{policy, binding} {
		Expect(k8sClient.Create(ctx, obj)).To(Succeed())
		DeferCleanup(func() { Expect(client.IgnoreNotFound(k8sClient.Delete(ctx, obj))).To(Succeed()) })
	}
}

// ledgerEntryOf is an identity's entry in its namespace's ledger or one of
// its shards: the record Steward acts on.
func ledgerEntryOf(namespace string, ref nhi.IdentityReference) func() string {
	return func() string {
		uid := metadataOf(namespace, ref)().UID
		if uid == "" {
			return ""
		}
		for _, ledger := range ledgersOf(namespace) {
			if entry, ok := ledger.Status.Identities[string(uid)]; ok {
				return entry
			}
		}
		return ""
	}
}

// ledgersOf is a namespace's ledger and its shards, as the API server
// holds them; none when they cannot be listed.
func ledgersOf(namespace string) []nhi.Ledger {
	list := &nhi.LedgerList{}
	if k8sClient.List(ctx, list, client.InNamespace(stewardNamespace)) != nil {
		return nil
	}
	name := nhi.LedgerPrefixNamespace + namespace
	return slices.DeleteFunc(list.Items, func(ledger nhi.Ledger) bool {
		return ledger.Name != name && !strings.HasPrefix(ledger.Name, name+".")
	})
}
