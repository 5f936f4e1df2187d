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
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

var (
	serviceAccounts = schema.GroupVersionResource{Version: "v1", Resource: "serviceaccounts"}
	secrets         = schema.GroupVersionResource{Version: "v1", Resource: "secrets"}
)

// identityRef is one ServiceAccount or Secret of the data set.
type identityRef struct {
	resource  schema.GroupVersionResource
	namespace string
	name      string
}

// listIdentities lists the data set's identities, as metadata, with one
// list of each kind across the cluster (as a controller's informer would),
// and passes each to keep, which says whether to return it.
func listIdentities(ctx context.Context, cl *clients, data dataSet,
	keep func(metav1.PartialObjectMetadata) bool) ([]identityRef, error) {
	var refs []identityRef
	inDataSet := data.namespaces()
	for _, gvr := range []schema.GroupVersionResource{serviceAccounts, secrets} {
		list, err := cl.metadata.Resource(gvr).List(ctx, metav1.ListOptions{})
		if err != nil {
			return nil, err
		}
		for _, item := range list.Items {
			if inDataSet[item.Namespace] && strings.HasPrefix(item.Name, "id-") && keep(item) {
				refs = append(refs, identityRef{gvr, item.Namespace, item.Name})
			}
		}
	}
	return refs, nil
}

func everyIdentity(metav1.PartialObjectMetadata) bool { return true }

// floorPrefix prefixes the floor's keys, its copies of Steward's.
const floorPrefix = "bench.steward.dev/"

// floorStateAnnotation is the floor's copy of Steward's state annotation.
const floorStateAnnotation = floorPrefix + "state"

// baseline is the floor: what any controller must at least do. It lists the
// identities and issues one metadata patch for each, with as many workers
// as Steward's concurrency and no client-side rate limit. It writes its own
// annotations, of the size of Steward's, so that it leaves Steward's runs
// untouched. Its time ends as Steward's does: when a watch of its own has
// seen every identity carry what it wrote, so that both runs are observed
// at the same cost to the API server.
func baseline(ctx context.Context, c config, data dataSet) (time.Duration, int, error) {
	cl, err := newClients(c) // a connection of its own, as Steward has
	if err != nil {
		return 0, 0, err
	}
	stop := make(chan struct{})
	defer close(stop)
	cv := watchConvergence(cl, data, func(item *metav1.PartialObjectMetadata) bool {
		return item.Annotations[floorStateAnnotation] == string(nhi.StateUnowned)
	}, stop)
	if done, _ := cv.count(); done != 0 {
		return 0, 0, fmt.Errorf("floor: %d identities carry its state before it starts", done)
	}
	start := time.Now()
	refs, err := listIdentities(ctx, cl, data, everyIdentity)
	if err != nil {
		return 0, 0, err
	}
	patch, _ := json.Marshal(map[string]any{"metadata": map[string]any{
		"labels": map[string]string{floorPrefix + "finding": "unowned"},
		"annotations": map[string]string{
			floorStateAnnotation: string(nhi.StateUnowned), floorPrefix + "findings": "Unowned",
			floorPrefix + "finding-since": time.Now().UTC().Format(time.RFC3339),
		},
	}})
	err = parallel(len(refs), c.concurrency, func(i int) error {
		ref := refs[i]
		_, err := cl.metadata.Resource(ref.resource).Namespace(ref.namespace).
			Patch(ctx, ref.name, types.MergePatchType, patch, metav1.PatchOptions{})
		return err
	})
	if err != nil {
		return 0, 0, err
	}
	for {
		if cv.complete(len(refs)) {
			return time.Since(start), len(refs), nil
		}
		if time.Since(start) > c.timeout {
			return 0, 0, fmt.Errorf("floor: its watch did not see every patch within %s", c.timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
