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

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/diff"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

func sa(name string) nhi.IdentityReference {
	return nhi.IdentityReference{Kind: nhi.KindServiceAccount, Name: name}
}

func secret(name string) nhi.IdentityReference {
	return nhi.IdentityReference{Kind: nhi.KindSecret, Name: name}
}

func ref(kind, name string) nhi.WorkloadReference {
	return nhi.WorkloadReference{Kind: kind, Name: name}
}

func refs(r ...nhi.WorkloadReference) []nhi.WorkloadReference { return r }

// meta is an object's metadata; controlledBy names its controller as
// "apiVersion", "Kind", "name" (the UID is uid-NAME, as objects' are here).
func meta(name string, controlledBy ...string) metav1.ObjectMeta {
	m := metav1.ObjectMeta{Name: name, Namespace: testNamespace, UID: types.UID("uid-" + name)}
	if len(controlledBy) == 3 {
		m.OwnerReferences = []metav1.OwnerReference{
			{APIVersion: "v1", Kind: "ConfigMap", Name: "not-a-controller", UID: "cm"},
			{APIVersion: controlledBy[0], Kind: controlledBy[1], Name: controlledBy[2],
				UID: types.UID("uid-" + controlledBy[2]), Controller: new(true)},
		}
	}
	return m
}

func runsAs(serviceAccount string) corev1.PodSpec {
	return corev1.PodSpec{ServiceAccountName: serviceAccount}
}

func pod(m metav1.ObjectMeta, spec corev1.PodSpec, phase ...corev1.PodPhase) *corev1.Pod {
	p := corev1.Pod{ObjectMeta: m, Spec: spec, Status: corev1.PodStatus{Phase: corev1.PodRunning}}
	if len(phase) > 0 {
		p.Status.Phase = phase[0]
	}
	return &p
}

// stripped are Pods as the cache holds them.
func stripped(pods ...*corev1.Pod) []*Pod {
	out := make([]*Pod, len(pods))
	for i, p := range pods {
		out[i] = compactPod(p)
	}
	return out
}

func template(spec corev1.PodSpec) corev1.PodTemplateSpec { return corev1.PodTemplateSpec{Spec: spec} }

func envSecret(name string) corev1.PodSpec {
	return corev1.PodSpec{ServiceAccountName: appServiceAccount, Containers: []corev1.Container{{
		Env: []corev1.EnvVar{{Name: "K", ValueFrom: secretKey(name)}}}}}
}

const (
	apps   = "apps/v1"
	batch  = "batch/v1"
	shared = "shared"
)

// fullSpecSecrets are the Secrets fullSpec references.
var fullSpecSecrets = []string{secretRegistry, secretTLS, secretProjected, secretCSI, "init-env", "init-envfrom",
	"web-env", "web-envfrom", secretDebugEnv}

func TestUsers(t *testing.T) {
	finishedJob := batchv1.Job{ObjectMeta: meta("migrate-done"), Spec: batchv1.JobSpec{Template: template(runsAs("migrator"))},
		Status: batchv1.JobStatus{Conditions: []batchv1.JobCondition{{Type: batchv1.JobComplete, Status: corev1.ConditionTrue}}}}
	failedJob := finishedJob
	failedJob.Status.Conditions = []batchv1.JobCondition{{Type: batchv1.JobFailed, Status: corev1.ConditionTrue}}
	gone := meta("gone")
	gone.DeletionTimestamp = &deleting

	cases := []struct {
		name string
		in   Objects
		want map[nhi.IdentityReference][]nhi.WorkloadReference
	}{
		{name: "nothing", in: Objects{}, want: map[nhi.IdentityReference][]nhi.WorkloadReference{}},
		{
			name: "a bare Pod runs as its ServiceAccount; an empty name means default",
			in:   Objects{Pods: stripped(pod(meta("web"), runsAs("web")), pod(meta("debug"), corev1.PodSpec{}))},
			want: map[nhi.IdentityReference][]nhi.WorkloadReference{
				sa("web"): refs(ref("Pod", "web")), sa("default"): refs(ref("Pod", "debug")),
			},
		},
		{
			name: "the deprecated serviceAccount field",
			in:   Objects{Pods: stripped(pod(meta("old"), corev1.PodSpec{DeprecatedServiceAccount: "legacy"}))},
			want: map[nhi.IdentityReference][]nhi.WorkloadReference{sa("legacy"): refs(ref("Pod", "old"))},
		},
		{
			name: "every reference path of a pod spec",
			in:   Objects{Pods: stripped(pod(meta("p"), fullSpec()))},
			want: func() map[nhi.IdentityReference][]nhi.WorkloadReference {
				w := map[nhi.IdentityReference][]nhi.WorkloadReference{sa("web"): refs(ref("Pod", "p"))}
				for _, s := range fullSpecSecrets {
					w[secret(s)] = refs(ref("Pod", "p"))
				}
				return w
			}(),
		},
		{
			name: "Pod → ReplicaSet → Deployment, Pod → Job → CronJob, through the cache",
			in: Objects{
				Pods: stripped(
					pod(meta("web-7d4-a", apps, "ReplicaSet", "web-7d4"), runsAs("web")),
					pod(meta("web-7d4-b", apps, "ReplicaSet", "web-7d4"), runsAs("web")),
					pod(meta("nightly-1-x", batch, "Job", "nightly-1"), runsAs("batch")),
				),
				ReplicaSets: []appsv1.ReplicaSet{{ObjectMeta: meta("web-7d4", apps, "Deployment", "web"),
					Spec: appsv1.ReplicaSetSpec{Template: template(runsAs("web"))}}},
				Deployments: []appsv1.Deployment{{ObjectMeta: meta("web"), Spec: appsv1.DeploymentSpec{Template: template(runsAs("web"))}}},
				Jobs: []batchv1.Job{{ObjectMeta: meta("nightly-1", batch, "CronJob", "nightly"),
					Spec: batchv1.JobSpec{Template: template(runsAs("batch"))}}},
				CronJobs: []batchv1.CronJob{{ObjectMeta: meta("nightly"), Spec: batchv1.CronJobSpec{JobTemplate: batchv1.JobTemplateSpec{
					Spec: batchv1.JobSpec{Template: template(runsAs("batch"))}}}}},
			},
			want: map[nhi.IdentityReference][]nhi.WorkloadReference{
				sa("web"): refs(ref("Deployment", "web")), sa("batch"): refs(ref("CronJob", "nightly")),
			},
		},
		{
			name: "a controller Steward does not cache is reported as the owner reference names it",
			in: Objects{
				Pods: stripped(
					pod(meta("wf-1", "argoproj.io/v1alpha1", "Workflow", "wf"), runsAs("argo")),
					pod(meta("canary-5f-x", apps, "ReplicaSet", "canary-5f"), runsAs("canary")),
					pod(meta("orphan-x", apps, "ReplicaSet", "orphan"), runsAs("orphan")), // its ReplicaSet is not cached
				),
				ReplicaSets: []appsv1.ReplicaSet{{ObjectMeta: meta("canary-5f", "argoproj.io/v1alpha1", "Rollout", "canary"),
					Spec: appsv1.ReplicaSetSpec{Template: template(runsAs("canary"))}}},
			},
			want: map[nhi.IdentityReference][]nhi.WorkloadReference{
				sa("argo"): refs(ref("Workflow", "wf")), sa("canary"): refs(ref("Rollout", "canary")),
				sa("orphan"): refs(ref("ReplicaSet", "orphan")),
			},
		},
		{
			name: "an owner reference to another group or an earlier UID is not to the cached workload",
			in: Objects{
				Pods: stripped(
					pod(meta("x", "example.com/v1", "Deployment", "web"), runsAs("x")),
					func() *corev1.Pod {
						p := pod(meta("y", apps, "Deployment", "web"), runsAs("y"))
						p.OwnerReferences[1].UID = "an-earlier-web"
						return p
					}(),
				),
				Deployments: []appsv1.Deployment{{ObjectMeta: meta("web", "example.com/v1", "App", "web")}},
			},
			want: map[nhi.IdentityReference][]nhi.WorkloadReference{
				sa("x"): refs(ref("Deployment", "web")), sa("y"): refs(ref("Deployment", "web")),
				sa("default"): refs(ref("App", "web")), // the Deployment's own template
			},
		},
		{
			name: "finished and deleted Pods use nothing; pending and unknown ones do",
			in: Objects{Pods: stripped(
				pod(meta("done"), envSecret("done"), corev1.PodSucceeded),
				pod(meta("crashed"), envSecret("crashed"), corev1.PodFailed),
				pod(gone, envSecret("gone")),
				pod(meta("starting"), envSecret("starting"), corev1.PodPending),
				pod(meta("lost"), envSecret("lost"), corev1.PodUnknown),
			)},
			want: map[nhi.IdentityReference][]nhi.WorkloadReference{
				sa(appServiceAccount): refs(ref("Pod", "lost"), ref("Pod", "starting")),
				secret("starting"):    refs(ref("Pod", "starting")), secret("lost"): refs(ref("Pod", "lost")),
			},
		},
		{
			name: "workload templates use what they reference, with no Pod running",
			in: Objects{
				Deployments:  []appsv1.Deployment{{ObjectMeta: meta("scaled-to-zero"), Spec: appsv1.DeploymentSpec{Template: template(envSecret("d"))}}},
				StatefulSets: []appsv1.StatefulSet{{ObjectMeta: meta("db"), Spec: appsv1.StatefulSetSpec{Template: template(envSecret("s"))}}},
				DaemonSets:   []appsv1.DaemonSet{{ObjectMeta: meta("agent"), Spec: appsv1.DaemonSetSpec{Template: template(runsAs(""))}}},
				ReplicaSets:  []appsv1.ReplicaSet{{ObjectMeta: meta("bare-rs"), Spec: appsv1.ReplicaSetSpec{Template: template(envSecret("r"))}}},
				Jobs: []batchv1.Job{{ObjectMeta: meta("once"), Spec: batchv1.JobSpec{Template: template(envSecret("j"))}},
					finishedJob, failedJob},
				CronJobs: []batchv1.CronJob{{ObjectMeta: meta("weekly"), Spec: batchv1.CronJobSpec{JobTemplate: batchv1.JobTemplateSpec{
					Spec: batchv1.JobSpec{Template: template(envSecret("c"))}}}}},
			},
			want: map[nhi.IdentityReference][]nhi.WorkloadReference{
				sa(appServiceAccount): refs(ref("CronJob", "weekly"), ref("Deployment", "scaled-to-zero"), ref("Job", "once"),
					ref("ReplicaSet", "bare-rs"), ref("StatefulSet", "db")),
				sa("default"): refs(ref("DaemonSet", "agent")),
				secret("d"):   refs(ref("Deployment", "scaled-to-zero")), secret("s"): refs(ref("StatefulSet", "db")),
				secret("r"): refs(ref("ReplicaSet", "bare-rs")), secret("j"): refs(ref("Job", "once")),
				secret("c"): refs(ref("CronJob", "weekly")),
			},
		},
		{
			name: "a Deployment's old revision and a CronJob's past Job hold nothing; a workload being deleted neither",
			in: Objects{
				Deployments: []appsv1.Deployment{
					{ObjectMeta: meta("web"), Spec: appsv1.DeploymentSpec{Template: template(envSecret("new"))}},
					{ObjectMeta: gone, Spec: appsv1.DeploymentSpec{Template: template(envSecret("gone"))}},
				},
				ReplicaSets: []appsv1.ReplicaSet{{ObjectMeta: meta("web-old", apps, "Deployment", "web"),
					Spec: appsv1.ReplicaSetSpec{Template: template(envSecret("old"))}}},
				Jobs: []batchv1.Job{{ObjectMeta: meta("nightly-1", batch, "CronJob", "nightly"),
					Spec: batchv1.JobSpec{Template: template(envSecret("last-night"))}}},
				CronJobs: []batchv1.CronJob{{ObjectMeta: meta("nightly"), Spec: batchv1.CronJobSpec{JobTemplate: batchv1.JobTemplateSpec{
					Spec: batchv1.JobSpec{Template: template(envSecret("tonight"))}}}}},
			},
			want: map[nhi.IdentityReference][]nhi.WorkloadReference{
				sa(appServiceAccount): refs(ref("CronJob", "nightly"), ref("Deployment", "web")),
				secret("new"):         refs(ref("Deployment", "web")), secret("tonight"): refs(ref("CronJob", "nightly")),
			},
		},
		{
			name: "a ServiceAccount uses the Secrets it lists",
			in: Objects{ServiceAccounts: []*corev1.ServiceAccount{
				{ObjectMeta: meta("builder"), Secrets: []corev1.ObjectReference{{Name: "builder-token"}, {Name: shared}},
					ImagePullSecrets: []corev1.LocalObjectReference{{Name: "registry"}, {Name: shared}}},
				{ObjectMeta: meta("plain")},
				{ObjectMeta: gone, ImagePullSecrets: []corev1.LocalObjectReference{{Name: "gone"}}},
			}},
			want: map[nhi.IdentityReference][]nhi.WorkloadReference{
				secret("builder-token"): refs(ref("ServiceAccount", "builder")),
				secret("registry"):      refs(ref("ServiceAccount", "builder")),
				secret(shared):          refs(ref("ServiceAccount", "builder")),
			},
		},
		{
			name: "users are deduplicated and sorted by kind, then name",
			in: Objects{
				Pods: stripped(
					pod(meta("z-pod"), envSecret(shared)),
					pod(meta("a-pod"), envSecret(shared)),
					pod(meta("web-1", apps, "StatefulSet", "web"), envSecret(shared)),
					pod(meta("web-2", apps, "StatefulSet", "web"), envSecret(shared)),
				),
				StatefulSets: []appsv1.StatefulSet{{ObjectMeta: meta("web"), Spec: appsv1.StatefulSetSpec{Template: template(envSecret(shared))}}},
				ServiceAccounts: []*corev1.ServiceAccount{{ObjectMeta: meta(appServiceAccount),
					ImagePullSecrets: []corev1.LocalObjectReference{{Name: shared}}}},
			},
			want: map[nhi.IdentityReference][]nhi.WorkloadReference{
				sa(appServiceAccount): refs(ref("Pod", "a-pod"), ref("Pod", "z-pod"), ref("StatefulSet", "web")),
				secret(shared): refs(ref("Pod", "a-pod"), ref("Pod", "z-pod"), ref("ServiceAccount", "app"),
					ref("StatefulSet", "web")),
			},
		},
		{
			name: "a cycle of controller references ends",
			in: Objects{
				Pods: stripped(pod(meta("p", apps, "ReplicaSet", "a"), runsAs("x"))),
				ReplicaSets: []appsv1.ReplicaSet{
					{ObjectMeta: meta("a", apps, "ReplicaSet", "b")}, {ObjectMeta: meta("b", apps, "ReplicaSet", "a")},
				},
			},
			// Reported as wherever the bounded walk stops.
			want: map[nhi.IdentityReference][]nhi.WorkloadReference{sa("x"): refs(ref("ReplicaSet", "b"))},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Users(tc.in)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Users (- got, + want):\n%s", diff.Diff(got, tc.want))
			}
		})
	}
}
