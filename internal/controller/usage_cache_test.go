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
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
	"sigs.k8s.io/controller-runtime/pkg/event"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

// Names the usage tests share.
const (
	usageNS         = "shop"
	usageWeb        = "web"
	usageRegistry   = "registry"
	usageAppsV1     = "apps/v1"
	usageTLS        = "tls"
	usageDeployment = "Deployment"
	usageReplicaSet = "ReplicaSet"
	usageRS         = "web-7d4"
)

// ReadUsage and WatchUsage let the envtest specs (package controller_test)
// drive the unexported usage plumbing against a cache they build.
var (
	ReadUsage = func(ctx context.Context, c client.Client, informers cache.Cache,
		namespace string) (map[nhi.IdentityReference][]nhi.WorkloadReference, error) {
		r := &NamespaceReconciler{Client: c, Cache: informers}
		serviceAccounts, err := r.serviceAccounts(ctx, namespace)
		if err != nil {
			return nil, err
		}
		return r.readUsage(ctx, namespace, serviceAccounts)
	}
	WatchUsage = watchUsage
)

func TestUsageCacheObjects(t *testing.T) {
	objects := UsageCacheObjects()
	kinds := map[string]bool{}
	for obj, byObject := range objects {
		kinds[reflect.TypeOf(obj).Elem().Name()] = true
		if byObject.Transform == nil {
			t.Errorf("%T has no transform: it would be cached whole", obj)
		}
		// Each transform is its kind's: it strips an object of that kind.
		in := obj.DeepCopyObject().(client.Object)
		in.SetLabels(map[string]string{"steward.dev/x": "y"})
		in.SetManagedFields([]metav1.ManagedFieldsEntry{{Manager: "m"}})
		out, err := byObject.Transform(in)
		if err != nil {
			t.Fatal(err)
		}
		if o := out.(client.Object); o.GetManagedFields() != nil {
			t.Errorf("%T: the transform of another kind was used", obj)
		}
	}
	want := []string{"CronJob", "DaemonSet", "Deployment", "Job", "Pod", "ReplicaSet", "ServiceAccount", "StatefulSet"}
	if len(kinds) != len(want) {
		t.Errorf("kinds = %v, want %v", kinds, want)
	}
	for _, k := range want {
		if !kinds[k] {
			t.Errorf("%s is not cached for usage", k)
		}
	}
}

func usagePod(mutate func(*corev1.Pod)) *corev1.Pod {
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "web-1", Namespace: usageNS, ResourceVersion: "1"},
		Spec:       corev1.PodSpec{ServiceAccountName: usageWeb, Containers: []corev1.Container{{Name: usageWeb, Image: "web:1"}}},
		Status:     corev1.PodStatus{Phase: corev1.PodRunning},
	}
	if mutate != nil {
		mutate(p)
	}
	return p
}

func TestUsageChanged(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*corev1.Pod)
		want   bool
	}{
		{"a resync", func(*corev1.Pod) {}, false},
		{"status churn", func(p *corev1.Pod) {
			p.ResourceVersion = "2"
			p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}
		}, false},
		{"labels", func(p *corev1.Pod) { p.Labels = map[string]string{"a": "b"} }, false},
		{"an image", func(p *corev1.Pod) { p.Spec.Containers[0].Image = "web:2" }, false},
		{"finished", func(p *corev1.Pod) { p.Status.Phase = corev1.PodSucceeded }, true},
		{"being deleted", func(p *corev1.Pod) { p.DeletionTimestamp = &metav1.Time{} }, true},
		{"a Secret referenced", func(p *corev1.Pod) {
			p.Spec.ImagePullSecrets = []corev1.LocalObjectReference{{Name: usageRegistry}}
		}, true},
		{"adopted", func(p *corev1.Pod) {
			p.OwnerReferences = []metav1.OwnerReference{{APIVersion: usageAppsV1, Kind: usageReplicaSet, Name: usageRS,
				UID: "u", Controller: new(true)}}
		}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := event.UpdateEvent{ObjectOld: usagePod(nil), ObjectNew: usagePod(tc.mutate)}
			if got := usageChanged.Update(e); got != tc.want {
				t.Errorf("Update = %v, want %v", got, tc.want)
			}
		})
	}
	if !usageChanged.Create(event.CreateEvent{Object: usagePod(nil)}) || !usageChanged.Delete(event.DeleteEvent{Object: usagePod(nil)}) {
		t.Error("creations and deletions must pass")
	}
	if !usageChanged.Update(event.UpdateEvent{ObjectOld: &corev1.ConfigMap{}, ObjectNew: &corev1.ConfigMap{}}) {
		t.Error("an update of an unknown kind must pass: better a spare reconcile than a missed one")
	}
}

func TestServiceAccountSecretsChanged(t *testing.T) {
	sa := func(pullSecret string, labels map[string]string) *corev1.ServiceAccount {
		return &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: usageWeb, Namespace: usageNS, Labels: labels},
			ImagePullSecrets: []corev1.LocalObjectReference{{Name: pullSecret}}}
	}
	p := serviceAccountSecretsChanged
	if p.Update(event.UpdateEvent{ObjectOld: sa("a", nil), ObjectNew: sa("a", map[string]string{"x": "y"})}) {
		t.Error("a label change is the ServiceAccount watch's, not usage's")
	}
	if !p.Update(event.UpdateEvent{ObjectOld: sa("a", nil), ObjectNew: sa("b", nil)}) {
		t.Error("a change of imagePullSecrets changes who uses the Secrets")
	}
	if p.Create(event.CreateEvent{Object: sa("a", nil)}) || p.Delete(event.DeleteEvent{Object: sa("a", nil)}) {
		t.Error("creations and deletions are the ServiceAccount watch's")
	}
}

func TestReadUsage(t *testing.T) {
	objects := []client.Object{
		&appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: usageWeb, Namespace: usageNS, UID: "d"},
			Spec: appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{ServiceAccountName: usageWeb}}}},
		&appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: usageRS, Namespace: usageNS, UID: "rs",
			OwnerReferences: []metav1.OwnerReference{{APIVersion: usageAppsV1, Kind: usageDeployment, Name: usageWeb, UID: "d", Controller: new(true)}}}},
		&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web-7d4-x", Namespace: usageNS,
			OwnerReferences: []metav1.OwnerReference{{APIVersion: usageAppsV1, Kind: usageReplicaSet, Name: usageRS, UID: "rs", Controller: new(true)}}},
			Spec: corev1.PodSpec{ServiceAccountName: usageWeb, Volumes: []corev1.Volume{{Name: usageTLS,
				VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: usageTLS}}}}}},
		&appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: usageNS}},
		&appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: "agent", Namespace: usageNS}},
		&batchv1.CronJob{ObjectMeta: metav1.ObjectMeta{Name: "nightly", Namespace: usageNS}},
		&batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "once", Namespace: "other"}},
		&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: usageWeb, Namespace: usageNS},
			ImagePullSecrets: []corev1.LocalObjectReference{{Name: usageRegistry}}},
	}
	c := fake.NewClientBuilder().WithScheme(scheme.Scheme).WithObjects(objects...).Build()
	got, err := ReadUsage(context.Background(), c, nil, usageNS)
	if err != nil {
		t.Fatal(err)
	}
	want := map[nhi.IdentityReference][]nhi.WorkloadReference{
		{Kind: nhi.KindServiceAccount, Name: usageWeb}: {{Kind: usageDeployment, Name: usageWeb}},
		{Kind: nhi.KindServiceAccount, Name: "default"}: {{Kind: "CronJob", Name: "nightly"},
			{Kind: "DaemonSet", Name: "agent"}, {Kind: "StatefulSet", Name: "db"}},
		{Kind: nhi.KindSecret, Name: usageTLS}:      {{Kind: usageDeployment, Name: usageWeb}},
		{Kind: nhi.KindSecret, Name: usageRegistry}: {{Kind: "ServiceAccount", Name: usageWeb}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("readUsage = %v, want %v", got, want)
	}

	// One list failing fails the read: never a partial view.
	failing := fake.NewClientBuilder().WithScheme(scheme.Scheme).WithObjects(objects...).
		WithInterceptorFuncs(interceptor.Funcs{List: func(ctx context.Context, c client.WithWatch, list client.ObjectList,
			opts ...client.ListOption) error {
			if _, ok := list.(*batchv1.JobList); ok {
				return errors.New("jobs are forbidden")
			}
			return c.List(ctx, list, opts...)
		}}).Build()
	if _, err := ReadUsage(context.Background(), failing, nil, usageNS); err == nil ||
		!strings.Contains(err.Error(), "listing jobs") || !strings.Contains(err.Error(), "jobs are forbidden") {
		t.Errorf("err = %v, want the failed list named", err)
	}
}
