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
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/usage"
)

// Steward holds an identity a workload uses rather than revoke it, and
// names the workloads (SPEC §6); it reports an identity nothing uses as
// Unused (SPEC §2). So it caches every Pod and workload, stripped by the
// internal/usage transforms to the few fields that say who uses what.

// +kubebuilder:rbac:groups="",resources=pods,verbs=get;list;watch
// +kubebuilder:rbac:groups=apps,resources=deployments;statefulsets;daemonsets;replicasets,verbs=get;list;watch
// +kubebuilder:rbac:groups=batch,resources=jobs;cronjobs,verbs=get;list;watch

// UsageCacheObjects are the cache.Options ByObject entries of the objects
// usage is read from, each with its strip transform (which replaces the
// DefaultTransform for that kind). ServiceAccounts are cached typed: their
// secrets and imagePullSecrets make them users of Secrets. Merge them into
// the manager's cache.Options.ByObject.
func UsageCacheObjects() map[client.Object]cache.ByObject {
	return map[client.Object]cache.ByObject{
		&corev1.Pod{}:            {Transform: usage.StripPod},
		&appsv1.Deployment{}:     {Transform: usage.StripDeployment},
		&appsv1.StatefulSet{}:    {Transform: usage.StripStatefulSet},
		&appsv1.DaemonSet{}:      {Transform: usage.StripDaemonSet},
		&appsv1.ReplicaSet{}:     {Transform: usage.StripReplicaSet},
		&batchv1.Job{}:           {Transform: usage.StripJob},
		&batchv1.CronJob{}:       {Transform: usage.StripCronJob},
		&corev1.ServiceAccount{}: {Transform: usage.StripServiceAccount},
	}
}

// readUsage says which workloads use each identity of a namespace, from
// the cache. Any list that fails fails the whole read: an identity that
// looks unused only because its users could not be read must not be
// revoked.
//
// serviceAccounts are the namespace's, as the reconcile read them.
func (r *NamespaceReconciler) readUsage(ctx context.Context, namespace string,
	serviceAccounts []*corev1.ServiceAccount) (map[nhi.IdentityReference][]nhi.WorkloadReference, error) {
	var (
		deployments  appsv1.DeploymentList
		statefulSets appsv1.StatefulSetList
		daemonSets   appsv1.DaemonSetList
		replicaSets  appsv1.ReplicaSetList
		jobs         batchv1.JobList
		cronJobs     batchv1.CronJobList
	)
	lists := []struct {
		what string
		list client.ObjectList
	}{
		{"deployments", &deployments}, {"statefulsets", &statefulSets},
		{"daemonsets", &daemonSets}, {"replicasets", &replicaSets}, {"jobs", &jobs}, {"cronjobs", &cronJobs},
	}
	for _, l := range lists {
		// Read-only use of the cached objects: no need to copy them all.
		if err := r.List(ctx, l.list, client.InNamespace(namespace), client.UnsafeDisableDeepCopy); err != nil {
			return nil, fmt.Errorf("listing %s to find which workloads use identities: %w", l.what, err)
		}
	}
	pods, err := r.pods(ctx, namespace)
	if err != nil {
		return nil, fmt.Errorf("listing pods to find which workloads use identities: %w", err)
	}
	return usage.Users(usage.Objects{
		Pods: pods, Deployments: deployments.Items, StatefulSets: statefulSets.Items,
		DaemonSets: daemonSets.Items, ReplicaSets: replicaSets.Items, Jobs: jobs.Items, CronJobs: cronJobs.Items,
		ServiceAccounts: serviceAccounts,
	}), nil
}

// watchUsage makes a change in who uses what re-evaluate the namespace:
// Pods and the six workload kinds, created, deleted, or updated in a way
// that changes their usage.References, and ServiceAccounts whose Secrets
// change (their other changes, creation and deletion are the namespace
// controller's own ServiceAccount watch's). Everything else, such as a Pod's
// status churning, is filtered out before it reaches the queue.
func watchUsage(b *builder.Builder) *builder.Builder {
	toNamespace := handler.EnqueueRequestsFromMapFunc(namespaceOf)
	for _, obj := range []client.Object{&corev1.Pod{}, &appsv1.Deployment{}, &appsv1.StatefulSet{},
		&appsv1.DaemonSet{}, &appsv1.ReplicaSet{}, &batchv1.Job{}, &batchv1.CronJob{}} {
		b = b.Watches(obj, toNamespace, builder.WithPredicates(usageChanged))
	}
	return b.Watches(&corev1.ServiceAccount{}, toNamespace, builder.WithPredicates(serviceAccountSecretsChanged))
}

// namespaceOf enqueues the namespace of an object: the namespace
// controller's unit of work.
func namespaceOf(_ context.Context, obj client.Object) []reconcileRequest {
	return []reconcileRequest{{NamespacedName: types.NamespacedName{Name: obj.GetNamespace()}}}
}

// usageChanged passes creations and deletions, and updates that change
// what the object uses, its controller, or whether it still runs.
var usageChanged = predicate.Funcs{UpdateFunc: referencesChanged}

// serviceAccountSecretsChanged passes only updates that change a
// ServiceAccount's Secrets.
var serviceAccountSecretsChanged = predicate.Funcs{
	CreateFunc:  func(event.CreateEvent) bool { return false },
	UpdateFunc:  referencesChanged,
	DeleteFunc:  func(event.DeleteEvent) bool { return false },
	GenericFunc: func(event.GenericEvent) bool { return false },
}

func referencesChanged(e event.UpdateEvent) bool {
	before, knownBefore := usage.ReferencesOf(e.ObjectOld)
	after, knownAfter := usage.ReferencesOf(e.ObjectNew)
	return !knownBefore || !knownAfter || !before.Equal(after)
}

// pods are the cached Pods of a namespace, as usage.StripPod keeps them
// (cachedInNamespaceAs).
func (r *NamespaceReconciler) pods(ctx context.Context, namespace string) ([]*usage.Pod, error) {
	return cachedInNamespaceAs(ctx, r.Cache, r.Client, &corev1.Pod{}, &corev1.PodList{}, namespace, usage.AsPod)
}
