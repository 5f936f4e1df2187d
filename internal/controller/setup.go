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
	"maps"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/utils/clock"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/eventrecorder"
	"github.com/nhi-steward/steward/internal/evidence"
	"github.com/nhi-steward/steward/internal/revoke"
	"github.com/nhi-steward/steward/internal/usage"
)

// Options configure the controllers.
type Options struct {
	// StewardNamespace is never governed.
	StewardNamespace string
	// MaxConcurrentReconciles is how many namespaces are governed at once.
	MaxConcurrentReconciles int
	// Clock is the time source; nil means the real clock.
	Clock clock.PassiveClock
	// DecisionLog receives one JSON line per transition and action.
	DecisionLog *evidence.DecisionLog
	// LedgerCapacity is how many identity entries one Ledger object holds;
	// 0 means nhi.LedgerCapacity. Tests lower it to shard small namespaces.
	LedgerCapacity int
	// EventsPerReason is how many Events of one reason one evaluation of a
	// namespace sends about its identities before folding the rest into a
	// summary; 0 means DefaultEventsPerReason.
	EventsPerReason int
	// ReportFormats are the formats of the per-namespace reports; none
	// means evidence.DefaultReportFormat.
	ReportFormats []evidence.ReportFormat
	// StatusBatchPeriod is the longest an ownership's identity rows and
	// count, and a policy's totals and first violations, wait to be
	// written while identities keep arriving or leaving; 0 writes every
	// change at once.
	StatusBatchPeriod time.Duration
}

// CacheOptions restricts what the manager caches: Pods, workloads and
// ServiceAccounts only as far as usage needs them (UsageCacheObjects),
// roles only their rules (AccessCacheObjects), every other object without
// the metadata Steward never reads. Secrets are not cached here at all; see
// SecretCaches.
func CacheOptions() cache.Options {
	byObject := UsageCacheObjects()
	maps.Copy(byObject, AccessCacheObjects())
	return cache.Options{DefaultTransform: StripUnusedMetadata, ByObject: byObject}
}

// StripUnusedMetadata is the cache transform of every object Steward caches.
// It drops what Steward never reads: managedFields, often most of an
// object's metadata, and every annotation but Steward's own steward.dev/
// keys (its copies, compared to avoid writes, and steward.dev/rotated-at).
// Among the dropped: kubectl's last-applied-configuration annotation, which
// for a Secret applied with kubectl holds the Secret's data, and whatever a
// tenant writes into annotations to fill the manager's memory. Labels stay:
// ownership selectors match on them (values are at most 63 characters).
// Nothing is ever written back from a cached object with an Update, so the
// dropped annotations are never lost on the server. An ownership's
// identity rows are kept whole, in less memory (compactRows).
func StripUnusedMetadata(obj any) (any, error) {
	if o, ok := obj.(*nhi.IdentityOwnership); ok {
		o.Status.Identities = compactRows(o.Status.Identities)
	}
	if o, ok := obj.(metav1.Object); ok {
		o.SetManagedFields(nil)
		o.SetLabels(usage.Interned(o.GetLabels(), nil))
		o.SetAnnotations(usage.Interned(o.GetAnnotations(), func(key, _ string) bool {
			return strings.HasPrefix(key, stewardKeyPrefix)
		}))
	}
	return obj, nil
}

// stewardKeyPrefix prefixes every label and annotation key Steward owns.
const stewardKeyPrefix = "steward.dev/"

// SetupWithManager wires Steward's controllers into a manager.
func SetupWithManager(mgr manager.Manager, opts Options) error {
	if opts.Clock == nil {
		opts.Clock = clock.RealClock{}
	}
	if opts.DecisionLog == nil {
		opts.DecisionLog = evidence.NewDecisionLog(nil)
	}
	if opts.MaxConcurrentReconciles < 1 {
		opts.MaxConcurrentReconciles = 1
	}
	events, err := eventrecorder.New(mgr.GetConfig(), mgr.GetHTTPClient(), mgr.GetScheme(), "steward",
		mgr.GetLogger().WithName("events"))
	if err != nil {
		return err
	}
	if err := mgr.Add(events); err != nil {
		return fmt.Errorf("starting the Event recorder: %w", err)
	}
	summaries := NewSummaryStore()
	dynamicClient, err := dynamic.NewForConfig(mgr.GetConfig())
	if err != nil {
		return fmt.Errorf("creating the report client: %w", err)
	}
	secretToNamespace := handler.TypedEnqueueRequestsFromMapFunc(
		func(_ context.Context, obj *metav1.PartialObjectMetadata) []reconcile.Request {
			return []reconcile.Request{{NamespacedName: types.NamespacedName{Name: obj.Namespace}}}
		})
	namespaces := &NamespaceReconciler{}
	secretChanges := predicate.TypedFuncs[*metav1.PartialObjectMetadata]{
		UpdateFunc: func(e event.TypedUpdateEvent[*metav1.PartialObjectMetadata]) bool {
			return ignoreStewardWrites{observed: namespaces.written.observed}.Update(
				event.UpdateEvent{ObjectOld: e.ObjectOld, ObjectNew: e.ObjectNew})
		},
	}
	directories := NewDirectoryCaches(mgr)
	ledgers := &Ledgers{Reader: mgr.GetAPIReader(), Writer: mgr.GetClient(), Namespace: opts.StewardNamespace,
		Capacity: opts.LedgerCapacity}
	*namespaces = NamespaceReconciler{
		Ledgers:          ledgers,
		Directories:      directories,
		Client:           mgr.GetClient(),
		Clock:            opts.Clock,
		Recorder:         events,
		DecisionLog:      opts.DecisionLog,
		Secrets:          NewSecretCaches(mgr, secretToNamespace, secretChanges),
		Summaries:        summaries,
		StewardNamespace: opts.StewardNamespace,
		Revoker:          &revoke.Revoker{Client: mgr.GetClient(), Reader: mgr.GetAPIReader()},
		Reports:          NewReports(dynamicClient, opts.ReportFormats),
		Budget:           &RevocationBudget{Ledgers: ledgers, Clock: opts.Clock, Notify: summaries.NotifyPolicy},
		Patches:          NewPatchSlots(opts.MaxConcurrentReconciles),
		Cache:            mgr.GetCache(),
		EventsPerReason:  opts.EventsPerReason,
		statusWrites:     newStatusBatch(opts.StatusBatchPeriod),
	}
	if err := namespaces.SetupWithManager(mgr, opts.MaxConcurrentReconciles); err != nil {
		return fmt.Errorf("setting up the namespace controller: %w", err)
	}
	policies := &PolicyReconciler{Client: mgr.GetClient(), Ledgers: ledgers, Directories: directories, Clock: opts.Clock, Summaries: summaries,
		Recorder: events, statusWrites: newStatusBatch(opts.StatusBatchPeriod)}
	if err := policies.SetupWithManager(mgr); err != nil {
		return fmt.Errorf("setting up the policy controller: %w", err)
	}
	campaigns := &CampaignReconciler{Client: mgr.GetClient(), APIReader: mgr.GetAPIReader(), Clock: opts.Clock, Recorder: events,
		DecisionLog: opts.DecisionLog, StewardNamespace: opts.StewardNamespace}
	if err := campaigns.SetupWithManager(mgr); err != nil {
		return fmt.Errorf("setting up the campaign controller: %w", err)
	}
	return nil
}
