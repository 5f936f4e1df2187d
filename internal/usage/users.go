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
	"cmp"
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

// Objects are the Pods, workloads and ServiceAccounts of one namespace, as
// the cache holds them (stripped or not).
type Objects struct {
	// Pods and ServiceAccounts are the cache's own objects (a namespace may
	// hold thousands): read, never modified.
	Pods            []*Pod
	Deployments     []appsv1.Deployment
	StatefulSets    []appsv1.StatefulSet
	DaemonSets      []appsv1.DaemonSet
	ReplicaSets     []appsv1.ReplicaSet
	Jobs            []batchv1.Job
	CronJobs        []batchv1.CronJob
	ServiceAccounts []*corev1.ServiceAccount
}

// Users says which workloads use each identity of the namespace: a Pod or
// workload template uses the ServiceAccount it runs as and every Secret it
// references; a ServiceAccount uses the Secrets it lists. Each list is
// sorted by kind, then name, without duplicates. Identities nothing uses
// are absent.
//
// People know their workloads, not the Pods or ReplicaSets they spawn, and
// Steward names them in held revocations: so a Pod, ReplicaSet or Job is
// reported as its top-level controller, followed through the cached
// ReplicaSets and Jobs (ReplicaSet → Deployment, Job → CronJob). A
// controller Steward does not cache (an operator's custom resource) is
// reported as its owner reference names it; a Pod without one as Pod/NAME.
//
// What no longer runs uses nothing: finished Pods and Jobs, and objects
// being deleted. The template of a workload controlled by a cached workload
// (a Deployment's ReplicaSet, a CronJob's Job) does not count either: its
// controller's template is the current one, and its Pods count on their
// own; otherwise every old revision a Deployment keeps would hold the
// Secrets it used to reference.
func Users(objects Objects) map[nhi.IdentityReference][]nhi.WorkloadReference {
	g := newOwnerGraph(&objects)
	// Sized for Pods that each use a ServiceAccount and a Secret of their
	// own: a namespace may hold tens of thousands, and growing the map
	// step by step rehashed it again and again on every evaluation. Where
	// Pods share identities the map is larger than it needs, for this call
	// only.
	users := make(map[nhi.IdentityReference][]nhi.WorkloadReference, 2*len(objects.Pods))
	use := func(r References, user nhi.WorkloadReference) {
		if r.ServiceAccount != "" {
			id := nhi.IdentityReference{Kind: nhi.KindServiceAccount, Name: r.ServiceAccount}
			users[id] = append(users[id], user)
		}
		for _, s := range r.Secrets {
			id := nhi.IdentityReference{Kind: nhi.KindSecret, Name: s}
			users[id] = append(users[id], user)
		}
	}
	for i := range objects.Pods {
		pod := objects.Pods[i]
		if r := pod.Uses; r.Active {
			use(r, g.topLevel(r.Controller, nhi.WorkloadReference{Kind: kindPod, Name: pod.Name}))
		}
	}
	for _, w := range g.workloads {
		if r, _ := ReferencesOf(w.obj); r.Active && !g.known(r.Controller) {
			use(r, g.topLevel(r.Controller, w.ref))
		}
	}
	for i := range objects.ServiceAccounts {
		sa := objects.ServiceAccounts[i]
		if r, _ := ReferencesOf(sa); r.Active {
			r.ServiceAccount = "" // a ServiceAccount does not run as itself
			use(r, nhi.WorkloadReference{Kind: string(nhi.KindServiceAccount), Name: sa.Name})
		}
	}
	for id, list := range users {
		slices.SortFunc(list, compareWorkloads)
		users[id] = slices.Compact(list)
	}
	return users
}

// The kinds Users reports.
const (
	kindPod         = "Pod"
	kindDeployment  = "Deployment"
	kindStatefulSet = "StatefulSet"
	kindDaemonSet   = "DaemonSet"
	kindReplicaSet  = "ReplicaSet"
	kindJob         = "Job"
	kindCronJob     = "CronJob"
)

func compareWorkloads(a, b nhi.WorkloadReference) int {
	return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Name, b.Name))
}

// maxOwnerDepth bounds the walk up controller references, in case they
// form a cycle (nothing stops a client from writing one).
const maxOwnerDepth = 8

// ownerGraph finds the cached workloads that owner references point to.
type ownerGraph struct {
	workloads []workload
	byName    map[workloadKey]int
}

type workload struct {
	obj        any
	ref        nhi.WorkloadReference
	group      string
	uid        types.UID
	controller Owner
}

type workloadKey struct{ kind, name string }

func newOwnerGraph(o *Objects) *ownerGraph {
	g := &ownerGraph{byName: map[workloadKey]int{}}
	add := func(obj any, group, kind string, meta *metav1.ObjectMeta) {
		g.byName[workloadKey{kind, meta.Name}] = len(g.workloads)
		g.workloads = append(g.workloads, workload{obj: obj, group: group, uid: meta.UID,
			ref: nhi.WorkloadReference{Kind: kind, Name: meta.Name}, controller: controllerOf(meta)})
	}
	for i := range o.Deployments {
		add(&o.Deployments[i], appsv1.GroupName, kindDeployment, &o.Deployments[i].ObjectMeta)
	}
	for i := range o.StatefulSets {
		add(&o.StatefulSets[i], appsv1.GroupName, kindStatefulSet, &o.StatefulSets[i].ObjectMeta)
	}
	for i := range o.DaemonSets {
		add(&o.DaemonSets[i], appsv1.GroupName, kindDaemonSet, &o.DaemonSets[i].ObjectMeta)
	}
	for i := range o.ReplicaSets {
		add(&o.ReplicaSets[i], appsv1.GroupName, kindReplicaSet, &o.ReplicaSets[i].ObjectMeta)
	}
	for i := range o.Jobs {
		add(&o.Jobs[i], batchv1.GroupName, kindJob, &o.Jobs[i].ObjectMeta)
	}
	for i := range o.CronJobs {
		add(&o.CronJobs[i], batchv1.GroupName, kindCronJob, &o.CronJobs[i].ObjectMeta)
	}
	return g
}

// lookup finds the cached workload an owner reference points to. A
// reference to another API group, or to an earlier object of the same name
// (its UID differs), is not to it.
func (g *ownerGraph) lookup(o Owner) (*workload, bool) {
	if o.Kind == "" {
		return nil, false
	}
	i, ok := g.byName[workloadKey{o.Kind, o.Name}]
	if !ok {
		return nil, false
	}
	w := &g.workloads[i]
	if o.APIVersion != "" {
		if gv, err := schema.ParseGroupVersion(o.APIVersion); err != nil || gv.Group != w.group {
			return nil, false
		}
	}
	if o.UID != "" && w.uid != "" && o.UID != w.uid {
		return nil, false
	}
	return w, true
}

func (g *ownerGraph) known(o Owner) bool {
	_, ok := g.lookup(o)
	return ok
}

// topLevel is the workload to report for an object: its controller's
// controller, and so on, as far as the cache knows them.
func (g *ownerGraph) topLevel(controller Owner, self nhi.WorkloadReference) nhi.WorkloadReference {
	for range maxOwnerDepth {
		if controller.Kind == "" {
			return self
		}
		w, ok := g.lookup(controller)
		if !ok {
			return nhi.WorkloadReference{Kind: controller.Kind, Name: controller.Name}
		}
		self, controller = w.ref, w.controller
	}
	return self
}
