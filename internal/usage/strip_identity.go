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
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// StripServiceAccount keeps what the metadata-only cache of ServiceAccounts
// kept (see internal/controller.StripUnusedMetadata: all metadata but
// managedFields and annotations outside steward.dev/), plus the
// workload-identity annotations CloudIdentities reads, and the names of the
// Secrets it lists. The Secrets are what make a ServiceAccount a user of
// them; the annotations link it to a cloud identity.
func StripServiceAccount(obj any) (any, error) {
	sa, ok := obj.(*corev1.ServiceAccount)
	if !ok {
		return stripPartial(obj, identityMeta), nil
	}
	out := &corev1.ServiceAccount{TypeMeta: sa.TypeMeta, ObjectMeta: identityMeta(&sa.ObjectMeta)}
	for _, s := range sa.Secrets {
		out.Secrets = append(out.Secrets, corev1.ObjectReference{Name: s.Name})
	}
	out.ImagePullSecrets = stripLocalReferences(sa.ImagePullSecrets)
	return out, nil
}

// stewardKeyPrefix prefixes the label and annotation keys Steward owns.
const stewardKeyPrefix = "steward.dev/"

// identityMeta is an identity's metadata as the metadata-only cache keeps
// it: everything but managedFields and the annotations Steward never reads.
// Among those dropped: kubectl's last-applied-configuration, and whatever a
// tenant writes to fill the manager's memory; a cloud-identity annotation
// longer than any real one is dropped for the same reason.
func identityMeta(m *metav1.ObjectMeta) metav1.ObjectMeta {
	out := *m
	out.ManagedFields = nil
	out.Labels = Interned(m.Labels, nil)
	out.Annotations = Interned(m.Annotations, keptAnnotation)
	return out
}

// keptAnnotation says which annotations identityMeta keeps.
func keptAnnotation(key, value string) bool {
	return strings.HasPrefix(key, stewardKeyPrefix) || (isCloudAnnotation(key) && len(value) <= maxCloudIdentityLength)
}

// stripLocalReferences keeps only the names of local references.
func stripLocalReferences(refs []corev1.LocalObjectReference) []corev1.LocalObjectReference {
	if len(refs) == 0 {
		return nil
	}
	out := make([]corev1.LocalObjectReference, 0, len(refs))
	for _, r := range refs {
		out = append(out, corev1.LocalObjectReference{Name: r.Name})
	}
	return out
}
