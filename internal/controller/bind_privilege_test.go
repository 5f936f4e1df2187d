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
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Why the manager holds `bind` (docs/operators.md, docs/security.md): the
// API server's RBAC escalation check applies to every update of a binding,
// even one that only removes a subject. Without `bind` on the referenced
// role (or every permission in it), RemoveBindings is refused. `bind` can be
// narrowed with resourceNames to the roles a cluster's ServiceAccounts are
// bound to, when those are known in advance.
var _ = Describe("The bind privilege", func() {
	It("is needed to remove a subject from a binding, and can be narrowed to named roles", func() {
		s := newScenario()
		binding := s.bindRole("reader", "reporter")
		const user = "remover@example.com"
		grant := func(name string, rules ...rbacv1.PolicyRule) {
			role := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: s.namespace + "-" + name}, Rules: rules}
			Expect(k8sClient.Create(ctx, role)).To(Succeed())
			crb := &rbacv1.ClusterRoleBinding{
				ObjectMeta: metav1.ObjectMeta{Name: role.Name},
				RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role.Name},
				Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: user}},
			}
			Expect(k8sClient.Create(ctx, crb)).To(Succeed())
			DeferCleanup(func() {
				Expect(k8sClient.Delete(ctx, crb)).To(Succeed())
				Expect(k8sClient.Delete(ctx, role)).To(Succeed())
			})
		}
		grant("edit-bindings", rbacv1.PolicyRule{APIGroups: []string{rbacv1.GroupName},
			Resources: []string{"rolebindings"}, Verbs: []string{"get", "update"}})
		impersonated := rest.CopyConfig(cfg)
		impersonated.Impersonate = rest.ImpersonationConfig{UserName: user}
		remover, err := client.New(impersonated, client.Options{Scheme: scheme.Scheme})
		Expect(err).NotTo(HaveOccurred())
		removeSubject := func() error {
			b := &rbacv1.RoleBinding{}
			Expect(remover.Get(ctx, client.ObjectKeyFromObject(binding), b)).To(Succeed())
			b.Subjects = nil
			return remover.Update(ctx, b)
		}

		err = removeSubject()
		Expect(apierrors.IsForbidden(err)).To(BeTrue(), "removing a subject without bind: %v", err)
		Expect(err.Error()).To(ContainSubstring("attempting to grant RBAC permissions not currently held"))

		grant("bind-one-role", rbacv1.PolicyRule{APIGroups: []string{rbacv1.GroupName}, Resources: []string{"roles"},
			Verbs: []string{"bind"}, ResourceNames: []string{"read-configmaps"}})
		Eventually(removeSubject).Should(Succeed(), "bind narrowed to the one role the binding refers to is enough")
		Expect(subjectsOf(binding)()).To(BeEmpty())
	})
})
