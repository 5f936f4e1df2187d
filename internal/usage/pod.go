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
	"slices"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// Pod is what the cache keeps of a Pod (StripPod): who it is and what it
// uses, already read. Pods are the most numerous objects of a cluster, and
// a corev1.Pod is 1,240 bytes before any field is set; a Pod is a sixth
// of that (208 bytes). The cache's informer of Pods holds these, so a typed
// Get or List of corev1.Pod through the cache fails: read them with the
// informer's index (internal/controller's pods).
type Pod struct {
	metav1.TypeMeta
	// PodMeta keeps the name, namespace, UID and resourceVersion; the
	// controller owner reference is in Uses.Controller.
	PodMeta
	// Uses are the Pod's References: Active is false once it finished or
	// is being deleted.
	Uses References
}

// DeepCopyObject makes Pod a runtime.Object, as an informer's objects are.
func (p *Pod) DeepCopyObject() runtime.Object {
	out := *p // PodMeta holds strings only
	out.Uses.Secrets = slices.Clone(p.Uses.Secrets)
	return &out
}

// compactPod reads a Pod into a Pod.
func compactPod(pod *corev1.Pod) *Pod {
	uses := podReferences(&pod.ObjectMeta, &pod.Spec)
	uses.Active = uses.Active && pod.Status.Phase != corev1.PodSucceeded && pod.Status.Phase != corev1.PodFailed
	uses.Secrets = capSecretReferences(uses.Secrets)
	return &Pod{TypeMeta: pod.TypeMeta, PodMeta: podMeta(&pod.ObjectMeta), Uses: uses}
}

// AsPod is a Pod of the cache as a Pod: itself if it is one, or read from a
// corev1.Pod (a client that is no cache lists those); false for anything
// else.
func AsPod(obj runtime.Object) (*Pod, bool) {
	switch p := obj.(type) {
	case *Pod:
		return p, true
	case *corev1.Pod:
		return compactPod(p), true
	}
	return nil, false
}
