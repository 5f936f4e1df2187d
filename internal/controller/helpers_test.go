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
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/governance"
)

// deadlineSlack is how late after a deadline Steward must have acted.
const deadlineSlack = 2 * time.Second

// scenario is one namespace governed by its own policy.
type scenario struct {
	namespace string
	policy    *nhi.OwnershipPolicy
}

// newScenario creates a namespace and a policy that governs only it.
func newScenario(mutate ...func(*nhi.OwnershipPolicySpec)) *scenario {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "gov-"}}
	Expect(k8sClient.Create(ctx, ns)).To(Succeed())
	ns.Labels = map[string]string{"steward.dev/test": ns.Name}
	Expect(k8sClient.Update(ctx, ns)).To(Succeed())

	policy := &nhi.OwnershipPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: ns.Name},
		Spec: nhi.OwnershipPolicySpec{
			NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"steward.dev/test": ns.Name}},
			Rules: []nhi.PolicyRule{
				{Finding: nhi.FindingUnowned, Action: nhi.ActionFlag},
				{Finding: nhi.FindingUnapproved, Action: nhi.ActionFlag},
				{Finding: nhi.FindingExpired, Action: nhi.ActionFlag},
				{Finding: nhi.FindingReviewOverdue, Action: nhi.ActionFlag},
				{Finding: nhi.FindingRotationOverdue, Action: nhi.ActionFlag},
			},
		},
	}
	for _, m := range mutate {
		m(&policy.Spec)
	}
	Expect(k8sClient.Create(ctx, policy)).To(Succeed())
	DeferCleanup(func() {
		Expect(client.IgnoreNotFound(k8sClient.Delete(ctx, policy))).To(Succeed())
	})
	return &scenario{namespace: ns.Name, policy: policy}
}

func (s *scenario) serviceAccount(name string) *corev1.ServiceAccount {
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: s.namespace}}
	Expect(k8sClient.Create(ctx, sa)).To(Succeed())
	return sa
}

func (s *scenario) secret(name string, secretType corev1.SecretType, labels ...string) {
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: s.namespace, Labels: pairs(labels)},
		Type:       secretType,
		StringData: map[string]string{"key": "not-a-real-credential"},
	}
	switch secretType {
	case corev1.SecretTypeDockerConfigJson:
		secret.StringData = map[string]string{".dockerconfigjson": `{"auths":{}}`}
	case corev1.SecretTypeBasicAuth:
		secret.StringData = map[string]string{"username": "app", "password": "not-a-real-password"}
	}
	Expect(k8sClient.Create(ctx, secret)).To(Succeed())
}

func pairs(kv []string) map[string]string {
	if len(kv) == 0 {
		return nil
	}
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// ownership creates an approved ownership of named identities, expiring in a
// year unless mutated.
func (s *scenario) ownership(name string, identities []nhi.IdentityReference,
	mutate ...func(*nhi.IdentityOwnership)) *nhi.IdentityOwnership {
	o := &nhi.IdentityOwnership{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: s.namespace},
		Spec: nhi.IdentityOwnershipSpec{
			Identities: identities,
			Owner:      nhi.Owner{Team: "payments", Contacts: []nhi.Person{"alice@example.com"}},
			Purpose:    "Charges cards for checkout",
			Approval: &nhi.Approval{
				ApprovedBy: "carol@example.com", ApprovedAt: metav1.NewTime(time.Now().Add(-time.Hour).Truncate(time.Second)),
				Reference: "SEC-1",
			},
			ExpiresAt: metav1.NewTime(time.Now().Add(365 * 24 * time.Hour).Truncate(time.Second)),
		},
	}
	for _, m := range mutate {
		m(o)
	}
	Expect(k8sClient.Create(ctx, o)).To(Succeed())
	return o
}

func sa(name string) nhi.IdentityReference {
	return nhi.IdentityReference{Kind: nhi.KindServiceAccount, Name: name}
}

func secretRef(name string) nhi.IdentityReference {
	return nhi.IdentityReference{Kind: nhi.KindSecret, Name: name}
}

// metadataOf reads an identity's current labels and annotations.
func metadataOf(namespace string, ref nhi.IdentityReference) func() metav1.ObjectMeta {
	return func() metav1.ObjectMeta {
		obj := &metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: string(ref.Kind)}}
		if err := k8sClient.Get(ctx, client.ObjectKey{Namespace: namespace, Name: ref.Name}, obj); err != nil {
			return metav1.ObjectMeta{}
		}
		return obj.ObjectMeta
	}
}

// revocationRecord is the ledger's record of an identity's revocation: the
// record Steward acts on, in its own namespace.
func revocationRecord(namespace string, ref nhi.IdentityReference) func() *nhi.RevocationRecord {
	return func() *nhi.RevocationRecord {
		uid := metadataOf(namespace, ref)().UID
		ledger := &nhi.Ledger{}
		key := client.ObjectKey{Namespace: stewardNamespace, Name: nhi.LedgerPrefixNamespace + namespace}
		if uid == "" || k8sClient.Get(ctx, key, ledger) != nil {
			return nil
		}
		if record, found := ledger.Status.Revocations[string(uid)]; found {
			return &record
		}
		return nil
	}
}

func (s *scenario) findingLabel(ref nhi.IdentityReference) func() string {
	return func() string { return metadataOf(s.namespace, ref)().Labels[governance.LabelFinding] }
}

func (s *scenario) stateOf(ref nhi.IdentityReference) func() string {
	return func() string { return metadataOf(s.namespace, ref)().Annotations[governance.AnnotationState] }
}

func (s *scenario) get(obj client.Object) func() client.Object {
	return func() client.Object {
		_ = k8sClient.Get(ctx, client.ObjectKeyFromObject(obj), obj)
		return obj
	}
}

// conditionOf reads a condition of a Steward object.
func conditionOf(obj client.Object, conditionType string) func() *metav1.Condition {
	return func() *metav1.Condition {
		if err := k8sClient.Get(ctx, client.ObjectKeyFromObject(obj), obj); err != nil {
			return nil
		}
		var conditions []metav1.Condition
		switch o := obj.(type) {
		case *nhi.IdentityOwnership:
			conditions = o.Status.Conditions
		case *nhi.OwnershipPolicy:
			conditions = o.Status.Conditions
		case *nhi.OwnershipException:
			conditions = o.Status.Conditions
		case *nhi.OwnershipReview:
			conditions = o.Status.Conditions
		}
		return meta.FindStatusCondition(conditions, conditionType)
	}
}

func haveCondition(status metav1.ConditionStatus, reason string) OmegaMatcher {
	return And(Not(BeNil()), HaveField("Status", status), HaveField("Reason", reason))
}

// eventsFor lists the Events about one identity, as "Type Reason: note".
func (s *scenario) eventsFor(name string) func() []string {
	return func() []string {
		list := &eventsv1.EventList{}
		if err := k8sClient.List(ctx, list, client.InNamespace(s.namespace)); err != nil {
			return nil
		}
		var out []string
		for _, e := range list.Items {
			if e.Regarding.Name == name {
				out = append(out, fmt.Sprintf("%s %s: %s", e.Type, e.Reason, e.Note))
			}
		}
		return out
	}
}

// decisionsAbout returns the decision-log lines about one identity.
func decisionsAbout(namespace, name string) []string {
	var out []string
	for line := range strings.SplitSeq(decisions.String(), "\n") {
		if strings.Contains(line, `"namespace":"`+namespace+`"`) && strings.Contains(line, `"name":"`+name+`"`) {
			out = append(out, line)
		}
	}
	return out
}

// observeBy waits for a condition and checks it held no later than
// deadline + deadlineSlack.
func observeBy(deadline time.Time, poll func() string, want string) {
	GinkgoHelper()
	Eventually(poll).WithTimeout(time.Until(deadline) + deadlineSlack + 5*time.Second).
		WithPolling(50 * time.Millisecond).Should(Equal(want))
	Expect(time.Since(deadline)).To(BeNumerically("<", deadlineSlack),
		"observed %q %s after its deadline", want, time.Since(deadline))
}

var _ = ptr.To[int32]
