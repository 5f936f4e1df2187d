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
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/scheme"
	toolscache "k8s.io/client-go/tools/cache"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/controller"
	"github.com/nhi-steward/steward/internal/usage"
)

// The usage cache against a real API server: objects are stored stripped,
// owner chains resolve through it, and only usage changes wake a namespace.
// Envtest runs no controllers, so the test writes the ReplicaSet, the Pods
// and their status itself.
var _ = Describe("Usage", func() {
	var namespace string

	BeforeEach(func() {
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "usage-"}}
		Expect(k8sClient.Create(ctx, ns)).To(Succeed())
		namespace = ns.Name
	})

	It("reads who uses what from objects the cache holds stripped", func() {
		cacheCtx, stop := context.WithCancel(ctx)
		DeferCleanup(stop)
		usageCache, err := cache.New(cfg, cache.Options{Scheme: scheme.Scheme, ByObject: controller.UsageCacheObjects(),
			DefaultTransform: controller.StripUnusedMetadata})
		Expect(err).NotTo(HaveOccurred())
		go func() {
			defer GinkgoRecover()
			Expect(usageCache.Start(cacheCtx)).To(Succeed())
		}()
		cached, err := client.New(cfg, client.Options{Scheme: scheme.Scheme, Cache: &client.CacheOptions{Reader: usageCache}})
		Expect(err).NotTo(HaveOccurred())

		sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: usageWeb, Namespace: namespace,
			Annotations: map[string]string{"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/web", "other": "x"}},
			ImagePullSecrets: []corev1.LocalObjectReference{{Name: "registry"}}}
		Expect(k8sClient.Create(ctx, sa)).To(Succeed())
		deployment := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: usageWeb, Namespace: namespace},
			Spec: appsv1.DeploymentSpec{
				Selector: &metav1.LabelSelector{MatchLabels: map[string]string{usageApp: usageWeb}},
				Template: usageTemplate(usageWeb, usageDBPassword),
			}}
		Expect(k8sClient.Create(ctx, deployment)).To(Succeed())
		replicaSet := &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: "web-7d4", Namespace: namespace},
			Spec: appsv1.ReplicaSetSpec{Selector: deployment.Spec.Selector, Template: usageTemplate(usageWeb, usageDBPassword)}}
		Expect(controllerutil.SetControllerReference(deployment, replicaSet, scheme.Scheme)).To(Succeed())
		Expect(k8sClient.Create(ctx, replicaSet)).To(Succeed())
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web-7d4-x", Namespace: namespace,
			Labels: map[string]string{usageApp: usageWeb}}, Spec: usageTemplate(usageWeb, usageDBPassword).Spec}
		pod.Spec.Volumes = []corev1.Volume{{Name: usageTLS, VolumeSource: corev1.VolumeSource{
			Secret: &corev1.SecretVolumeSource{SecretName: usageTLS}}}}
		pod.Spec.Containers[0].VolumeMounts = []corev1.VolumeMount{{Name: usageTLS, MountPath: "/tls"}}
		Expect(controllerutil.SetControllerReference(replicaSet, pod, scheme.Scheme)).To(Succeed())
		Expect(k8sClient.Create(ctx, pod)).To(Succeed())
		cronJob := &batchv1.CronJob{ObjectMeta: metav1.ObjectMeta{Name: "nightly", Namespace: namespace},
			Spec: batchv1.CronJobSpec{Schedule: "@daily", JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{
				Template: usageTemplate("", "")}}}}
		cronJob.Spec.JobTemplate.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyNever
		Expect(k8sClient.Create(ctx, cronJob)).To(Succeed())

		Eventually(func(g Gomega) {
			users, err := controller.ReadUsage(ctx, cached, usageCache, namespace)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(users).To(Equal(map[nhi.IdentityReference][]nhi.WorkloadReference{
				{Kind: nhi.KindServiceAccount, Name: usageWeb}:  {{Kind: usageDeployment, Name: usageWeb}},
				{Kind: nhi.KindServiceAccount, Name: "default"}: {{Kind: "CronJob", Name: "nightly"}},
				{Kind: nhi.KindSecret, Name: usageDBPassword}:   {{Kind: usageDeployment, Name: usageWeb}},
				{Kind: nhi.KindSecret, Name: usageTLS}:          {{Kind: usageDeployment, Name: usageWeb}},
				{Kind: nhi.KindSecret, Name: "registry"}:        {{Kind: usageServiceAccount, Name: usageWeb}},
			}))
		}).Should(Succeed())

		By("holding only the fields usage reads")
		podInformer, err := usageCache.GetInformer(ctx, &corev1.Pod{})
		Expect(err).NotTo(HaveOccurred())
		held, found, err := podInformer.(toolscache.SharedIndexInformer).GetStore().GetByKey(namespace + "/" + pod.Name)
		Expect(err).NotTo(HaveOccurred())
		Expect(found).To(BeTrue())
		Expect(held).To(BeAssignableToTypeOf(&usage.Pod{}), "no container, image, env value or status is kept")
		stored := held.(*usage.Pod)
		Expect(stored.PodMeta).To(Equal(usage.PodMeta{Name: pod.Name, Namespace: namespace, UID: pod.UID,
			ResourceVersion: stored.ResourceVersion}), "its name, namespace, UID and version, no other metadata")
		Expect(stored.ResourceVersion).NotTo(BeEmpty())
		Expect(stored.Uses.Secrets).To(Equal([]string{usageDBPassword, usageTLS}), "the Secret names, folded into one list")
		storedSA := &corev1.ServiceAccount{}
		Expect(cached.Get(ctx, client.ObjectKeyFromObject(sa), storedSA)).To(Succeed())
		Expect(storedSA.Annotations).To(Equal(map[string]string{"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/web"}))

		By("letting a finished Pod go")
		pod.Status.Phase = corev1.PodSucceeded
		Expect(k8sClient.Status().Update(ctx, pod)).To(Succeed())
		Eventually(func(g Gomega) {
			users, err := controller.ReadUsage(ctx, cached, usageCache, namespace)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(users).NotTo(HaveKey(nhi.IdentityReference{Kind: nhi.KindSecret, Name: usageTLS}))
			g.Expect(users).To(HaveKey(nhi.IdentityReference{Kind: nhi.KindSecret, Name: usageDBPassword}))
		}).Should(Succeed())
	})

	It("wakes the namespace on usage changes only, not on status churn", func() {
		mgrCtx, stop := context.WithCancel(ctx)
		DeferCleanup(stop)
		mgr, err := ctrl.NewManager(cfg, ctrl.Options{
			Scheme: scheme.Scheme, Metrics: metricsserver.Options{BindAddress: "0"}, HealthProbeBindAddress: "0",
			Cache: cache.Options{ByObject: controller.UsageCacheObjects()},
		})
		Expect(err).NotTo(HaveOccurred())
		woken := &wakeCounter{}
		b := ctrl.NewControllerManagedBy(mgr).Named("usage-watch-"+namespace).
			For(&corev1.Namespace{}, builder.WithPredicates(predicate.NewPredicateFuncs(func(client.Object) bool { return false })))
		Expect(controller.WatchUsage(b).Complete(woken)).To(Succeed())
		go func() {
			defer GinkgoRecover()
			Expect(mgr.Start(mgrCtx)).To(Succeed())
		}()
		Expect(mgr.GetCache().WaitForCacheSync(mgrCtx)).To(BeTrue())

		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "worker", Namespace: namespace},
			Spec: usageTemplate("", "").Spec}
		Expect(k8sClient.Create(ctx, pod)).To(Succeed())
		Eventually(func() int { return woken.count(namespace) }).Should(BeNumerically(">=", 1))
		before := woken.count(namespace)

		for i := range 3 {
			pod.Status.Phase = corev1.PodRunning
			pod.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue,
				LastTransitionTime: metav1.NewTime(time.Now().Add(time.Duration(i) * time.Second))}}
			Expect(k8sClient.Status().Update(ctx, pod)).To(Succeed())
		}
		Consistently(func() int { return woken.count(namespace) }, time.Second).Should(Equal(before))

		pod.Status.Phase = corev1.PodFailed
		Expect(k8sClient.Status().Update(ctx, pod)).To(Succeed())
		Eventually(func() int { return woken.count(namespace) }).Should(BeNumerically(">", before))
	})
})

// Names the usage specs share.
const (
	usageWeb            = "web"
	usageApp            = "app"
	usageTLS            = "tls"
	usageDBPassword     = "db-password"
	usageDeployment     = "Deployment"
	usageServiceAccount = string(nhi.KindServiceAccount)
)

// usageTemplate runs as serviceAccount (empty: default) and, unless secret
// is empty, reads an environment variable from it.
func usageTemplate(serviceAccount, secret string) corev1.PodTemplateSpec {
	container := corev1.Container{Name: usageApp, Image: "registry.example/app:1"}
	if secret != "" {
		container.Env = []corev1.EnvVar{
			{Name: "PLAIN", Value: "not-a-secret"},
			{Name: "PASSWORD", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
				LocalObjectReference: corev1.LocalObjectReference{Name: secret}, Key: "password"}}},
		}
	}
	return corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{usageApp: usageWeb}},
		Spec: corev1.PodSpec{ServiceAccountName: serviceAccount, Containers: []corev1.Container{container}}}
}

// wakeCounter is a reconciler that counts the requests of each namespace.
type wakeCounter struct {
	mu     sync.Mutex
	counts map[string]int
}

func (w *wakeCounter) Reconcile(_ context.Context, req ctrl.Request) (ctrl.Result, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.counts == nil {
		w.counts = map[string]int{}
	}
	w.counts[req.Name]++
	return ctrl.Result{}, nil
}

func (w *wakeCounter) count(namespace string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.counts[namespace]
}
