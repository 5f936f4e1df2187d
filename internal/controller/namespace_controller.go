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
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/source"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/evidence"
	"github.com/nhi-steward/steward/internal/governance"
	"github.com/nhi-steward/steward/internal/revoke"
)

// NamespaceReconciler governs one namespace per reconcile: it reads the
// namespace's identities and Steward objects from the cache, lets the
// governance package decide, applies only the differences, and requeues at
// the next deadline. It is the only writer of identity metadata and of the
// status of IdentityOwnership, OwnershipException and OwnershipReview.
type NamespaceReconciler struct {
	client.Client
	Clock       clock.PassiveClock
	Recorder    events.EventRecorder
	DecisionLog *evidence.DecisionLog
	Secrets     *SecretCaches
	Summaries   *SummaryStore
	// Revoker and Budget carry out Enforce-mode revocations; a nil Revoker
	// never revokes.
	Revoker *revoke.Revoker
	// Ledgers holds Steward's own records; it is the only source of the
	// states, grace clocks and revocations Steward acts on.
	Ledgers *Ledgers
	// Directories caches the owner directories policies name.
	Directories *DirectoryCaches
	Budget      *RevocationBudget
	// Reports writes the namespace's reports in the chosen formats whose
	// CRDs are installed; nil writes none.
	Reports *Reports
	// StewardNamespace is never governed.
	StewardNamespace string
	// Patches bounds the identity patches in flight across namespaces.
	Patches *PatchSlots
	// EventsPerReason is how many Events of one reason an evaluation sends
	// about identities before folding the rest into one summary about the
	// namespace; 0 means DefaultEventsPerReason.
	EventsPerReason int
	// Cache, when set, is the cache behind Client: the largest reads of a
	// reconcile take its objects without copying them (cachedInNamespace).
	Cache cache.Cache

	written writeLedger
	// statusWrites spaces out the status writes that only refresh an
	// ownership's rows; nil writes every change at once.
	statusWrites *statusBatch
}

// +kubebuilder:rbac:groups="",resources=namespaces,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=serviceaccounts;secrets,verbs=get;list;watch;patch;delete
// +kubebuilder:rbac:groups=rbac.authorization.k8s.io,resources=rolebindings;clusterrolebindings,verbs=get;list;watch;update
// +kubebuilder:rbac:groups=rbac.authorization.k8s.io,resources=roles;clusterroles,verbs=bind
// +kubebuilder:rbac:groups="",resources=configmaps,verbs=get;list;watch
// +kubebuilder:rbac:groups=apiextensions.k8s.io,resources=customresourcedefinitions,verbs=get;list;watch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create
// +kubebuilder:rbac:groups=nhi.steward.dev,resources=identityownerships;ownershipexceptions;ownershipreviews;ownershippolicies,verbs=get;list;watch
// +kubebuilder:rbac:groups=nhi.steward.dev,resources=identityownerships/status;ownershipexceptions/status;ownershipreviews/status;ownershippolicies/status,verbs=get;patch

// Reconcile brings one namespace to the state the governance package
// decides.
func (r *NamespaceReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	log := logf.FromContext(ctx).WithValues("namespace", req.Name)
	timing := startPhases()

	// 1. Observe: every input, or nothing is done.
	in, err := r.readInputs(ctx, req.Name)
	if err != nil {
		return ctrl.Result{}, err
	}
	if in == nil {
		r.Summaries.Delete(req.Name)
		r.Ledgers.forgetNamespace(req.Name)
		return ctrl.Result{}, nil
	}

	timing.done("read")

	// 2. Decide.
	result := governance.Evaluate(in.snapshot)
	evidence.CountEvaluation(len(result.Identities))
	timing.done("evaluate")

	// 3. Apply: revocations due (Enforce only), then status, so history is
	// recorded before the identity carries its new state; then the
	// identities' metadata, with their events. A revocation that fails is
	// retried, but does not hold up the rest of the namespace: its error is
	// returned once everything else is applied.
	revocationErr := r.revokeDue(ctx, in, &result)
	statusDueAt, err := r.writeStatuses(ctx, in, &result)
	if err != nil {
		return ctrl.Result{}, err
	}
	timing.done("status")
	// The people's copies, the ledger and the reports at once, then the
	// evidence of what the ledger now holds. None waits for another: the
	// copies and the reports decide nothing, and the ledger records what is
	// decided even when some patches fail, or take the whole reconcile
	// timeout; without it the next pass would decide every transition
	// again, with new clocks, and patch them all again. Each is waited for
	// before the reconcile ends, so the next pass never races this one.
	ledger := r.writeLedger(ctx, in, &result)
	reports := r.syncReports(ctx, in, &result)
	writes, patchErr := r.applyIdentities(ctx, in, &result)
	timing.within("patches")
	ledgerErr := <-ledger
	timing.within("ledger")
	reportErr := <-reports
	if ledgerErr != nil {
		return ctrl.Result{}, errors.Join(revocationErr, patchErr, ledgerErr, reportErr)
	}
	timing.done("apply")
	r.recordTransitions(ctx, in, &result)

	// 4. Evidence: the policy's aggregate status, metrics.
	r.Summaries.Put(summarize(in, &result))
	evidence.SetDeadlines(req.Name, deadlines(in, &result))
	timing.done("evidence")

	if err := errors.Join(revocationErr, patchErr, reportErr); err != nil {
		return ctrl.Result{}, err
	}
	requeue := time.Duration(0)
	if next := soonest(result.NextDeadline, statusDueAt); !next.IsZero() {
		requeue = max(next.Sub(r.Clock.Now()), time.Millisecond)
	}
	if revoked(&result) {
		// A revocation changes what other objects' status say about it (a
		// review's remediation actions): evaluate the namespace again from
		// the ledger, rather than patch the result by hand.
		requeue = time.Millisecond
	}
	log.V(1).Info("reconciled", append([]any{"identities", len(result.Identities), "writes", writes,
		"requeueAfter", requeue.String()}, timing.fields...)...)
	return ctrl.Result{RequeueAfter: requeue}, nil
}

// ledgerWriteTimeout bounds the ledger write of one reconcile. It has its
// own deadline, not what is left of the reconcile's: a reconcile that spent
// its --reconcile-timeout patching must still record what it decided.
const ledgerWriteTimeout = 30 * time.Second

// writeLedger starts recording one evaluation in the namespace's ledger and
// shards; the channel gives the outcome. What is recorded is computed
// before it returns: the patches that run meanwhile change nothing it reads.
func (r *NamespaceReconciler) writeLedger(ctx context.Context, in *namespaceInputs, result *governance.Result) <-chan error {
	changes := recordChanges(in.ledgers, result, r.Ledgers.capacity())
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ledgerWriteTimeout)
		defer cancel()
		done <- r.Ledgers.PatchNamespace(ctx, in.ledgers, changes)
	}()
	return done
}

// syncReports starts writing the namespace's reports; the channel gives
// the outcome. The report reads the result and the identities' names,
// states and context; the identity patches running beside it write only
// an identity's ResourceVersion (patchIdentity), which it never reads.
func (r *NamespaceReconciler) syncReports(ctx context.Context, in *namespaceInputs, result *governance.Result) <-chan error {
	done := make(chan error, 1)
	if r.Reports == nil {
		done <- nil
		return done
	}
	go func() { done <- r.Reports.Sync(ctx, in, result) }()
	return done
}

// revoked reports whether this pass committed a revocation.
func revoked(result *governance.Result) bool {
	for i := range result.Identities {
		id := &result.Identities[i]
		if id.State == nhi.StateRevoked && id.PreviousState != nhi.StateRevoked {
			return true
		}
	}
	return false
}

// SetupWithManager registers the reconciler and its watches. Every change
// to an identity or a Steward object enqueues its namespace; a policy or
// directory change enqueues every namespace.
func (r *NamespaceReconciler) SetupWithManager(mgr ctrl.Manager, maxConcurrentReconciles int) error {
	toNamespace := handler.EnqueueRequestsFromMapFunc(func(_ context.Context, obj client.Object) []reconcileRequest {
		return []reconcileRequest{{NamespacedName: types.NamespacedName{Name: obj.GetNamespace()}}}
	})
	everyNamespace := handler.EnqueueRequestsFromMapFunc(r.allNamespaces)
	specChanged := builder.WithPredicates(predicate.GenerationChangedPredicate{})

	if err := indexBindingSubjects(context.Background(), mgr); err != nil {
		return fmt.Errorf("indexing bindings by ServiceAccount: %w", err)
	}
	if err := indexAccessBindings(context.Background(), mgr); err != nil {
		return err
	}
	bindingChanges, reachChanged := r.accessChangedBindings()
	b := ctrl.NewControllerManagedBy(mgr).
		Named("namespace").
		For(&corev1.Namespace{}, builder.OnlyMetadata, builder.WithPredicates(predicate.LabelChangedPredicate{})).
		// Typed, but stripped to what Steward reads (usage.StripServiceAccount).
		Watches(&corev1.ServiceAccount{}, toNamespace,
			builder.WithPredicates(ignoreStewardWrites{observed: r.written.observed})).
		Watches(&nhi.IdentityOwnership{}, toNamespace, specChanged).
		Watches(&nhi.OwnershipException{}, toNamespace, specChanged).
		Watches(&nhi.OwnershipReview{}, toNamespace, specChanged).
		Watches(&nhi.OwnershipPolicy{}, everyNamespace, specChanged).
		// A binding's change changes what its accounts can do; and a revoked
		// ServiceAccount named again by a binding is removed again.
		Watches(&rbacv1.RoleBinding{}, bindingChanges, builder.WithPredicates(reachChanged)).
		Watches(&rbacv1.ClusterRoleBinding{}, bindingChanges, builder.WithPredicates(reachChanged)).
		// Installing a report CRD makes every namespace write its report.
		WatchesRawSource(source.Kind(mgr.GetCache(), &metav1.PartialObjectMetadata{TypeMeta: crdTypeMeta},
			handler.TypedEnqueueRequestsFromMapFunc(func(ctx context.Context, crd *metav1.PartialObjectMetadata) []reconcileRequest {
				r.Reports.CRDChanged(crd.Name)
				return r.allNamespaces(ctx, nil)
			}),
			predicate.NewTypedPredicateFuncs(func(crd *metav1.PartialObjectMetadata) bool {
				return r.Reports != nil && r.Reports.WatchesCRD(crd.Name)
			})))
	c, err := watchUsage(r.watchAccess(b)).
		WithOptions(controller.Options{MaxConcurrentReconciles: maxConcurrentReconciles}).
		Build(r)
	if err != nil {
		return err
	}
	r.Secrets.Bind(c)
	return r.Directories.Bind(c, handler.TypedEnqueueRequestsFromMapFunc(
		func(ctx context.Context, _ *corev1.ConfigMap) []reconcileRequest { return r.allNamespaces(ctx, nil) }))
}

func (r *NamespaceReconciler) allNamespaces(ctx context.Context, _ client.Object) []reconcileRequest {
	list := &metav1.PartialObjectMetadataList{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "NamespaceList"}}
	if err := r.List(ctx, list); err != nil {
		logf.FromContext(ctx).Error(err, "listing namespaces to re-evaluate")
		return nil
	}
	requests := make([]reconcileRequest, 0, len(list.Items))
	for _, ns := range list.Items {
		requests = append(requests, reconcileRequest{NamespacedName: types.NamespacedName{Name: ns.Name}})
	}
	return requests
}

var crdTypeMeta = metav1.TypeMeta{APIVersion: "apiextensions.k8s.io/v1", Kind: "CustomResourceDefinition"}

// ignoreStewardWrites drops update events whose only change is to keys
// Steward itself manages: Steward's own patches must not wake it again. It
// tells the write ledger which version the cache now holds.
type ignoreStewardWrites struct {
	predicate.Funcs
	observed func(types.UID, string)
}

// Update implements predicate.Predicate.
func (p ignoreStewardWrites) Update(e event.UpdateEvent) bool {
	if e.ObjectOld == nil || e.ObjectNew == nil {
		return true
	}
	if p.observed != nil {
		p.observed(e.ObjectNew.GetUID(), e.ObjectNew.GetResourceVersion())
	}
	return !equalIgnoring(e.ObjectOld.GetLabels(), e.ObjectNew.GetLabels(), governance.ManagedLabels) ||
		!equalIgnoring(e.ObjectOld.GetAnnotations(), e.ObjectNew.GetAnnotations(), governance.ManagedAnnotations) ||
		!e.ObjectOld.GetDeletionTimestamp().Equal(e.ObjectNew.GetDeletionTimestamp())
}

func equalIgnoring(a, b map[string]string, ignored []string) bool {
	count := func(m map[string]string) int {
		n := len(m)
		for _, k := range ignored {
			if _, ok := m[k]; ok {
				n--
			}
		}
		return n
	}
	if count(a) != count(b) {
		return false
	}
	for k, v := range a {
		if slices.Contains(ignored, k) {
			continue
		}
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
