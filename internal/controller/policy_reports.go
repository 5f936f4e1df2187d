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

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/nhi-steward/steward/internal/evidence"
	"github.com/nhi-steward/steward/internal/governance"
)

// +kubebuilder:rbac:groups=wgpolicyk8s.io,resources=policyreports,verbs=get;create;update;delete

// PolicyReports writes one wgpolicyk8s.io PolicyReport per governed
// namespace, when that CRD is installed; without it, it does nothing and
// reports no error. It remembers what it last wrote, so a namespace whose
// evaluation did not change costs no request at all.
type PolicyReports struct {
	Client client.Client
	// Reader reads reports from the API server: they are not cached.
	Reader client.Reader
	Mapper meta.RESTMapper

	mu      sync.Mutex
	written map[string]string // namespace → digest of the report in the API
}

// Sync brings a namespace's report to the evaluated state; with no
// governing policy the report is removed.
func (p *PolicyReports) Sync(ctx context.Context, in *namespaceInputs, result *governance.Result) error {
	if _, err := p.Mapper.RESTMapping(evidence.PolicyReportGVK.GroupKind(), evidence.PolicyReportGVK.Version); err != nil {
		if meta.IsNoMatchError(err) {
			return nil
		}
		return fmt.Errorf("looking up the PolicyReport API: %w", err)
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
	if err := p.write(ctx, namespace, desired); err != nil {
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

func (p *PolicyReports) write(ctx context.Context, namespace string, desired *unstructured.Unstructured) error {
	current := &unstructured.Unstructured{}
	current.SetGroupVersionKind(evidence.PolicyReportGVK)
	err := p.Reader.Get(ctx, client.ObjectKey{Namespace: namespace, Name: evidence.PolicyReportName}, current)
	switch {
	case apierrors.IsNotFound(err):
		if desired == nil {
			return nil
		}
		return client.IgnoreAlreadyExists(p.Client.Create(ctx, desired))
	case err != nil:
		return fmt.Errorf("reading the PolicyReport of %s: %w", namespace, err)
	case desired == nil:
		return client.IgnoreNotFound(p.Client.Delete(ctx, current))
	case equality.Semantic.DeepEqual(current.Object["results"], desired.Object["results"]) &&
		equality.Semantic.DeepEqual(current.Object["summary"], desired.Object["summary"]):
		return nil
	}
	desired.SetResourceVersion(current.GetResourceVersion())
	return p.Client.Update(ctx, desired)
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
			Action: string(id.Action),
		})
	}
	return entries
}

func digestOf(obj *unstructured.Unstructured) string {
	data, _ := json.Marshal([]any{obj.Object["results"], obj.Object["summary"]})
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
