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
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// PodMeta is the metadata a cached Pod keeps: the four fields that name it
// to the cache (its key, its namespace index, the version an update
// replaces). A metav1.ObjectMeta is 232 bytes however few of its fields
// are set, and a cluster has more Pods than anything else Steward caches;
// this is 64. It implements metav1.Object as that interface allows for
// fields an object does not support: their getters return the zero value
// and their setters do nothing.
type PodMeta struct {
	Name, Namespace, ResourceVersion string
	UID                              types.UID
}

var _ metav1.Object = &PodMeta{}

func podMeta(m *metav1.ObjectMeta) PodMeta {
	return PodMeta{Name: m.Name, Namespace: m.Namespace, ResourceVersion: m.ResourceVersion, UID: m.UID}
}

// The fields kept.

func (m *PodMeta) GetNamespace() string              { return m.Namespace }
func (m *PodMeta) SetNamespace(namespace string)     { m.Namespace = namespace }
func (m *PodMeta) GetName() string                   { return m.Name }
func (m *PodMeta) SetName(name string)               { m.Name = name }
func (m *PodMeta) GetUID() types.UID                 { return m.UID }
func (m *PodMeta) SetUID(uid types.UID)              { m.UID = uid }
func (m *PodMeta) GetResourceVersion() string        { return m.ResourceVersion }
func (m *PodMeta) SetResourceVersion(version string) { m.ResourceVersion = version }

// The fields not kept: nothing Steward reads of a Pod.

func (m *PodMeta) GetGenerateName() string                       { return "" }
func (m *PodMeta) SetGenerateName(string)                        {}
func (m *PodMeta) GetGeneration() int64                          { return 0 }
func (m *PodMeta) SetGeneration(int64)                           {}
func (m *PodMeta) GetSelfLink() string                           { return "" }
func (m *PodMeta) SetSelfLink(string)                            {}
func (m *PodMeta) GetCreationTimestamp() metav1.Time             { return metav1.Time{} }
func (m *PodMeta) SetCreationTimestamp(metav1.Time)              {}
func (m *PodMeta) GetDeletionTimestamp() *metav1.Time            { return nil }
func (m *PodMeta) SetDeletionTimestamp(*metav1.Time)             {}
func (m *PodMeta) GetDeletionGracePeriodSeconds() *int64         { return nil }
func (m *PodMeta) SetDeletionGracePeriodSeconds(*int64)          {}
func (m *PodMeta) GetLabels() map[string]string                  { return nil }
func (m *PodMeta) SetLabels(map[string]string)                   {}
func (m *PodMeta) GetAnnotations() map[string]string             { return nil }
func (m *PodMeta) SetAnnotations(map[string]string)              {}
func (m *PodMeta) GetFinalizers() []string                       { return nil }
func (m *PodMeta) SetFinalizers([]string)                        {}
func (m *PodMeta) GetOwnerReferences() []metav1.OwnerReference   { return nil }
func (m *PodMeta) SetOwnerReferences([]metav1.OwnerReference)    {}
func (m *PodMeta) GetManagedFields() []metav1.ManagedFieldsEntry { return nil }
func (m *PodMeta) SetManagedFields([]metav1.ManagedFieldsEntry)  {}
