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
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The Strip functions are controller-runtime cache transforms (cache.ByObject
// Transform). Each builds a new object holding only what Users and the
// watch predicates read, so the rest of a decoded object (images, commands,
// env values, probes, resources, labels, annotations, status) is freed as
// soon as it arrives: Pods are the most numerous objects of a cluster.
// They are idempotent, as client-go asks of transforms, and return any
// other input (a cache.DeletedFinalStateUnknown, another type) unchanged.
// The transform of a kind also applies to a metadata-only informer of it,
// so each accepts a *metav1.PartialObjectMetadata too.

// StripPod turns a Pod into a Pod of this package: its workload metadata
// and its References, with whether it still runs (status.phase) folded
// into Active. A Pod of this package is returned unchanged.
func StripPod(obj any) (any, error) {
	pod, ok := obj.(*corev1.Pod)
	if !ok {
		return stripPartial(obj, workloadMeta), nil
	}
	return compactPod(pod), nil
}

// StripDeployment keeps a Deployment's workload metadata and the identity
// references of its pod template.
func StripDeployment(obj any) (any, error) {
	d, ok := obj.(*appsv1.Deployment)
	if !ok {
		return stripPartial(obj, workloadMeta), nil
	}
	return &appsv1.Deployment{TypeMeta: d.TypeMeta, ObjectMeta: workloadMeta(&d.ObjectMeta),
		Spec: appsv1.DeploymentSpec{Template: stripTemplate(&d.Spec.Template)}}, nil
}

// StripStatefulSet keeps a StatefulSet's workload metadata and the identity
// references of its pod template.
func StripStatefulSet(obj any) (any, error) {
	s, ok := obj.(*appsv1.StatefulSet)
	if !ok {
		return stripPartial(obj, workloadMeta), nil
	}
	return &appsv1.StatefulSet{TypeMeta: s.TypeMeta, ObjectMeta: workloadMeta(&s.ObjectMeta),
		Spec: appsv1.StatefulSetSpec{Template: stripTemplate(&s.Spec.Template)}}, nil
}

// StripDaemonSet keeps a DaemonSet's workload metadata and the identity
// references of its pod template.
func StripDaemonSet(obj any) (any, error) {
	d, ok := obj.(*appsv1.DaemonSet)
	if !ok {
		return stripPartial(obj, workloadMeta), nil
	}
	return &appsv1.DaemonSet{TypeMeta: d.TypeMeta, ObjectMeta: workloadMeta(&d.ObjectMeta),
		Spec: appsv1.DaemonSetSpec{Template: stripTemplate(&d.Spec.Template)}}, nil
}

// StripReplicaSet keeps a ReplicaSet's workload metadata (its owner leads
// to its Deployment) and the identity references of its pod template.
func StripReplicaSet(obj any) (any, error) {
	rs, ok := obj.(*appsv1.ReplicaSet)
	if !ok {
		return stripPartial(obj, workloadMeta), nil
	}
	return &appsv1.ReplicaSet{TypeMeta: rs.TypeMeta, ObjectMeta: workloadMeta(&rs.ObjectMeta),
		Spec: appsv1.ReplicaSetSpec{Template: stripTemplate(&rs.Spec.Template)}}, nil
}

// StripJob keeps a Job's workload metadata (its owner leads to its
// CronJob), the identity references of its pod template, and only the
// Complete and Failed conditions that are True: a finished Job runs
// nothing, and a bare one lingers until deleted.
func StripJob(obj any) (any, error) {
	job, ok := obj.(*batchv1.Job)
	if !ok {
		return stripPartial(obj, workloadMeta), nil
	}
	out := &batchv1.Job{TypeMeta: job.TypeMeta, ObjectMeta: workloadMeta(&job.ObjectMeta),
		Spec: batchv1.JobSpec{Template: stripTemplate(&job.Spec.Template)}}
	for _, c := range job.Status.Conditions {
		if finishedCondition(c) {
			out.Status.Conditions = append(out.Status.Conditions, batchv1.JobCondition{Type: c.Type, Status: c.Status})
		}
	}
	return out, nil
}

// StripCronJob keeps a CronJob's workload metadata and the identity
// references of its job's pod template.
func StripCronJob(obj any) (any, error) {
	cj, ok := obj.(*batchv1.CronJob)
	if !ok {
		return stripPartial(obj, workloadMeta), nil
	}
	return &batchv1.CronJob{TypeMeta: cj.TypeMeta, ObjectMeta: workloadMeta(&cj.ObjectMeta),
		Spec: batchv1.CronJobSpec{JobTemplate: batchv1.JobTemplateSpec{
			Spec: batchv1.JobSpec{Template: stripTemplate(&cj.Spec.JobTemplate.Spec.Template)},
		}}}, nil
}

// stripPartial applies a metadata rule to a metadata-only object and
// returns anything else unchanged.
func stripPartial(obj any, meta func(*metav1.ObjectMeta) metav1.ObjectMeta) any {
	if p, ok := obj.(*metav1.PartialObjectMetadata); ok {
		return &metav1.PartialObjectMetadata{TypeMeta: p.TypeMeta, ObjectMeta: meta(&p.ObjectMeta)}
	}
	return obj
}

// workloadMeta is the metadata of a Pod or workload Users reads: its
// identity, its owners, and whether it is being deleted. Labels and
// annotations are the bulk of a Pod's metadata and are never read.
func workloadMeta(m *metav1.ObjectMeta) metav1.ObjectMeta {
	return metav1.ObjectMeta{
		Name:              m.Name,
		Namespace:         m.Namespace,
		UID:               m.UID,
		ResourceVersion:   m.ResourceVersion,
		CreationTimestamp: m.CreationTimestamp,
		DeletionTimestamp: m.DeletionTimestamp,
		OwnerReferences:   controllerReference(m.OwnerReferences),
	}
}

func stripTemplate(t *corev1.PodTemplateSpec) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{Spec: stripPodSpec(&t.Spec)}
}

// stripPodSpec keeps the ServiceAccount a pod runs as (the deprecated
// serviceAccount field folded in) and the names of the Secrets it
// references — image pull secrets, secret volumes, the secret sources of
// projected volumes, CSI node-publish secrets (mounting needs them), and
// each container's env secretKeyRefs and envFrom secretRefs — all folded
// into imagePullSecrets, sorted, without duplicates: usage needs the names,
// not the paths, and containers and volumes are the bulk of a cached pod.
// Past MaxSecretReferences names the rest are replaced by AllSecrets.
func stripPodSpec(s *corev1.PodSpec) corev1.PodSpec {
	names := capSecretReferences(secretsOf(s))
	out := corev1.PodSpec{ServiceAccountName: serviceAccountOf(s)}
	if len(names) > 0 {
		out.ImagePullSecrets = make([]corev1.LocalObjectReference, len(names))
		for i, name := range names {
			out.ImagePullSecrets[i].Name = name
		}
	}
	return out
}

// MaxSecretReferences bounds the Secret names kept of one object, so that
// a tenant's pod spec listing thousands cannot fill the manager's memory.
// An object referencing more is taken to reference every Secret of its
// namespace (AllSecrets): none of them is Unused, none revoked from under
// it without the hold.
const MaxSecretReferences = 256

// AllSecrets stands for every Secret of the namespace; it is no valid
// Secret name.
const AllSecrets = "*"

// capSecretReferences keeps at most MaxSecretReferences names, then
// AllSecrets.
func capSecretReferences(names []string) []string {
	if len(names) > MaxSecretReferences {
		return append(names[:MaxSecretReferences:MaxSecretReferences], AllSecrets)
	}
	return names
}

// controllerReference keeps only the controller owner reference, the one
// Users follows; a tenant's other owner references are never read.
func controllerReference(refs []metav1.OwnerReference) []metav1.OwnerReference {
	for _, r := range refs {
		if r.Controller != nil && *r.Controller {
			return []metav1.OwnerReference{r}
		}
	}
	return nil
}
