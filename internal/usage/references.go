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

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// DefaultServiceAccount is the ServiceAccount a pod runs as when its spec
// names none.
const DefaultServiceAccount = "default"

// References is what one Pod, workload or ServiceAccount refers to, as far
// as usage goes. Users reads nothing else of an object, so a watch that
// sees the same References before and after an update can ignore it.
type References struct {
	// ServiceAccount is the one the pods run as; empty for a
	// ServiceAccount object.
	ServiceAccount string
	// Secrets are the names of the Secrets referenced, sorted, without
	// duplicates.
	Secrets []string
	// Controller is the object's controller owner; zero when none.
	Controller Owner
	// Active is false for a finished Pod or Job and for an object being
	// deleted: it no longer uses anything.
	Active bool
}

// Owner is the part of a controller owner reference that identifies it.
type Owner struct {
	APIVersion string
	Kind       string
	Name       string
	UID        types.UID
}

// Equal reports whether two References decide usage alike.
func (r References) Equal(o References) bool {
	return r.ServiceAccount == o.ServiceAccount && r.Controller == o.Controller && r.Active == o.Active &&
		slices.Equal(r.Secrets, o.Secrets)
}

// ReferencesOf reads the References of a Pod (a corev1.Pod, or this
// package's Pod), one of the six workload kinds or a ServiceAccount,
// stripped or not; false for anything else.
func ReferencesOf(obj any) (References, bool) {
	switch o := obj.(type) {
	case *Pod:
		return o.Uses, true
	case *corev1.Pod:
		r := podReferences(&o.ObjectMeta, &o.Spec)
		r.Active = r.Active && o.Status.Phase != corev1.PodSucceeded && o.Status.Phase != corev1.PodFailed
		return r, true
	case *appsv1.Deployment:
		return podReferences(&o.ObjectMeta, &o.Spec.Template.Spec), true
	case *appsv1.StatefulSet:
		return podReferences(&o.ObjectMeta, &o.Spec.Template.Spec), true
	case *appsv1.DaemonSet:
		return podReferences(&o.ObjectMeta, &o.Spec.Template.Spec), true
	case *appsv1.ReplicaSet:
		return podReferences(&o.ObjectMeta, &o.Spec.Template.Spec), true
	case *batchv1.Job:
		r := podReferences(&o.ObjectMeta, &o.Spec.Template.Spec)
		r.Active = r.Active && !jobFinished(o)
		return r, true
	case *batchv1.CronJob:
		return podReferences(&o.ObjectMeta, &o.Spec.JobTemplate.Spec.Template.Spec), true
	case *corev1.ServiceAccount:
		var names []string
		for _, s := range o.Secrets {
			names = append(names, s.Name)
		}
		for _, s := range o.ImagePullSecrets {
			names = append(names, s.Name)
		}
		return References{Secrets: sortedNames(names), Controller: controllerOf(&o.ObjectMeta),
			Active: o.DeletionTimestamp == nil}, true
	}
	return References{}, false
}

func podReferences(meta *metav1.ObjectMeta, spec *corev1.PodSpec) References {
	return References{
		ServiceAccount: serviceAccountOf(spec),
		Secrets:        secretsOf(spec),
		Controller:     controllerOf(meta),
		Active:         meta.DeletionTimestamp == nil,
	}
}

func serviceAccountOf(spec *corev1.PodSpec) string {
	if spec.ServiceAccountName != "" {
		return spec.ServiceAccountName
	}
	if spec.DeprecatedServiceAccount != "" { //nolint:staticcheck // an old client may still set only it
		return spec.DeprecatedServiceAccount //nolint:staticcheck // as above
	}
	return DefaultServiceAccount
}

// secretsOf lists every Secret a pod spec references, by any path the
// strip transforms keep.
func secretsOf(spec *corev1.PodSpec) []string {
	var names []string
	for _, s := range spec.ImagePullSecrets {
		names = append(names, s.Name)
	}
	for _, v := range spec.Volumes {
		switch {
		case v.Secret != nil:
			names = append(names, v.Secret.SecretName)
		case v.Projected != nil:
			for _, p := range v.Projected.Sources {
				if p.Secret != nil {
					names = append(names, p.Secret.Name)
				}
			}
		case v.CSI != nil && v.CSI.NodePublishSecretRef != nil:
			names = append(names, v.CSI.NodePublishSecretRef.Name)
		}
	}
	envSecrets := func(env []corev1.EnvVar, envFrom []corev1.EnvFromSource) {
		for _, e := range env {
			if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
				names = append(names, e.ValueFrom.SecretKeyRef.Name)
			}
		}
		for _, e := range envFrom {
			if e.SecretRef != nil {
				names = append(names, e.SecretRef.Name)
			}
		}
	}
	for _, c := range spec.InitContainers {
		envSecrets(c.Env, c.EnvFrom)
	}
	for _, c := range spec.Containers {
		envSecrets(c.Env, c.EnvFrom)
	}
	for _, c := range spec.EphemeralContainers {
		envSecrets(c.Env, c.EnvFrom)
	}
	return sortedNames(names)
}

// sortedNames sorts names and drops duplicates and empty ones; nil when
// none is left.
func sortedNames(names []string) []string {
	names = slices.DeleteFunc(names, func(n string) bool { return n == "" })
	if len(names) == 0 {
		return nil
	}
	slices.Sort(names)
	return slices.Compact(names)
}

func controllerOf(meta *metav1.ObjectMeta) Owner {
	ref := metav1.GetControllerOfNoCopy(meta)
	if ref == nil {
		return Owner{}
	}
	return Owner{APIVersion: ref.APIVersion, Kind: ref.Kind, Name: ref.Name, UID: ref.UID}
}

func jobFinished(job *batchv1.Job) bool {
	return slices.ContainsFunc(job.Status.Conditions, finishedCondition)
}

// finishedCondition is true for the condition a finished Job carries.
func finishedCondition(c batchv1.JobCondition) bool {
	return (c.Type == batchv1.JobComplete || c.Type == batchv1.JobFailed) && c.Status == corev1.ConditionTrue
}
