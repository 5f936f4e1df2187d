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
	"maps"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/governance"
)

// The envtest API server runs none of Steward's admission policies: these
// specs show that the controller alone is safe against a tenant forging
// Steward's keys on the identities it can write (docs/security.md, T1–T4).
var _ = Describe("Trust: forged keys on identities", func() {
	// forged is every revocation record a tenant could write: a record that
	// names a ClusterRoleBinding granting cluster-admin to the tenant and
	// to every authenticated user, and a revocation long past.
	forged := func(namespace string, extra map[string]string) map[string]string {
		annotations := map[string]string{
			governance.AnnotationRevokedAt: "2026-01-01T00:00:00Z",
			"steward.dev/revoking":         "2026-01-01T00:00:00Z",
			governance.AnnotationRemovedBindings: `[{"kind":"ClusterRoleBinding","name":"` + namespace + `-grant",` +
				`"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"cluster-admin"},` +
				`"subject":{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"tenant@example.com"}},` +
				`{"kind":"ClusterRoleBinding","name":"` + namespace + `-grant",` +
				`"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"cluster-admin"},` +
				`"subject":{"kind":"Group","apiGroup":"rbac.authorization.k8s.io","name":"system:authenticated"}}]`,
		}
		maps.Copy(annotations, extra)
		return annotations
	}
	grantTarget := func(namespace string) *rbacv1.ClusterRoleBinding {
		crb := &rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: namespace + "-grant"},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "cluster-admin"},
			Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "admin@example.com"}},
		}
		Expect(k8sClient.Create(ctx, crb)).To(Succeed())
		DeferCleanup(func() { Expect(client.IgnoreNotFound(k8sClient.Delete(ctx, crb))).To(Succeed()) })
		return crb
	}

	for _, enforcement := range []nhi.EnforcementMode{nhi.EnforcementDryRun, nhi.EnforcementEnforce} {
		It("grants nothing from a forged removed-bindings record, and deletes nothing ("+string(enforcement)+")", func() {
			s := newScenario(func(spec *nhi.OwnershipPolicySpec) { spec.Enforcement = enforcement })
			crb := grantTarget(s.namespace)
			// The forged record on a Secret an approved ownership covers: a
			// restore would follow if Steward trusted it.
			secret := &corev1.Secret{
				ObjectMeta: metav1.ObjectMeta{Name: "bait", Namespace: s.namespace, Annotations: forged(s.namespace, nil)},
				Type:       corev1.SecretTypeOpaque,
			}
			Expect(k8sClient.Create(ctx, secret)).To(Succeed())
			account := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "bait-sa", Namespace: s.namespace,
				Annotations: forged(s.namespace, nil)}}
			Expect(k8sClient.Create(ctx, account)).To(Succeed())
			s.ownership("bait", []nhi.IdentityReference{secretRef("bait"), sa("bait-sa")})
			// And on an unowned Secret, which a trusted revoked-at would delete.
			unowned := &corev1.Secret{
				ObjectMeta: metav1.ObjectMeta{Name: "unowned", Namespace: s.namespace, Annotations: forged(s.namespace, nil)},
				Type:       corev1.SecretTypeOpaque,
			}
			Expect(k8sClient.Create(ctx, unowned)).To(Succeed())

			Eventually(s.stateOf(secretRef("bait"))).Should(Equal("Owned"))
			Eventually(s.stateOf(sa("bait-sa"))).Should(Equal("Owned"))
			Eventually(func() map[string]string { return metadataOf(s.namespace, secretRef("bait"))().Annotations }).Should(And(
				Not(HaveKey(governance.AnnotationRevokedAt)), Not(HaveKey(governance.AnnotationRemovedBindings)),
				Not(HaveKey("steward.dev/revoking"))), "Steward's copies replace the forged ones")
			Consistently(subjectsOf(crb)).WithTimeout(2*time.Second).Should(Equal([]string{"User/admin@example.com"}),
				"nothing was granted")
			Expect(countLines(decisionsAbout(s.namespace, "bait"), `"action":"Restored"`)).To(BeZero())
			if enforcement == nhi.EnforcementDryRun {
				Eventually(s.stateOf(secretRef("unowned"))).Should(Equal("Unowned"))
				Consistently(func() error {
					return k8sClient.Get(ctx, client.ObjectKeyFromObject(unowned), &corev1.Secret{})
				}).WithTimeout(2*time.Second).Should(Succeed(), "DryRun deletes nothing")
			}
		})
	}

	It("does not let a forged state and finding-since postpone a revocation", func() {
		s := newScenario(func(spec *nhi.OwnershipPolicySpec) {
			spec.Enforcement = nhi.EnforcementEnforce
			spec.Revocation.ServiceAccountStrategies = []nhi.ServiceAccountRevocationStrategy{nhi.RevokeDelete}
			spec.Rules = []nhi.PolicyRule{{Finding: nhi.FindingUnowned, Action: nhi.ActionRevoke,
				RevokeAfter: ptrDuration("3s")}}
		})
		for _, name := range []string{"honest", "forger"} {
			account := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: s.namespace}}
			if name == "forger" {
				account.Annotations = map[string]string{governance.AnnotationState: "Unowned",
					governance.AnnotationFindingSince: "2999-01-01T00:00:00Z"}
			}
			Expect(k8sClient.Create(ctx, account)).To(Succeed())
		}
		gone := func(name string) func() bool {
			return func() bool {
				return apierrors.IsNotFound(k8sClient.Get(ctx, client.ObjectKey{Namespace: s.namespace, Name: name},
					&corev1.ServiceAccount{}))
			}
		}
		Eventually(gone("honest")).WithTimeout(20 * time.Second).Should(BeTrue())
		Eventually(gone("forger")).WithTimeout(5*time.Second).Should(BeTrue(), "revoked on time, like the honest one")
	})

	It("removes User system:serviceaccount subjects too, and reports access through groups as residual", func() {
		s := newScenario(enforcing(nhi.RevokeRemoveBindings))
		user := rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName,
			Name: "system:serviceaccount:" + s.namespace + ":reporter"}
		binding := s.bindRole("as-user", "someone-else", user)
		group := s.bindAllAccounts(binding.RoleRef)
		s.serviceAccount("reporter")

		Eventually(s.findingLabel(sa("reporter"))).Should(Equal("revoked"))
		Eventually(subjectsOf(binding)).Should(Equal([]string{"ServiceAccount/someone-else"}))
		Expect(subjectsOf(group)()).To(HaveLen(1), "a group binding is never edited")
		record := revocationRecord(s.namespace, sa("reporter"))()
		Expect(record.ResidualAccess).To(ConsistOf(ContainSubstring("all-accounts (Role read-configmaps) through Group system:serviceaccounts:"+s.namespace)),
			"the API server's default bindings (discovery, basic-user) are not residual access")
		Eventually(s.eventsFor("reporter")).Should(ContainElement(And(ContainSubstring("Warning Revoked"),
			ContainSubstring("residual access through groups"))))

		By("restoring the account as a ServiceAccount subject of the binding it was removed from")
		s.ownership("reporting", []nhi.IdentityReference{sa("reporter")})
		Eventually(subjectsOf(binding)).Should(ConsistOf("ServiceAccount/someone-else", "ServiceAccount/reporter"))
	})

	It("forgets residual access in the record once no group reaches the account", func() {
		s := newScenario(enforcing(nhi.RevokeRemoveBindings))
		binding := s.bindRole("reader", "reporter")
		group := s.bindAllAccounts(binding.RoleRef)
		s.serviceAccount("reporter")
		Eventually(s.findingLabel(sa("reporter"))).Should(Equal("revoked"))
		residual := func() []string {
			if record := revocationRecord(s.namespace, sa("reporter"))(); record != nil {
				return record.ResidualAccess
			}
			return nil
		}
		Eventually(residual).Should(HaveLen(1))

		By("removing the group binding, then naming the account in a binding again")
		Expect(k8sClient.Delete(ctx, group)).To(Succeed())
		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(binding), binding)).To(Succeed())
		binding.Subjects = append(binding.Subjects, rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: "reporter",
			Namespace: s.namespace})
		Expect(k8sClient.Update(ctx, binding)).To(Succeed())
		Eventually(subjectsOf(binding)).Should(BeEmpty(), "removed again")
		Eventually(residual).Should(BeEmpty(), "the record no longer claims access through a group")
	})

	It("restores only to the very binding it removed the account from, not to a namesake", func() {
		s := newScenario(enforcing(nhi.RevokeRemoveBindings))
		binding := s.bindRole("reader", "reporter")
		s.serviceAccount("reporter")
		Eventually(subjectsOf(binding)).Should(BeEmpty())
		Eventually(s.findingLabel(sa("reporter"))).Should(Equal("revoked"))

		By("re-creating the binding under the same name: another object, however alike")
		Expect(k8sClient.Delete(ctx, binding)).To(Succeed())
		namesake := &rbacv1.RoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: "reader", Namespace: s.namespace},
			RoleRef:    binding.RoleRef,
			Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "other@example.com"}},
		}
		Expect(k8sClient.Create(ctx, namesake)).To(Succeed())
		s.ownership("reporting", []nhi.IdentityReference{sa("reporter")})
		Eventually(s.eventsFor("reporter")).Should(ContainElement(And(ContainSubstring("Normal Restored"),
			ContainSubstring("restored it to 0 of 1"))))
		Expect(subjectsOf(namesake)()).To(Equal([]string{"User/other@example.com"}))
	})
})

var _ = Describe("Trust: one namespace cannot spend a policy's whole budget", func() {
	It("stops a namespace at its share and still revokes in another", func() {
		s := newScenario(enforcing(nhi.RevokeRemoveBindings), func(spec *nhi.OwnershipPolicySpec) {
			spec.Revocation.MaxRevocationsPerHour = ptr.To[int32](4)
			spec.Revocation.MaxRevocationsPerNamespacePerHour = ptr.To[int32](2)
		})
		// The tenant floods its namespace with unowned accounts first.
		for _, name := range []string{"a", "b", "c", "d", "e"} {
			s.serviceAccount(name)
		}
		revokedIn := func(namespace string, names ...string) func() int {
			return func() int {
				n := 0
				for _, name := range names {
					if metadataOf(namespace, sa(name))().Labels[governance.LabelFinding] == "revoked" {
						n++
					}
				}
				return n
			}
		}
		Eventually(revokedIn(s.namespace, "a", "b", "c", "d", "e")).Should(Equal(2))
		Consistently(revokedIn(s.namespace, "a", "b", "c", "d", "e")).WithTimeout(2 * time.Second).Should(Equal(2))

		By("another namespace under the same policy still gets its revocation")
		other := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "gov-other-",
			Labels: map[string]string{"steward.dev/test": s.namespace}}}
		Expect(k8sClient.Create(ctx, other)).To(Succeed())
		Expect(k8sClient.Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "stray", Namespace: other.Name}})).To(Succeed())
		Eventually(revokedIn(other.Name, "stray")).Should(Equal(1))
		Eventually(func() int32 { s.get(s.policy)(); return s.policy.Status.RevocationsInWindow }).Should(BeEquivalentTo(3))
		Expect(conditionOf(s.policy, nhi.ConditionEnforcementHalted)()).To(
			haveCondition(metav1.ConditionFalse, nhi.ReasonWithinCap))
	})
})

func ptrDuration(d string) *nhi.Duration { v := nhi.Duration(d); return &v }

// bindAllAccounts binds the role to every ServiceAccount of the namespace
// through their group: access that removing one account cannot take away.
func (s *scenario) bindAllAccounts(role rbacv1.RoleRef) *rbacv1.RoleBinding {
	group := &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "all-accounts", Namespace: s.namespace},
		RoleRef:    role,
		Subjects: []rbacv1.Subject{{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName,
			Name: "system:serviceaccounts:" + s.namespace}},
	}
	Expect(k8sClient.Create(ctx, group)).To(Succeed())
	return group
}
