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
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/diff"
	"k8s.io/client-go/tools/cache"
)

var (
	created  = metav1.Date(2026, 1, 2, 3, 4, 5, 0, metav1.Now().Location())
	deleting = metav1.Date(2026, 2, 3, 4, 5, 6, 0, metav1.Now().Location())
	owners   = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: kindReplicaSet, Name: "web-7d4", UID: "rs-uid",
		Controller: new(true)}}
	// otherOwner is an owner reference that is not the controller: it is
	// not kept.
	otherOwner = metav1.OwnerReference{APIVersion: "v1", Kind: "ConfigMap", Name: "filler", UID: "cm-uid"}
)

// fullMeta is metadata with everything a real object carries.
func fullMeta(name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{
		Name: name, Namespace: testNamespace, UID: types.UID("uid-" + name), ResourceVersion: "42", Generation: 3,
		Labels:        map[string]string{"app": web},
		Annotations:   map[string]string{"steward.dev/owner": "x", corev1.LastAppliedConfigAnnotation: "{}"},
		ManagedFields: []metav1.ManagedFieldsEntry{{Manager: managerName}}, Finalizers: []string{"f"},
		OwnerReferences: append([]metav1.OwnerReference{otherOwner}, owners...), CreationTimestamp: created,
		DeletionTimestamp: &deleting,
	}
}

// strippedMeta is what workloadMeta keeps of fullMeta.
func strippedMeta(name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: testNamespace, UID: types.UID("uid-" + name), ResourceVersion: "42",
		OwnerReferences: owners, CreationTimestamp: created, DeletionTimestamp: &deleting}
}

// strippedPodMeta is what a Pod keeps of fullMeta: its controller is in
// Uses.
func strippedPodMeta(name string) PodMeta {
	return PodMeta{Name: name, Namespace: testNamespace, UID: types.UID("uid-" + name), ResourceVersion: "42"}
}

func secretKey(name string) *corev1.EnvVarSource {
	return &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
		LocalObjectReference: corev1.LocalObjectReference{Name: name}, Key: "password", Optional: new(true)}}
}

// fullSpec references Secrets by every path, among everything else a pod
// spec holds.
func fullSpec() corev1.PodSpec {
	container := func(name, secret string) corev1.Container {
		return corev1.Container{
			Name: name, Image: "registry.example/web:1.2", Command: []string{"/web"}, Args: []string{"--v=2"},
			Env: []corev1.EnvVar{
				{Name: "PLAIN", Value: "hunter2"},
				{Name: "FROM_CM", ValueFrom: &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{
					LocalObjectReference: corev1.LocalObjectReference{Name: "cm"}, Key: "k"}}},
				{Name: "DB_PASSWORD", ValueFrom: secretKey(secret + "-env")},
			},
			EnvFrom: []corev1.EnvFromSource{
				{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "cm"}}},
				{Prefix: "S_", SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: secret + "-envfrom"}}},
			},
			Resources: corev1.ResourceRequirements{Limits: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("1Gi")}},
			ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{
				HTTPGet: &corev1.HTTPGetAction{Path: "/healthz"}}},
			VolumeMounts: []corev1.VolumeMount{{Name: secretTLS, MountPath: "/tls"}},
		}
	}
	return corev1.PodSpec{
		DeprecatedServiceAccount: web, // a legacy client set only this one
		NodeName:                 "node-1",
		ImagePullSecrets:         []corev1.LocalObjectReference{{Name: secretRegistry}},
		Volumes: []corev1.Volume{
			{Name: secretTLS, VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{
				SecretName: secretTLS, DefaultMode: new(int32(0o400)), Items: []corev1.KeyToPath{{Key: "a", Path: "b"}}}}},
			{Name: "config", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
				LocalObjectReference: corev1.LocalObjectReference{Name: "cm"}}}},
			{Name: "scratch", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
			{Name: "bundle", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{
				{ConfigMap: &corev1.ConfigMapProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "cm"}}},
				{Secret: &corev1.SecretProjection{LocalObjectReference: corev1.LocalObjectReference{Name: secretProjected},
					Items: []corev1.KeyToPath{{Key: "a", Path: "b"}}}},
				{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "token"}},
			}}}},
			{Name: "tokens", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{
				{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "token"}},
			}}}},
			{Name: "vault", VolumeSource: corev1.VolumeSource{CSI: &corev1.CSIVolumeSource{Driver: "secrets-store.csi.k8s.io",
				VolumeAttributes: map[string]string{"a": "b"}, NodePublishSecretRef: &corev1.LocalObjectReference{Name: secretCSI}}}},
			{Name: "plain-csi", VolumeSource: corev1.VolumeSource{CSI: &corev1.CSIVolumeSource{Driver: "ebs.csi.aws.com"}}},
		},
		InitContainers: []corev1.Container{container("init", "init"), {Name: "no-secrets", Image: "busybox"}},
		Containers:     []corev1.Container{container(web, web)},
		EphemeralContainers: []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{
			Name: "debug", Image: "busybox", Env: []corev1.EnvVar{{Name: "T", ValueFrom: secretKey(secretDebugEnv)}}}}},
	}
}

// strippedSpec is what stripPodSpec keeps of fullSpec: every Secret name
// it references, sorted, folded into imagePullSecrets.
// strippedSecrets are the Secrets fullSpec references, sorted.
var strippedSecrets = []string{secretCSI, secretDebugEnv, "init-env", "init-envfrom", secretProjected, secretRegistry,
	secretTLS, "web-env", "web-envfrom"}

func strippedSpec() corev1.PodSpec {
	spec := corev1.PodSpec{ServiceAccountName: web}
	for _, name := range strippedSecrets {
		spec.ImagePullSecrets = append(spec.ImagePullSecrets, corev1.LocalObjectReference{Name: name})
	}
	return spec
}

func fullTemplate() corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app.kubernetes.io/name": web},
		Annotations: map[string]string{"checksum": "abc"}}, Spec: fullSpec()}
}

func strippedTemplate() corev1.PodTemplateSpec { return corev1.PodTemplateSpec{Spec: strippedSpec()} }

// Names the tests share.
const (
	testNamespace     = "shop"
	managerName       = "kubectl"
	roleARN           = "arn:aws:iam::123456789012:role/web"
	gcpServiceAccount = "web@proj.iam.gserviceaccount.com"
	secretTLS         = "tls"
	secretRegistry    = "registry"
	secretProjected   = "projected"
	secretCSI         = "csi-creds"
	secretDebugEnv    = "debug-env"
	appServiceAccount = "app"
	web               = "web"
)

func typeMeta(kind string) metav1.TypeMeta { return metav1.TypeMeta{APIVersion: "v1", Kind: kind} }

// Each transform keeps exactly what usage reads: the table's want is the
// whole stripped object, so anything else kept fails the test.
func TestStripWorkloads(t *testing.T) {
	cases := []struct {
		name      string
		transform func(any) (any, error)
		in, want  any
	}{
		{"Pod", StripPod,
			&corev1.Pod{TypeMeta: typeMeta("Pod"), ObjectMeta: fullMeta("web-7d4-x"), Spec: fullSpec(), Status: corev1.PodStatus{
				Phase: corev1.PodRunning, PodIP: "10.0.0.1", Conditions: []corev1.PodCondition{{Type: corev1.PodReady}},
				ContainerStatuses: []corev1.ContainerStatus{{Name: web, Image: "registry.example/web:1.2"}}}},
			&Pod{TypeMeta: typeMeta("Pod"), PodMeta: strippedPodMeta("web-7d4-x"), Uses: References{
				ServiceAccount: web, Secrets: strippedSecrets,
				Controller: Owner{APIVersion: "apps/v1", Kind: kindReplicaSet, Name: "web-7d4", UID: "rs-uid"},
				Active:     false, // fullMeta is being deleted
			}}},
		{"Deployment", StripDeployment,
			&appsv1.Deployment{ObjectMeta: fullMeta(web), Spec: appsv1.DeploymentSpec{Replicas: new(int32(3)),
				Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app.kubernetes.io/name": web}}, Template: fullTemplate()},
				Status: appsv1.DeploymentStatus{Replicas: 3}},
			&appsv1.Deployment{ObjectMeta: strippedMeta(web), Spec: appsv1.DeploymentSpec{Template: strippedTemplate()}}},
		{"StatefulSet", StripStatefulSet,
			&appsv1.StatefulSet{ObjectMeta: fullMeta("db"), Spec: appsv1.StatefulSetSpec{ServiceName: "db", Template: fullTemplate(),
				VolumeClaimTemplates: []corev1.PersistentVolumeClaim{{ObjectMeta: metav1.ObjectMeta{Name: "data"}}}}},
			&appsv1.StatefulSet{ObjectMeta: strippedMeta("db"), Spec: appsv1.StatefulSetSpec{Template: strippedTemplate()}}},
		{"DaemonSet", StripDaemonSet,
			&appsv1.DaemonSet{ObjectMeta: fullMeta("agent"), Spec: appsv1.DaemonSetSpec{Template: fullTemplate()},
				Status: appsv1.DaemonSetStatus{NumberReady: 2}},
			&appsv1.DaemonSet{ObjectMeta: strippedMeta("agent"), Spec: appsv1.DaemonSetSpec{Template: strippedTemplate()}}},
		{"ReplicaSet", StripReplicaSet,
			&appsv1.ReplicaSet{ObjectMeta: fullMeta("web-7d4"), Spec: appsv1.ReplicaSetSpec{Replicas: new(int32(0)), Template: fullTemplate()}},
			&appsv1.ReplicaSet{ObjectMeta: strippedMeta("web-7d4"), Spec: appsv1.ReplicaSetSpec{Template: strippedTemplate()}}},
		{"Job", StripJob,
			&batchv1.Job{ObjectMeta: fullMeta("migrate"), Spec: batchv1.JobSpec{BackoffLimit: new(int32(2)), Template: fullTemplate()},
				Status: batchv1.JobStatus{Succeeded: 1, Conditions: []batchv1.JobCondition{
					{Type: batchv1.JobSuccessCriteriaMet, Status: corev1.ConditionTrue},
					{Type: batchv1.JobFailed, Status: corev1.ConditionFalse, Message: "m"},
					{Type: batchv1.JobComplete, Status: corev1.ConditionTrue, Reason: "Done", Message: "m", LastTransitionTime: created},
				}}},
			&batchv1.Job{ObjectMeta: strippedMeta("migrate"), Spec: batchv1.JobSpec{Template: strippedTemplate()},
				Status: batchv1.JobStatus{Conditions: []batchv1.JobCondition{{Type: batchv1.JobComplete, Status: corev1.ConditionTrue}}}}},
		{"CronJob", StripCronJob,
			&batchv1.CronJob{ObjectMeta: fullMeta("nightly"), Spec: batchv1.CronJobSpec{Schedule: "@daily",
				JobTemplate: batchv1.JobTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"a": "b"}},
					Spec: batchv1.JobSpec{Template: fullTemplate()}}},
				Status: batchv1.CronJobStatus{LastScheduleTime: &created}},
			&batchv1.CronJob{ObjectMeta: strippedMeta("nightly"), Spec: batchv1.CronJobSpec{
				JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: strippedTemplate()}}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.transform(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("stripped %s differs from the expected (- got, + want):\n%s", tc.name, diff.Diff(got, tc.want))
			}
			// Idempotent, as client-go requires of a transform.
			again, err := tc.transform(got)
			if err != nil || !reflect.DeepEqual(again, tc.want) {
				t.Fatalf("stripping twice changed the object (err %v):\n%s", err, diff.Diff(again, tc.want))
			}
			// Nothing sensitive survives, whatever the expected object says.
			text, err := json.Marshal(got)
			if err != nil {
				t.Fatal(err)
			}
			for _, dropped := range []string{"hunter2", "registry.example", "checksum", "/healthz", "node-1", managerName} {
				if strings.Contains(string(text), dropped) {
					t.Errorf("%q survived: %s", dropped, text)
				}
			}
		})
	}
}

func TestStripServiceAccount(t *testing.T) {
	long := strings.Repeat("x", maxCloudIdentityLength+1)
	in := &corev1.ServiceAccount{
		TypeMeta: typeMeta("ServiceAccount"),
		ObjectMeta: metav1.ObjectMeta{Name: web, Namespace: testNamespace, UID: "u", ResourceVersion: "7",
			Labels: map[string]string{"team": "payments"}, CreationTimestamp: created, OwnerReferences: owners,
			ManagedFields: []metav1.ManagedFieldsEntry{{Manager: managerName}},
			Annotations: map[string]string{
				corev1.LastAppliedConfigAnnotation: `{"kind":"ServiceAccount"}`,
				"filler":                           strings.Repeat("y", 10000),
				"steward.dev/rotated-at":           "2026-01-01T00:00:00Z",
				AnnotationAWSRoleARN:               roleARN,
				AnnotationGCPServiceAccount:        gcpServiceAccount,
				AnnotationAzureClientID:            long,
			}},
		Secrets:                      []corev1.ObjectReference{{Name: "web-token", Namespace: testNamespace, Kind: "Secret", UID: "s", FieldPath: "x"}},
		ImagePullSecrets:             []corev1.LocalObjectReference{{Name: secretRegistry}},
		AutomountServiceAccountToken: new(false),
	}
	want := &corev1.ServiceAccount{
		TypeMeta: typeMeta("ServiceAccount"),
		ObjectMeta: metav1.ObjectMeta{Name: web, Namespace: testNamespace, UID: "u", ResourceVersion: "7",
			Labels: map[string]string{"team": "payments"}, CreationTimestamp: created, OwnerReferences: owners,
			Annotations: map[string]string{
				"steward.dev/rotated-at":    "2026-01-01T00:00:00Z",
				AnnotationAWSRoleARN:        roleARN,
				AnnotationGCPServiceAccount: gcpServiceAccount,
			}},
		Secrets:          []corev1.ObjectReference{{Name: "web-token"}},
		ImagePullSecrets: []corev1.LocalObjectReference{{Name: secretRegistry}},
	}
	got, err := StripServiceAccount(in)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("stripped ServiceAccount differs (- got, + want):\n%s", diff.Diff(got, want))
	}
	if again, _ := StripServiceAccount(got); !reflect.DeepEqual(again, want) {
		t.Fatalf("stripping twice changed it:\n%s", diff.Diff(again, want))
	}

	// No kept annotation at all leaves none, as StripUnusedMetadata does.
	bare, _ := StripServiceAccount(&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "b",
		Annotations: map[string]string{"other": "x"}}})
	if a := bare.(*corev1.ServiceAccount).Annotations; a != nil {
		t.Errorf("annotations = %v, want nil", a)
	}
}

// A kind's transform also serves its metadata-only informer, and must let
// through what it does not know.
func TestStripOtherInputs(t *testing.T) {
	transforms := map[string]func(any) (any, error){
		"Pod": StripPod, "Deployment": StripDeployment, "StatefulSet": StripStatefulSet, "DaemonSet": StripDaemonSet,
		"ReplicaSet": StripReplicaSet, "Job": StripJob, "CronJob": StripCronJob, "ServiceAccount": StripServiceAccount,
	}
	for name, transform := range transforms {
		t.Run(name, func(t *testing.T) {
			tombstone := cache.DeletedFinalStateUnknown{Key: "shop/x", Obj: &corev1.Pod{}}
			if got, err := transform(tombstone); err != nil || !reflect.DeepEqual(got, tombstone) {
				t.Errorf("a tombstone was changed: %v %v", got, err)
			}
			cm := &corev1.ConfigMap{ObjectMeta: fullMeta("cm")}
			if got, err := transform(cm); err != nil || got != cm || cm.Labels == nil {
				t.Errorf("another kind was changed: %v %v", got, err)
			}

			partial := &metav1.PartialObjectMetadata{TypeMeta: typeMeta(name), ObjectMeta: fullMeta("x")}
			got, err := transform(partial)
			if err != nil {
				t.Fatal(err)
			}
			meta := got.(*metav1.PartialObjectMetadata)
			if meta.ManagedFields != nil || meta.Annotations[corev1.LastAppliedConfigAnnotation] != "" ||
				meta.Name != "x" || meta.TypeMeta != partial.TypeMeta {
				t.Errorf("metadata-only object stripped wrongly: %+v", meta.ObjectMeta)
			}
			if identity := name == "ServiceAccount"; identity != (meta.Labels != nil) {
				t.Errorf("labels kept = %v: only identities keep them (ownership selectors match them)", meta.Labels)
			}
		})
	}
}

// A pod spec referencing more Secrets than the cache keeps is taken to
// reference them all.
func TestStripCapsSecretReferences(t *testing.T) {
	spec := corev1.PodSpec{ServiceAccountName: web}
	for i := range MaxSecretReferences + 10 {
		spec.Volumes = append(spec.Volumes, corev1.Volume{VolumeSource: corev1.VolumeSource{
			Secret: &corev1.SecretVolumeSource{SecretName: fmt.Sprintf("s-%04d", i)}}})
	}
	stripped := stripPodSpec(&spec)
	if got := len(stripped.ImagePullSecrets); got != MaxSecretReferences+1 {
		t.Fatalf("kept %d names, want %d and the marker", got, MaxSecretReferences)
	}
	pod, _ := StripPod(&corev1.Pod{Spec: spec})
	if uses := pod.(*Pod).Uses.Secrets; len(uses) != MaxSecretReferences+1 || uses[MaxSecretReferences] != AllSecrets {
		t.Errorf("a Pod kept %d names (the last %q), want %d and the marker", len(uses), uses[len(uses)-1], MaxSecretReferences)
	}
	if last := stripped.ImagePullSecrets[MaxSecretReferences].Name; last != AllSecrets {
		t.Errorf("the last name is %q, want %q", last, AllSecrets)
	}
}
