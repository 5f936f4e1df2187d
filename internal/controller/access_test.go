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
	"context"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/access"
	"github.com/nhi-steward/steward/internal/controller"
)

// What each ServiceAccount can do, read from a manager's cache of the real
// API server's bindings and roles, with its default policy in place.
var _ = Describe("Privilege context", Ordered, func() {
	var (
		probe                 *controller.AccessProbe
		shop, billing, lonely string
		execRole, deployer    *rbacv1.ClusterRole
		readerRole            *rbacv1.Role
		userBinding           *rbacv1.ClusterRoleBinding
	)
	create := func(obj client.Object) {
		GinkgoHelper()
		Expect(k8sClient.Create(ctx, obj)).To(Succeed())
		DeferCleanup(func() { Expect(client.IgnoreNotFound(k8sClient.Delete(ctx, obj))).To(Succeed()) })
	}
	newNamespace := func(prefix string) string {
		GinkgoHelper()
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: prefix}}
		Expect(k8sClient.Create(ctx, ns)).To(Succeed())
		return ns.Name
	}
	// woken accumulates the namespaces the probe's watches wake, from the
	// time it is called.
	woken := func() func() []string {
		probe.Woken()
		var seen []string
		return func() []string {
			seen = append(seen, probe.Woken()...)
			return seen
		}
	}
	requests := func(namespaces ...string) []reconcile.Request {
		out := make([]reconcile.Request, 0, len(namespaces))
		for _, namespace := range namespaces {
			out = append(out, reconcile.Request{NamespacedName: types.NamespacedName{Name: namespace}})
		}
		return out
	}

	BeforeAll(func() {
		cacheOptions := controller.CacheOptions()
		cacheOptions.ByObject = controller.AccessCacheObjects()
		mgr, err := ctrl.NewManager(cfg, ctrl.Options{
			Scheme:                 scheme.Scheme,
			Metrics:                metricsserver.Options{BindAddress: "0"},
			HealthProbeBindAddress: "0",
			Cache:                  cacheOptions,
		})
		Expect(err).NotTo(HaveOccurred())
		probe, err = controller.NewAccessProbe(ctx, mgr)
		Expect(err).NotTo(HaveOccurred())
		mgrCtx, stop := context.WithCancel(ctx)
		DeferCleanup(stop)
		go func() {
			defer GinkgoRecover()
			Expect(mgr.Start(mgrCtx)).To(Succeed())
		}()

		shop, billing, lonely = newNamespace("access-shop-"), newNamespace("access-billing-"), newNamespace("access-lonely-")
		readerRole = &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "secret-reader", Namespace: shop},
			Rules: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"get"}}}}
		create(readerRole)
		create(&rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "reads-secrets", Namespace: shop},
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: access.KindRole, Name: readerRole.Name},
			Subjects: []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: "checkout"}}})
		create(&rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "dangling", Namespace: shop},
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: access.KindRole, Name: "not-yet-created"},
			Subjects: []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: "checkout", Namespace: shop}}})

		execRole = &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: shop + "-exec"},
			Rules: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"pods/exec"}, Verbs: []string{"create"}}}}
		create(execRole)
		userBinding = &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: shop + "-exec"},
			RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: access.KindClusterRole, Name: execRole.Name},
			Subjects: []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName,
				Name: "system:serviceaccount:" + shop + ":checkout"}}}
		create(userBinding)

		deployer = &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: shop + "-deployer"},
			Rules: []rbacv1.PolicyRule{{APIGroups: []string{"apps"}, Resources: []string{"deployments"},
				Verbs: []string{"create"}}}}
		create(deployer)
		create(&rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "shop-deploys", Namespace: billing},
			RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: access.KindClusterRole, Name: deployer.Name},
			Subjects: []rbacv1.Subject{{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName,
				Name: "system:serviceaccounts:" + shop}}})
	})

	It("summarises grants by name, as the account's user, through a group, and to a missing role", func() {
		Eventually(func(g Gomega) {
			summaries, err := probe.Read(ctx, shop, "checkout", "cart")
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(summaries).To(HaveKeyWithValue("checkout", &nhi.AccessSummary{
				ClusterWide:    true,
				NamespaceCount: 2,
				Namespaces:     []string{billing, shop},
				Roles: []string{"ClusterRole/" + deployer.Name, "ClusterRole/" + execRole.Name,
					"Role/" + shop + "/not-yet-created", "Role/" + shop + "/secret-reader"},
				Risky:     []nhi.RiskyPermission{nhi.RiskReadSecrets, nhi.RiskCreatePods, nhi.RiskExecPods},
				ViaGroups: true,
			}))
			g.Expect(summaries).To(HaveKeyWithValue("cart", &nhi.AccessSummary{
				NamespaceCount: 1,
				Namespaces:     []string{billing},
				Roles:          []string{"ClusterRole/" + deployer.Name},
				Risky:          []nhi.RiskyPermission{nhi.RiskCreatePods},
				ViaGroups:      true,
			}))
		}).Should(Succeed())
	})

	It("does not report the API server's default policy as anyone's access", func() {
		Consistently(func(g Gomega) {
			summaries, err := probe.Read(ctx, lonely, "default")
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(summaries).To(BeEmpty(), "system:discovery and the like are labelled rbac-defaults")
		}).WithTimeout(500 * time.Millisecond).Should(Succeed())
	})

	It("follows a role's rules as they change, and wakes the namespaces it reaches", func() {
		Eventually(probe.Woken).Should(ContainElement(shop), "its roles and bindings, as the cache starts")
		wokenByRole := woken()
		readerRole.Rules = append(readerRole.Rules, rbacv1.PolicyRule{APIGroups: []string{"*"},
			Resources: []string{"*"}, Verbs: []string{"impersonate"}})
		Expect(k8sClient.Update(ctx, readerRole)).To(Succeed())
		Eventually(func(g Gomega) []nhi.RiskyPermission {
			summaries, err := probe.Read(ctx, shop, "checkout")
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(summaries).To(HaveKey("checkout"))
			return summaries["checkout"].Risky
		}).Should(Equal([]nhi.RiskyPermission{nhi.RiskWildcard, nhi.RiskReadSecrets, nhi.RiskCreatePods,
			nhi.RiskExecPods, nhi.RiskImpersonate}))
		Eventually(wokenByRole).Should(ContainElement(shop))

		wokenByClusterRole := woken()
		deployer.Rules[0].Verbs = []string{"list"}
		Expect(k8sClient.Update(ctx, deployer)).To(Succeed())
		Eventually(wokenByClusterRole).Should(ContainElement(shop), "a ClusterRole bound in billing to shop's group")
	})

	It("wakes the namespaces a binding reaches, when it is created, changed or deleted", func() {
		wokenByCreate := woken()
		binding := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "lonely-reads", Namespace: billing},
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: access.KindClusterRole, Name: deployer.Name},
			Subjects: []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: "default", Namespace: lonely}}}
		create(binding)
		Eventually(wokenByCreate).Should(ContainElement(lonely))
		Eventually(func(g Gomega) {
			summaries, err := probe.Read(ctx, lonely, "default")
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(summaries).To(HaveKey("default"))
		}).Should(Succeed())

		wokenByUpdate := woken()
		binding.Subjects = []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName,
			Name: "system:serviceaccount:" + shop + ":cart"}}
		Expect(k8sClient.Update(ctx, binding)).To(Succeed())
		Eventually(wokenByUpdate).Should(ContainElements(lonely, shop), "the namespaces it reached before and after")

		wokenByDelete := woken()
		Expect(k8sClient.Delete(ctx, binding)).To(Succeed())
		Eventually(wokenByDelete).Should(ContainElement(shop))
	})

	It("wakes the namespaces a change to a role or a binding reaches", func() {
		Expect(probe.RoleChanged(ctx, readerRole)).To(Equal(requests(shop)))
		Expect(probe.RoleChanged(ctx, execRole)).To(Equal(requests(shop)), "through the account's user")
		Expect(probe.RoleChanged(ctx, deployer)).To(Equal(requests(shop)), "through the namespace's group")
		Expect(probe.RoleChanged(ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "unbound", Namespace: billing}})).
			To(Equal(requests(billing)))
		Expect(probe.BindingChanged(ctx, userBinding)).To(Equal(requests(shop)))

		everyone := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "everyone"},
			RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: access.KindClusterRole, Name: "view"},
			Subjects: []rbacv1.Subject{{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName,
				Name: "system:serviceaccounts"}}}
		Expect(probe.BindingChanged(ctx, everyone)).To(BeEmpty(),
			"a grant to every ServiceAccount is nobody's own privilege: it is in no summary, and wakes nothing")
		tenantGroup := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "tenant-grant", Namespace: billing,
			Labels: map[string]string{"kubernetes.io/bootstrapping": "rbac-defaults"}},
			RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: access.KindClusterRole, Name: "view"},
			Subjects: []rbacv1.Subject{{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName,
				Name: "system:serviceaccounts:" + shop}}}
		Expect(probe.BindingChanged(ctx, tenantGroup)).To(Equal(requests(shop)),
			"a RoleBinding labelled as the default policy is still a grant: tenants write RoleBindings")
	})
})
