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
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

// The reports Steward writes per namespace when their CRDs are installed.
const (
	policyReportsResource = "policyreports"
	openReportsResource   = "reports"
)

var reportResources = []schema.GroupVersionResource{
	{Group: "wgpolicyk8s.io", Version: "v1alpha2", Resource: policyReportsResource},
	{Group: "openreports.io", Version: "v1alpha1", Resource: openReportsResource},
}

// resetSteward removes what a stopped manager left behind, so that the next
// run starts from the seeded data set as a first install would: its records
// (the Ledgers in its namespace), its reports, and every steward.dev/ label
// and annotation on the identities. Ownership and policy status is left: a
// manager derives it afresh. Stripping the keys (one unthrottled patch per
// identity) is faster than deleting and seeding the data set again.
func resetSteward(ctx context.Context, cl *clients, c config, data dataSet) error {
	if err := cl.ctrl.DeleteAllOf(ctx, &nhi.Ledger{}, client.InNamespace(stewardNamespace)); err != nil {
		return fmt.Errorf("deleting the ledgers: %w", err)
	}
	for n := range data.perNamespace {
		for _, gvr := range reportResources {
			err := cl.metadata.Resource(gvr).Namespace(namespaceName(n)).
				DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{})
			if err != nil && !apierrors.IsNotFound(err) {
				return fmt.Errorf("deleting %s: %w", gvr.Resource, err)
			}
		}
	}
	if err := resetKeys(ctx, cl, c, data, []string{stewardPrefix}); err != nil {
		return err
	}
	var left nhi.LedgerList
	if err := cl.ctrl.List(ctx, &left, client.InNamespace(stewardNamespace)); err != nil {
		return err
	}
	if len(left.Items) != 0 {
		return fmt.Errorf("%d ledgers are left after deleting them", len(left.Items))
	}
	return nil
}

// resetKeys removes every label and annotation whose key starts with one of
// prefixes from the data set's identities.
func resetKeys(ctx context.Context, cl *clients, c config, data dataSet, prefixes []string) error {
	var patches [][]byte
	refs, err := listIdentities(ctx, cl, data, func(item metav1.PartialObjectMetadata) bool {
		patch := stripPatch(item, prefixes)
		if patch != nil {
			patches = append(patches, patch)
		}
		return patch != nil
	})
	if err != nil {
		return err
	}
	var done atomic.Int64
	stop := progress(func() string {
		return fmt.Sprintf("removing the %s keys: %d/%d identities", strings.Join(prefixes, " and "),
			done.Load(), len(refs))
	})
	defer stop()
	// A few workers patch faster than many on a small machine, where the
	// API server and etcd share its cores.
	return parallel(len(refs), 2*c.concurrency, func(i int) error {
		defer done.Add(1)
		ref := refs[i]
		_, err := cl.metadata.Resource(ref.resource).Namespace(ref.namespace).
			Patch(ctx, ref.name, types.MergePatchType, patches[i], metav1.PatchOptions{})
		return err
	})
}

// stripPatch is a merge patch removing an object's labels and annotations
// whose keys start with one of prefixes, or nil when it has none.
func stripPatch(item metav1.PartialObjectMetadata, prefixes []string) []byte {
	nulls := func(m map[string]string) map[string]any {
		out := map[string]any{}
		for k := range m {
			if slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(k, p) }) {
				out[k] = nil
			}
		}
		return out
	}
	labels, annotations := nulls(item.Labels), nulls(item.Annotations)
	if len(labels)+len(annotations) == 0 {
		return nil
	}
	patch, _ := json.Marshal(map[string]any{"metadata": map[string]any{"labels": labels, "annotations": annotations}})
	return patch
}

// removeRunObjects deletes what the churn and deadline runs added (the
// churn identities, the deadline namespace and all in it), so that the
// floor's second run meets an API server holding what its first run did.
func removeRunObjects(ctx context.Context, cl *clients) error {
	for _, obj := range []client.Object{&corev1.ServiceAccount{}, &corev1.Secret{}} {
		if err := cl.ctrl.DeleteAllOf(ctx, obj, client.InNamespace(namespaceName(0)),
			client.MatchingLabels{churnLabel: "true"}); err != nil {
			return fmt.Errorf("deleting the churn identities: %w", err)
		}
	}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: deadlineNamespace}}
	if err := cl.ctrl.Delete(ctx, ns); err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("deleting namespace %s: %w", deadlineNamespace, err)
	}
	for deadline := time.Now().Add(3 * time.Minute); ; time.Sleep(500 * time.Millisecond) {
		err := cl.ctrl.Get(ctx, client.ObjectKeyFromObject(ns), ns)
		if apierrors.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("namespace %s is still there after 3 minutes", deadlineNamespace)
		}
	}
}
