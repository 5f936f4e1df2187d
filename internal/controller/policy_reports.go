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
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sync"

	"sync/atomic"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/nhi-steward/steward/internal/evidence"
	"github.com/nhi-steward/steward/internal/governance"
)

// +kubebuilder:rbac:groups=wgpolicyk8s.io,resources=policyreports,verbs=get;create;update;delete

// PolicyReports writes one wgpolicyk8s.io PolicyReport per governed
// namespace, when that CRD is installed; without it, it does nothing and
// reports no error. It remembers what it last wrote, so a namespace whose
// evaluation did not change costs no request at all.
//
// It talks to the API through a dynamic client with the resource named
// outright, not through a RESTMapper: a mapper that looked the API up while
// the CRD was still being established would keep answering "no such kind".
type PolicyReports struct {
	Dynamic dynamic.Interface

	// absent is set when the API answered that PolicyReports do not exist,
	// and cleared whenever the CRD changes (see CRDChanged).
	absent atomic.Bool

	mu      sync.Mutex
	written map[string]string // namespace → digest of the report in the API
}

// policyReports is the resource of evidence.PolicyReportGVK.
var policyReports = evidence.PolicyReportGVK.GroupVersion().WithResource("policyreports")

// CRDChanged is called when the PolicyReport CRD is created, updated or
// deleted: the API may now be served, or not.
func (p *PolicyReports) CRDChanged() { p.absent.Store(false) }

// Sync brings a namespace's report to the evaluated state; with no
// governing policy the report is removed.
func (p *PolicyReports) Sync(ctx context.Context, in *namespaceInputs, result *governance.Result) error {
	if p.absent.Load() {
		return nil
	}
	namespace := in.snapshot.Namespace
	var desired *unstructured.Unstructured
	digest := "absent"
	if policy := in.snapshot.Policy; policy != nil {
		desired = evidence.PolicyReport(namespace, policy.Name, reportEntries(result))
		digest = digestOf(desired)
	}
	p.mu.Lock()
	unchanged := p.written[namespace] == digest
	p.mu.Unlock()
	if unchanged {
		return nil
	}
	served, err := p.write(ctx, namespace, desired)
	if err != nil || !served {
		return err
	}
	p.mu.Lock()
	if p.written == nil {
		p.written = map[string]string{}
	}
	p.written[namespace] = digest
	p.mu.Unlock()
	return nil
}

// write returns false when the PolicyReport API is not served.
func (p *PolicyReports) write(ctx context.Context, namespace string, desired *unstructured.Unstructured) (bool, error) {
	reports := p.Dynamic.Resource(policyReports).Namespace(namespace)
	current, err := reports.Get(ctx, evidence.PolicyReportName, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		if desired == nil {
			return true, nil
		}
		_, err = reports.Create(ctx, desired, metav1.CreateOptions{})
		if apierrors.IsNotFound(err) {
			// Not even the collection exists: the CRD is not installed.
			p.absent.Store(true)
			return false, nil
		}
		return true, client.IgnoreAlreadyExists(err)
	case err != nil:
		return false, fmt.Errorf("reading the PolicyReport of %s: %w", namespace, err)
	case desired == nil:
		return true, client.IgnoreNotFound(reports.Delete(ctx, evidence.PolicyReportName, metav1.DeleteOptions{}))
	case equality.Semantic.DeepEqual(current.Object["results"], desired.Object["results"]) &&
		equality.Semantic.DeepEqual(current.Object["summary"], desired.Object["summary"]):
		return true, nil
	}
	desired.SetResourceVersion(current.GetResourceVersion())
	_, err = reports.Update(ctx, desired, metav1.UpdateOptions{})
	return true, err
}
func reportEntries(result *governance.Result) []evidence.ReportEntry {
	var entries []evidence.ReportEntry
	for i := range result.Identities {
		id := &result.Identities[i]
		if !id.Governed {
			continue
		}
		entries = append(entries, evidence.ReportEntry{
			Kind: id.Identity.Kind, Name: id.Identity.Name, UID: string(id.Identity.UID), State: id.State,
			Findings: id.Findings, Ownership: id.Ownership, Exceptions: id.Exceptions, Since: id.Since,
			Action: string(id.Action), Context: evidence.ContextOf(governance.IdentityStatusOf(id)),
		})
	}
	return entries
}

func digestOf(obj *unstructured.Unstructured) string {
	data, _ := json.Marshal([]any{obj.Object["results"], obj.Object["summary"]})
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
