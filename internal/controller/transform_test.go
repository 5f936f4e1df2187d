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
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// A Secret applied with kubectl carries its data in the last-applied
// annotation: the metadata-only cache must not keep it.
func TestStripUnusedMetadata(t *testing.T) {
	secret := &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{
		Name: "stripe-api-key",
		Annotations: map[string]string{
			corev1.LastAppliedConfigAnnotation: `{"apiVersion":"v1","kind":"Secret","stringData":{"api-key":"sk_live_x"}}`,
			"steward.dev/rotated-at":           "2026-11-01T00:00:00Z",
			"filler":                           string(make([]byte, 200000)),
		},
		Labels:        map[string]string{"app": "checkout"},
		ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubectl", Operation: metav1.ManagedFieldsOperationApply}},
	}}
	out, err := StripUnusedMetadata(secret)
	if err != nil {
		t.Fatal(err)
	}
	got := out.(*metav1.PartialObjectMetadata)
	if _, found := got.Annotations[corev1.LastAppliedConfigAnnotation]; found {
		t.Error("the last-applied-configuration annotation, holding the Secret's data, was kept")
	}
	if got.Annotations["steward.dev/rotated-at"] != "2026-11-01T00:00:00Z" || got.Labels["app"] != "checkout" {
		t.Errorf("other metadata was lost: %v %v", got.Annotations, got.Labels)
	}
	if _, found := got.Annotations["filler"]; found {
		t.Error("an annotation Steward never reads was kept: a tenant could fill the cache with them")
	}
	if got.ManagedFields != nil {
		t.Error("managedFields were kept")
	}
}
