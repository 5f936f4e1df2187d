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

package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

const (
	// benchLabel marks the bench's namespaces. The steward.dev/ prefix is
	// Steward's own (on identities, the protected-keys admission policy
	// refuses it to anyone but Steward), so the bench keeps to its own.
	benchLabel = "bench.steward.dev/set"
	ownedLabel = "bench.steward.dev/owned"
	// ownedValue is ownedLabel's value on the half of the identities the
	// bench's ownerships select.
	ownedValue = "true"
	// credential is the key of each bench Secret's data, and the name of
	// the volume mounting it in the bench's Pods.
	credential = "credential"
	// approver approves the bench's ownerships. The separation-of-duties
	// admission policy lets only the person named in spec.approval.approvedBy
	// record an approval, so the bench creates them as that person
	// (clients.approver).
	approver = "carol@example.com"
	// stewardNamespace holds Steward's ledgers; the manager's default
	// --steward-namespace.
	stewardNamespace = "steward-system"
	// benchPurpose is the purpose of the bench's ownerships.
	benchPurpose = "benchmark"
)

func kubernetesScheme() *runtime.Scheme {
	scheme := runtime.NewScheme()
	_ = clientgoscheme.AddToScheme(scheme)
	return scheme
}

// parallel runs fn for 0..n-1 on workers goroutines and returns the first error.
func parallel(n, workers int, fn func(i int) error) error {
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	next := make(chan int)
	for range workers {
		wg.Go(func() {
			for i := range next {
				if err := fn(i); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return firstErr
}

func ignoreExists(err error) error {
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	return err
}

// seed creates the convergence data set: a DryRun policy, and per namespace
// an ownership covering the half of the identities labelled owned. Seeding
// is not timed; it runs c.seedWorkers requests at once.
func seed(ctx context.Context, cl *clients, c config, data dataSet) error {
	// The manager keeps its records (Ledgers) in its own namespace, which
	// config/local creates; a bench run against CRDs alone needs it too.
	if err := ignoreExists(cl.ctrl.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		Name: stewardNamespace}})); err != nil {
		return err
	}
	policy := &nhi.OwnershipPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: "bench"},
		Spec: nhi.OwnershipPolicySpec{
			NamespaceSelector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
				{Key: benchLabel, Operator: metav1.LabelSelectorOpExists}}},
			Kinds:       []nhi.IdentityKind{nhi.KindServiceAccount, nhi.KindSecret},
			SecretTypes: []string{"Opaque"},
			Rules: []nhi.PolicyRule{
				{Finding: nhi.FindingUnowned, Action: nhi.ActionFlag},
				{Finding: nhi.FindingExpired, Action: nhi.ActionFlag},
			},
		},
	}
	if err := ignoreExists(cl.ctrl.Create(ctx, policy)); err != nil {
		return err
	}
	payload := make([]byte, c.secretBytes)
	if _, err := rand.Read(payload); err != nil {
		return err
	}
	if err := parallel(len(data.perNamespace), c.seedWorkers, func(n int) error {
		ns := namespaceName(n)
		if err := ignoreExists(cl.ctrl.Create(ctx, benchNamespace(ns, "convergence"))); err != nil {
			return err
		}
		return ignoreExists(cl.approver.Create(ctx, selectorOwnership(ns)))
	}); err != nil {
		return err
	}

	type item struct{ namespace, index int }
	var items []item
	for n, count := range data.perNamespace {
		for i := range count {
			items = append(items, item{n, i})
		}
	}
	what := "ServiceAccounts with their Secret"
	if c.pods {
		what += " and Pod"
	}
	var done atomic.Int64
	stop := progress(func() string { return fmt.Sprintf("seeding: %d/%d %s", done.Load(), len(items), what) })
	defer stop()
	return parallel(len(items), c.seedWorkers, func(k int) error {
		defer done.Add(1)
		labels := map[string]string{}
		if items[k].index%2 == 0 {
			labels[ownedLabel] = ownedValue
		}
		meta := metav1.ObjectMeta{Name: identityName(items[k].index), Namespace: namespaceName(items[k].namespace),
			Labels: labels}
		if err := ignoreExists(cl.ctrl.Create(ctx, serviceAccount(meta.Namespace, meta.Name, labels))); err != nil {
			return err
		}
		if err := ignoreExists(cl.ctrl.Create(ctx, &corev1.Secret{ObjectMeta: meta, Type: corev1.SecretTypeOpaque,
			Data: map[string][]byte{credential: payload}})); err != nil {
			return err
		}
		if !c.pods {
			return nil
		}
		return ignoreExists(cl.ctrl.Create(ctx, benchPod(meta)))
	})
}

// benchNamespace is a namespace the bench policy governs; set says what it
// is for.
func benchNamespace(name, set string) *corev1.Namespace {
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{benchLabel: set}}}
}

func serviceAccount(namespace, name string, labels map[string]string) *corev1.ServiceAccount {
	return &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace, Labels: labels}}
}

// selectorOwnership covers the identities labelled owned in a namespace,
// approved by the approver an hour ago, for a year.
func selectorOwnership(namespace string) *nhi.IdentityOwnership {
	return &nhi.IdentityOwnership{
		ObjectMeta: metav1.ObjectMeta{Name: "owned-half", Namespace: namespace},
		Spec: nhi.IdentityOwnershipSpec{
			Selector:  &nhi.IdentitySelector{MatchLabels: map[string]string{ownedLabel: ownedValue}},
			Owner:     benchOwner(),
			Purpose:   benchPurpose,
			Approval:  benchApproval(time.Now().Add(-time.Hour)),
			ExpiresAt: metav1.NewTime(time.Now().Add(365 * 24 * time.Hour)),
		},
	}
}

func benchOwner() nhi.Owner {
	return nhi.Owner{Team: "payments", Contacts: []nhi.Person{"alice@example.com"}}
}

// benchApproval is the approver's approval given at the time at.
func benchApproval(at time.Time) *nhi.Approval {
	return &nhi.Approval{ApprovedBy: approver, ApprovedAt: metav1.NewTime(at), Reference: "BENCH"}
}

// progress logs what status says every 15 seconds until the returned
// function is called, so that a long phase is not mistaken for a hang.
func progress(status func() string) (stop func()) {
	done := make(chan struct{})
	go func() {
		ticker := time.NewTicker(15 * time.Second)
		defer ticker.Stop()
		for {
			select {
			case <-done:
				return
			case <-ticker.C:
				logf("%s", status())
			}
		}
	}()
	return func() { close(done) }
}

// benchPod runs as the ServiceAccount of the same name and mounts the
// Secret of the same name, as a workload would: Steward caches it (stripped)
// to know both are in use. It stays Pending: no node runs it.
func benchPod(identity metav1.ObjectMeta) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: identity.Name, Namespace: identity.Namespace},
		Spec: corev1.PodSpec{
			ServiceAccountName:           identity.Name,
			AutomountServiceAccountToken: new(false),
			Containers: []corev1.Container{{
				Name: "app", Image: "registry.invalid/bench:1",
				Env: []corev1.EnvVar{{Name: "CREDENTIAL", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
					LocalObjectReference: corev1.LocalObjectReference{Name: identity.Name}, Key: credential}}}},
				VolumeMounts: []corev1.VolumeMount{{Name: credential, MountPath: "/var/run/credential"}},
			}},
			Volumes: []corev1.Volume{{Name: credential, VolumeSource: corev1.VolumeSource{
				Secret: &corev1.SecretVolumeSource{SecretName: identity.Name}}}},
		},
	}
}
