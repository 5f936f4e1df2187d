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
	copied.DeletionTimestamp = nil
	if original.Uses.Secrets[0] != "db" || original.Name != "web-1" || original.DeletionTimestamp != nil {
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

// The point of Pod: the cache holds far less per Pod than a corev1.Pod.
func TestPodIsSmall(t *testing.T) {
	pod, full := unsafe.Sizeof(Pod{}), unsafe.Sizeof(corev1.Pod{})
	t.Logf("a Pod is %d bytes, a corev1.Pod %d", pod, full)
	if pod*3 > full {
		t.Errorf("a Pod is %d bytes, a corev1.Pod %d: no longer a third", pod, full)
	}
}
