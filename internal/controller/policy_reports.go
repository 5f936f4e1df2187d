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
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"
	"sigs.k8s.io/controller-runtime/pkg/client"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/evidence"
	"github.com/nhi-steward/steward/internal/governance"
)

// +kubebuilder:rbac:groups=wgpolicyk8s.io,resources=policyreports,verbs=get;create;update;delete
// +kubebuilder:rbac:groups=openreports.io,resources=reports,verbs=get;create;update;delete

// Reports writes one report named steward per governed namespace, in each
// chosen format (wgpolicyk8s.io PolicyReport, OpenReports Report) whose CRD
// is installed; a format whose CRD is absent costs nothing and reports no
// error. Steward's report of a format that is not chosen is removed, so that
// changing --report-format leaves no stale findings behind. Each format has
// its own writer, the only one to write its objects.
type Reports struct {
	writers []*reportWriter
}

// NewReports writes the reports of the chosen formats; none chosen means
// evidence.DefaultReportFormat.
func NewReports(dynamicClient dynamic.Interface, chosen []evidence.ReportFormat) *Reports {
	if len(chosen) == 0 {
		chosen = []evidence.ReportFormat{evidence.ReportFormat(evidence.DefaultReportFormat)}
	}
	r := &Reports{}
	for _, format := range evidence.ReportFormats {
		r.writers = append(r.writers, &reportWriter{format: format, chosen: slices.Contains(chosen, format),
			reports: dynamicClient.Resource(format.Resource())})
	}
	return r
}

// WatchesCRD reports whether a CRD serves one of the report formats.
func (r *Reports) WatchesCRD(name string) bool {
	return slices.ContainsFunc(r.writers, func(w *reportWriter) bool { return w.format.CRDName() == name })
}

// CRDChanged is called when a report CRD is created, updated or deleted:
// its API may now be served, or not, and a deleted CRD took every report of
// its kind with it, so what the writer remembers writing is forgotten.
func (r *Reports) CRDChanged(name string) {
	for _, w := range r.writers {
		if w.format.CRDName() == name {
			w.mu.Lock()
			w.written = nil
			w.mu.Unlock()
			w.absent.Store(false)
		}
	}
}

// Sync brings a namespace's reports to the evaluated state; with no
// governing policy they are removed. The report is built only if a writer
// will write it, and once for all of them: where no report CRD is
// installed, a large namespace's pass costs nothing for reports.
func (r *Reports) Sync(ctx context.Context, in *namespaceInputs, result *governance.Result) error {
	namespace := in.snapshot.Namespace
	var content func() *evidence.ReportContent
	if policy := in.snapshot.Policy; policy != nil {
		content = sync.OnceValue(func() *evidence.ReportContent {
			return evidence.BuildReport(namespace, policy.Name, reportEntries(in, result))
		})
	}
	errs := make([]error, 0, len(r.writers))
	for _, w := range r.writers {
		desired := content
		if !w.chosen {
			desired = nil
		}
		errs = append(errs, w.sync(ctx, namespace, desired))
	}
	return errors.Join(errs...)
}

// absentDigest is what a writer remembers of a namespace where it keeps
// no report.
const absentDigest = "absent"

// reportWriter writes the reports of one format. It remembers what it last
// wrote, so a namespace whose evaluation did not change costs no request at
// all.
//
// It talks to the API through a dynamic client with the resource named
// outright, not through a RESTMapper: a mapper that looked the API up while
// the CRD was still being established would keep answering "no such kind".
type reportWriter struct {
	format evidence.ReportFormat
	// chosen is false when --report-format leaves this format out: the
	// writer then only removes Steward's report.
	chosen  bool
	reports dynamic.NamespaceableResourceInterface

	// absent is set when the API answered that the format's reports do not
	// exist; it and written are cleared whenever the CRD changes (see
	// CRDChanged).
	absent atomic.Bool

	mu      sync.Mutex
	written map[string]string // namespace → digest of the report in the API
}

// sync brings one namespace's report of this format to what build
// returns; a nil build removes it. build is not called when the format's
// reports do not exist.
func (w *reportWriter) sync(ctx context.Context, namespace string, build func() *evidence.ReportContent) error {
	if w.absent.Load() {
		return nil
	}
	digest := absentDigest
	var desired *evidence.ReportContent
	if build != nil {
		desired = build()
		digest = desired.Digest()
	}
	w.mu.Lock()
	unchanged := w.written[namespace] == digest
	w.mu.Unlock()
	if unchanged {
		return nil
	}
	var report *unstructured.Unstructured
	if desired != nil {
		report = desired.As(w.format)
	}
	served, err := w.write(ctx, namespace, report)
	if err != nil || !served {
		return err
	}
	w.mu.Lock()
	if w.written == nil {
		w.written = map[string]string{}
	}
	w.written[namespace] = digest
	w.mu.Unlock()
	return nil
}

// write returns false when the format's API is not served.
func (w *reportWriter) write(ctx context.Context, namespace string, desired *unstructured.Unstructured) (bool, error) {
	reports := w.reports.Namespace(namespace)
	kind := w.format.GVK().Kind
	current, err := reports.Get(ctx, evidence.PolicyReportName, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		if desired == nil {
			return true, nil
		}
		_, err = reports.Create(ctx, desired, metav1.CreateOptions{})
		if apierrors.IsNotFound(err) {
			// Not even the collection exists: the CRD is not installed.
			w.absent.Store(true)
			return false, nil
		}
		return true, client.IgnoreAlreadyExists(err)
	case err != nil:
		return false, fmt.Errorf("reading the %s of %s: %w", kind, namespace, err)
	case desired == nil:
		if current.GetLabels()[managedByLabel] != managedBySteward {
			return true, nil // not Steward's report: not Steward's to remove
		}
		return true, client.IgnoreNotFound(reports.Delete(ctx, evidence.PolicyReportName, metav1.DeleteOptions{}))
	case equality.Semantic.DeepEqual(current.Object["results"], desired.Object["results"]) &&
		equality.Semantic.DeepEqual(current.Object["summary"], desired.Object["summary"]):
		return true, nil
	}
	desired.SetResourceVersion(current.GetResourceVersion())
	_, err = reports.Update(ctx, desired, metav1.UpdateOptions{})
	return true, err
}

// The label that marks Steward's reports.
const (
	managedByLabel   = "app.kubernetes.io/managed-by"
	managedBySteward = "steward"
)

// reportEntries are the namespace's governed identities, each with the
// owner that answers for it.
func reportEntries(in *namespaceInputs, result *governance.Result) []evidence.ReportEntry {
	governed := make([]*governance.IdentityResult, 0, len(result.Identities))
	for i := range result.Identities {
		if result.Identities[i].Governed {
			governed = append(governed, &result.Identities[i])
		}
	}
	// The report's own order, so that only the entries it lists are built
	// whole; the rest count in its summary, for which their state and
	// warnings suffice. Sorting pointers moves 8 bytes where sorting
	// entries moves a few hundred.
	// The fields, not Identity.Ref(), which copies the whole identity: the
	// report is built while the identity patches update ResourceVersion.
	slices.SortFunc(governed, func(a, b *governance.IdentityResult) int {
		return evidence.CompareReportOrder(nhi.IdentityReference{Kind: a.Identity.Kind, Name: a.Identity.Name},
			nhi.IdentityReference{Kind: b.Identity.Kind, Name: b.Identity.Name})
	})
	owners := ownersOf(in, result)
	entries := make([]evidence.ReportEntry, len(governed))
	for i, id := range governed {
		entry := evidence.ReportEntry{Kind: id.Identity.Kind, Name: id.Identity.Name, State: id.State}
		if i >= evidence.MaxReportResults {
			entry.Context = evidence.ContextOf(nhi.IdentityStatus{Warnings: id.Warnings})
			entries[i] = entry
			continue
		}
		entry.UID, entry.Findings, entry.Ownership, entry.Exceptions = string(id.Identity.UID), id.Findings, id.Ownership, id.Exceptions
		entry.Since, entry.Action, entry.Owner = id.Since, string(id.Action), owners[id.Ownership]
		entry.Context = evidence.ContextOf(governance.IdentityStatusOf(id))
		entries[i] = entry
	}
	return entries
}

// ownersOf gives, by ownership name, who answers for the identities each
// ownership covers: its spec's team, contacts and expiry, and the review
// date the evaluation computed.
func ownersOf(in *namespaceInputs, result *governance.Result) map[string]evidence.Owner {
	owners := make(map[string]evidence.Owner, len(in.snapshot.Ownerships))
	for i := range in.snapshot.Ownerships {
		o := &in.snapshot.Ownerships[i]
		owner := evidence.Owner{Team: o.Spec.Owner.Team, Contacts: personNames(o.Spec.Owner.Contacts),
			ExpiresAt: o.Spec.ExpiresAt.Time}
		if r := result.Ownerships[o.Name]; r != nil && r.NextReviewBy != nil {
			owner.NextReviewBy = *r.NextReviewBy
		}
		owners[o.Name] = owner
	}
	return owners
}

func personNames(people []nhi.Person) []string {
	names := make([]string, len(people))
	for i, p := range people {
		names[i] = string(p)
	}
	return names
}
