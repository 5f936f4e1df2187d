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
	"reflect"
	"testing"
	"unsafe"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// An informer's objects are copied with DeepCopyObject (client-go's
// mutation detector, a cache read that copies): the copy shares nothing
// writable with the original.
func TestPodDeepCopy(t *testing.T) {
	original := compactPod(pod(meta("web-1", apps, "ReplicaSet", "web-7d4"), envSecret("db")))
	copied := original.DeepCopyObject().(*Pod)
	if !reflect.DeepEqual(copied, original) {
		t.Fatalf("the copy differs: %+v, %+v", copied, original)
	}
	copied.Uses.Secrets[0] = "changed"
	copied.Name = "changed"
	if original.Uses.Secrets[0] != "db" || original.Name != "web-1" {
		t.Errorf("changing the copy changed the original: %+v", original)
	}
}

func TestAsPod(t *testing.T) {
	raw := pod(meta("web-1"), runsAs("web"))
	cached := compactPod(raw)
	if got, ok := AsPod(cached); !ok || got != cached {
		t.Error("a Pod of the cache is itself")
	}
	if got, ok := AsPod(raw); !ok || !reflect.DeepEqual(got, cached) {
		t.Errorf("a corev1.Pod reads as %+v, want %+v", got, cached)
	}
	if _, ok := AsPod(&corev1.ServiceAccount{}); ok {
		t.Error("a ServiceAccount is no Pod")
	}
}

// The point of Pod: the cache holds far less per Pod than a corev1.Pod,
// and less than the ObjectMeta alone that a Pod used to keep.
func TestPodIsSmall(t *testing.T) {
	pod, full, meta := unsafe.Sizeof(Pod{}), unsafe.Sizeof(corev1.Pod{}), unsafe.Sizeof(metav1.ObjectMeta{})
	t.Logf("a Pod is %d bytes, a corev1.Pod %d, a metav1.ObjectMeta %d", pod, full, meta)
	if pod*5 > full {
		t.Errorf("a Pod is %d bytes, a corev1.Pod %d: no longer a fifth", pod, full)
	}
	if pod >= meta {
		t.Errorf("a Pod is %d bytes, no smaller than the metav1.ObjectMeta (%d) it no longer keeps", pod, meta)
	}
}

// A cached Pod is a metav1.Object as the cache and its indexes use one:
// what it keeps reads back, what it does not reads as empty and is not
// set (the interface's contract for fields an object does not support).
func TestPodMeta(t *testing.T) {
	p := compactPod(pod(meta("web-1", apps, "ReplicaSet", "web-7d4"), runsAs("web")))
	p.Namespace, p.UID, p.ResourceVersion = "shop", "uid-1", "42"
	var obj metav1.Object = p
	if obj.GetName() != "web-1" || obj.GetNamespace() != "shop" || obj.GetUID() != "uid-1" || obj.GetResourceVersion() != "42" {
		t.Errorf("kept fields read back as %q %q %q %q", obj.GetName(), obj.GetNamespace(), obj.GetUID(), obj.GetResourceVersion())
	}
	obj.SetLabels(map[string]string{"a": "b"})
	obj.SetAnnotations(map[string]string{"a": "b"})
	obj.SetFinalizers([]string{"x"})
	obj.SetManagedFields([]metav1.ManagedFieldsEntry{{Manager: "m"}})
	obj.SetOwnerReferences([]metav1.OwnerReference{{Name: "o"}})
	now := metav1.Now()
	obj.SetDeletionTimestamp(&now)
	if obj.GetLabels() != nil || obj.GetAnnotations() != nil || obj.GetFinalizers() != nil ||
		obj.GetManagedFields() != nil || obj.GetOwnerReferences() != nil || obj.GetDeletionTimestamp() != nil {
		t.Error("a field a Pod does not keep was kept")
	}
	obj.SetName("web-2")
	obj.SetResourceVersion("43")
	if p.Name != "web-2" || p.ResourceVersion != "43" {
		t.Errorf("setters of kept fields: %+v", p.PodMeta)
	}
	if p.Uses.ServiceAccount != "web" {
		t.Errorf("the Pod's references were lost: %+v", p.Uses)
	}
}
