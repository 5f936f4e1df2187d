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

package usage

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// A watch compares References before and after an update: only changes
// that can change Users may count as changes, so Pod status churn does not
// re-evaluate a namespace.
func TestReferencesEqual(t *testing.T) {
	base := func() *corev1.Pod {
		return pod(meta("web-1", apps, "ReplicaSet", "web-7d4"), envSecret("db"))
	}
	cases := []struct {
		name    string
		mutate  func(*corev1.Pod)
		changed bool
	}{
		{"status churn", func(p *corev1.Pod) {
			p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}
			p.Status.PodIP = "10.0.0.2"
		}, false},
		{"labels, annotations, image", func(p *corev1.Pod) {
			p.Labels = map[string]string{"a": "b"}
			p.Annotations = map[string]string{"a": "b"}
			p.Spec.Containers[0].Image = "web:2"
			p.ResourceVersion = "99"
		}, false},
		{"the same Secret referenced twice", func(p *corev1.Pod) {
			p.Spec.ImagePullSecrets = []corev1.LocalObjectReference{{Name: "db"}}
		}, false},
		{"the ServiceAccount", func(p *corev1.Pod) { p.Spec.ServiceAccountName = "other" }, true},
		{"an empty ServiceAccount is default", func(p *corev1.Pod) { p.Spec.ServiceAccountName = "" }, true},
		{"a Secret added", func(p *corev1.Pod) {
			p.Spec.Volumes = []corev1.Volume{{VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: secretTLS}}}}
		}, true},
		{"the controller", func(p *corev1.Pod) { p.OwnerReferences = nil }, true},
		{"finished", func(p *corev1.Pod) { p.Status.Phase = corev1.PodSucceeded }, true},
		{"failed", func(p *corev1.Pod) { p.Status.Phase = corev1.PodFailed }, true},
		{"being deleted", func(p *corev1.Pod) { p.DeletionTimestamp = &metav1.Time{} }, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before, after := base(), base()
			tc.mutate(after)
			r1, ok1 := ReferencesOf(before)
			r2, ok2 := ReferencesOf(after)
			if !ok1 || !ok2 {
				t.Fatal("a Pod has References")
			}
			if changed := !r1.Equal(r2); changed != tc.changed {
				t.Errorf("changed = %v, want %v (%+v, %+v)", changed, tc.changed, r1, r2)
			}
			// The cache's Pod decides alike.
			for _, p := range []*corev1.Pod{before, after} {
				cached, _ := StripPod(p)
				if r, _ := ReferencesOf(cached); !r.Equal(refsOf(p)) {
					t.Errorf("the cached Pod's References %+v, the Pod's %+v", r, refsOf(p))
				}
			}
		})
	}
}

// refsOf is the References ReferencesOf reads.
func refsOf(obj any) References {
	r, _ := ReferencesOf(obj)
	return r
}

func TestReferencesOf(t *testing.T) {
	job := &batchv1.Job{ObjectMeta: meta("j"), Spec: batchv1.JobSpec{Template: template(runsAs("batch"))}}
	if r, _ := ReferencesOf(job); !r.Active || r.ServiceAccount != "batch" {
		t.Errorf("a running Job: %+v", r)
	}
	job.Status.Conditions = []batchv1.JobCondition{{Type: batchv1.JobComplete, Status: corev1.ConditionFalse}}
	if r, _ := ReferencesOf(job); !r.Active {
		t.Error("a Job whose Complete condition is False is finished")
	}
	job.Status.Conditions[0].Status = corev1.ConditionTrue
	if r, _ := ReferencesOf(job); r.Active {
		t.Error("a complete Job is active")
	}

	for _, obj := range []any{&appsv1.Deployment{}, &appsv1.StatefulSet{}, &appsv1.DaemonSet{}, &appsv1.ReplicaSet{},
		&batchv1.CronJob{}} {
		if r, ok := ReferencesOf(obj); !ok || r.ServiceAccount != DefaultServiceAccount || !r.Active {
			t.Errorf("%T: %+v %v", obj, r, ok)
		}
	}
	if _, ok := ReferencesOf(&corev1.ConfigMap{}); ok {
		t.Error("a ConfigMap has References")
	}

	sa := &corev1.ServiceAccount{Secrets: []corev1.ObjectReference{{Name: "b"}, {Name: ""}},
		ImagePullSecrets: []corev1.LocalObjectReference{{Name: "a"}, {Name: "b"}}}
	if r, _ := ReferencesOf(sa); r.ServiceAccount != "" || len(r.Secrets) != 2 || r.Secrets[0] != "a" || r.Secrets[1] != "b" {
		t.Errorf("ServiceAccount References = %+v, want Secrets [a b]", r)
	}
}
