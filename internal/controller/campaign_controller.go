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
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/campaign"
	"github.com/nhi-steward/steward/internal/evidence"
)

// Event reasons of an AccessReviewCampaign. Its Events live in the default
// namespace (it is cluster-scoped), where others may read them: they give
// counts, never the names of the ownerships or reviewers.
const (
	// EventReasonCampaignStarted: the scope was frozen.
	EventReasonCampaignStarted = "CampaignStarted"
	// EventReasonCampaignItemDecided: reviews decided items; one Event per
	// pass, with the count.
	EventReasonCampaignItemDecided = "CampaignItemDecided"
	// EventReasonCampaignCompleted: every item is decided.
	EventReasonCampaignCompleted = "CampaignCompleted"
	// EventReasonCampaignOverdue: spec.dueBy passed with items undecided.
	EventReasonCampaignOverdue = "CampaignOverdue"
)

// Decision-log actions of a campaign's lines (type evidence.DecisionCampaign).
const (
	CampaignActionItemFrozen  = "ItemFrozen"
	CampaignActionItemDecided = "ItemDecided"
	// CampaignActionItemDeleted: the item's ownership was deleted before a
	// decision; the item is closed undecided.
	CampaignActionItemDeleted = "ItemDeleted"
	// CampaignActionSpecChanged: the campaign's spec (dueBy, reviewers,
	// description) changed after the start.
	CampaignActionSpecChanged = "SpecChanged"
)

// CampaignReconciler freezes each AccessReviewCampaign's scope when it
// starts and records which OwnershipReviews decided its items. It is the
// only writer of the campaign's status, and writes it once per reconcile.
type CampaignReconciler struct {
	client.Client
	// APIReader reads the campaign itself from the API server, not the
	// cache: a pass from a stale copy would fail its optimistic status
	// patch after writing its decision-log lines, and repeat them.
	APIReader   client.Reader
	Clock       clock.PassiveClock
	Recorder    events.EventRecorder
	DecisionLog *evidence.DecisionLog
	// StewardNamespace is never governed.
	StewardNamespace string
}

// +kubebuilder:rbac:groups=nhi.steward.dev,resources=accessreviewcampaigns,verbs=get;list;watch
// +kubebuilder:rbac:groups=nhi.steward.dev,resources=accessreviewcampaigns/status,verbs=get;patch

// Reconcile freezes or tracks one campaign. Its decision-log lines are
// written before the status patch that records them, so that a crash
// repeats a line rather than loses one (readers keep the first).
func (r *CampaignReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	log := logf.FromContext(ctx).WithValues("campaign", req.Name)
	c := &nhi.AccessReviewCampaign{}
	if err := r.APIReader.Get(ctx, req.NamespacedName, c); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	now := r.Clock.Now()
	stamp := metav1.NewTime(now.Truncate(time.Second))
	desired := c.DeepCopy()
	var frozen *campaign.Frozen

	if c.Status.StartedAt == nil {
		waitEnds := c.CreationTimestamp.Add(campaign.FreezeWait)
		in, err := r.freezeInputs(ctx, !now.Before(waitEnds))
		if err != nil {
			return ctrl.Result{}, err
		}
		var refusal *campaign.Refusal
		var pending campaign.Pending
		frozen, refusal, pending = campaign.Freeze(&c.Spec, in)
		switch {
		case refusal != nil:
			setConditions(&desired.Status.Conditions, campaign.Refused(refusal), c.Generation, stamp)
			desired.Status.ObservedGeneration = c.Generation
			return ctrl.Result{}, r.patch(ctx, c, desired)
		case pending != nil:
			// The ownerships' status changes wake it; waitEnds is when it
			// stops waiting for them.
			setConditions(&desired.Status.Conditions, campaign.Waiting(pending), c.Generation, stamp)
			log.V(1).Info("waiting for ownerships to be evaluated", "pending", len(pending))
			return ctrl.Result{RequeueAfter: max(waitEnds.Sub(now), time.Millisecond)}, r.patch(ctx, c, desired)
		}
		started := campaign.Start(frozen, now)
		desired.Status.StartedAt, desired.Status.Items = started.StartedAt, started.Items
		r.logFreeze(ctx, desired, frozen, now)
	} else if c.Status.ObservedGeneration != 0 && c.Generation != c.Status.ObservedGeneration {
		r.logSpecChange(ctx, c, now)
	}

	reviews, current, err := r.trackInputs(ctx, desired.Status.Items)
	if err != nil {
		return ctrl.Result{}, err
	}
	tracked := campaign.Track(desired, reviews, current, now)
	desired.Status = tracked.Status
	setConditions(&desired.Status.Conditions, tracked.Conditions, c.Generation, stamp)
	desired.Status.ObservedGeneration = c.Generation
	r.logItems(ctx, desired, tracked, now)
	if err := r.patch(ctx, c, desired); err != nil {
		return ctrl.Result{}, err
	}

	r.recordEvents(ctx, c, desired, frozen, tracked)
	result := ctrl.Result{}
	if !tracked.NextDeadline.IsZero() {
		result.RequeueAfter = max(tracked.NextDeadline.Sub(r.Clock.Now()), time.Millisecond)
	}
	log.V(1).Info("reconciled", "progress", desired.Status.Progress, "overdue", desired.Status.Overdue,
		"requeueAfter", result.RequeueAfter)
	return result, nil
}

func (r *CampaignReconciler) patch(ctx context.Context, current, desired *nhi.AccessReviewCampaign) error {
	if equality.Semantic.DeepEqual(current.Status, desired.Status) {
		return nil
	}
	err := r.Status().Patch(ctx, desired, client.MergeFromWithOptions(current, client.MergeFromWithOptimisticLock{}))
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("writing campaign status: %w", err)
	}
	return nil
}

// freezeInputs reads every input of a freeze from the cache, or fails: a
// scope is never frozen from a partial view. The controller watches each
// of these kinds, so its first reconcile runs only once their caches have
// synced.
func (r *CampaignReconciler) freezeInputs(ctx context.Context, waitOver bool) (campaign.Inputs, error) {
	in := campaign.Inputs{StewardNamespace: r.StewardNamespace, WaitOver: waitOver}
	policies := &nhi.OwnershipPolicyList{}
	if err := r.List(ctx, policies); err != nil {
		return in, fmt.Errorf("listing policies: %w", err)
	}
	namespaces := &metav1.PartialObjectMetadataList{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "NamespaceList"}}
	if err := r.List(ctx, namespaces); err != nil {
		return in, fmt.Errorf("listing namespaces: %w", err)
	}
	ownerships := &nhi.IdentityOwnershipList{}
	if err := r.List(ctx, ownerships); err != nil {
		return in, fmt.Errorf("listing ownerships: %w", err)
	}
	in.Policies, in.Namespaces, in.Ownerships = policies.Items, namespaces.Items, ownerships.Items
	return in, nil
}

// trackInputs reads the reviews and the current ownerships of the items'
// namespaces.
func (r *CampaignReconciler) trackInputs(ctx context.Context, items []nhi.CampaignItem) (
	[]nhi.OwnershipReview, campaign.Current, error) {
	var reviews []nhi.OwnershipReview
	current := campaign.Current{}
	for _, ns := range itemNamespaces(items) {
		list := &nhi.OwnershipReviewList{}
		if err := r.List(ctx, list, client.InNamespace(ns)); err != nil {
			return nil, nil, fmt.Errorf("listing reviews: %w", err)
		}
		reviews = append(reviews, list.Items...)
		ownerships := &nhi.IdentityOwnershipList{}
		if err := r.List(ctx, ownerships, client.InNamespace(ns)); err != nil {
			return nil, nil, fmt.Errorf("listing ownerships: %w", err)
		}
		for _, o := range ownerships.Items {
			current[types.NamespacedName{Namespace: o.Namespace, Name: o.Name}] = o.UID
		}
	}
	return reviews, current, nil
}

func itemNamespaces(items []nhi.CampaignItem) []string {
	namespaces := make([]string, 0, len(items))
	for _, item := range items {
		namespaces = append(namespaces, item.Namespace)
	}
	slices.Sort(namespaces)
	return slices.Compact(namespaces)
}

func (r *CampaignReconciler) decide(ctx context.Context, d evidence.Decision) {
	if err := r.DecisionLog.Record(d); err != nil {
		logf.FromContext(ctx).Error(err, "writing the decision log")
	}
}

// line is a campaign's decision-log line about one of its items.
func line(c *nhi.AccessReviewCampaign, item *nhi.CampaignItem, action string, now time.Time) evidence.Decision {
	return evidence.Decision{Time: now, Type: evidence.DecisionCampaign, Action: action, Campaign: c.Name,
		CampaignUID: string(c.UID), Namespace: item.Namespace, Kind: evidence.KindIdentityOwnership, Name: item.Ownership,
		UID: item.OwnershipUID, Ownership: item.Ownership, Team: item.Team}
}

// logFreeze writes one decision-log line per frozen item, listing every
// identity its ownership's status lists.
func (r *CampaignReconciler) logFreeze(ctx context.Context, c *nhi.AccessReviewCampaign, frozen *campaign.Frozen, now time.Time) {
	for i := range frozen.Items {
		item := &frozen.Items[i]
		d := line(c, item, CampaignActionItemFrozen, now)
		d.Identities = make([]string, 0, len(frozen.Identities[i]))
		for _, id := range frozen.Identities[i] {
			d.Identities = append(d.Identities, string(id.Kind)+"/"+id.Name)
		}
		d.DeadlineAt = &c.Spec.DueBy.Time
		d.Message = fmt.Sprintf("AccessReviewCampaign %s: IdentityOwnership %s/%s (team %s, %d identities) is in scope",
			c.Name, item.Namespace, item.Ownership, item.Team, item.IdentityCount)
		r.decide(ctx, d)
	}
}

// logSpecChange records a change of a started campaign's spec: its scope
// is immutable, so the due date, the reviewers or the description.
func (r *CampaignReconciler) logSpecChange(ctx context.Context, c *nhi.AccessReviewCampaign, now time.Time) {
	reviewers := make([]string, 0, len(c.Spec.Reviewers))
	for _, p := range c.Spec.Reviewers {
		reviewers = append(reviewers, string(p))
	}
	r.decide(ctx, evidence.Decision{Time: now, Type: evidence.DecisionCampaign, Action: CampaignActionSpecChanged,
		Campaign: c.Name, CampaignUID: string(c.UID), Kind: "AccessReviewCampaign", Name: c.Name, UID: string(c.UID),
		DeadlineAt: &c.Spec.DueBy.Time,
		Message: fmt.Sprintf("AccessReviewCampaign %s changed (generation %d): due by %s, reviewers [%s]", c.Name,
			c.Generation, formatTime(c.Spec.DueBy.Time), strings.Join(reviewers, ", "))})
}

// logItems writes one decision-log line per item this pass decided or
// closed.
func (r *CampaignReconciler) logItems(ctx context.Context, c *nhi.AccessReviewCampaign, tracked campaign.Tracked, now time.Time) {
	for _, i := range tracked.Decided {
		item := &c.Status.Items[i]
		d := line(c, item, CampaignActionItemDecided, now)
		d.Reason, d.Reviewer, d.Review = string(item.Decision), string(item.Reviewer), item.Review
		d.Message = fmt.Sprintf("AccessReviewCampaign %s: IdentityOwnership %s/%s decided %s by %s (OwnershipReview %s)",
			c.Name, item.Namespace, item.Ownership, item.Decision, item.Reviewer, item.Review)
		r.decide(ctx, d)
	}
	for _, i := range tracked.Deleted {
		item := &c.Status.Items[i]
		d := line(c, item, CampaignActionItemDeleted, now)
		d.Message = fmt.Sprintf("AccessReviewCampaign %s: IdentityOwnership %s/%s was deleted before a decision; the item is closed",
			c.Name, item.Namespace, item.Ownership)
		r.decide(ctx, d)
	}
}

// recordEvents sends the Events of a pass whose status was written: the
// start, decisions, completion and the deadline passing. They give counts,
// never names.
func (r *CampaignReconciler) recordEvents(ctx context.Context, before, after *nhi.AccessReviewCampaign,
	frozen *campaign.Frozen, tracked campaign.Tracked) {
	log := logf.FromContext(ctx)
	status := &after.Status
	if frozen != nil {
		r.Recorder.Eventf(after, nil, corev1.EventTypeNormal, EventReasonCampaignStarted, "Freeze",
			"scope frozen: %d ownerships in %d namespaces, due by %s", len(frozen.Items), len(itemNamespaces(frozen.Items)),
			formatTime(after.Spec.DueBy.Time))
		log.Info("campaign started", "items", len(frozen.Items))
	}
	if n := len(tracked.Decided) + len(tracked.Deleted); n > 0 {
		r.Recorder.Eventf(after, nil, corev1.EventTypeNormal, EventReasonCampaignItemDecided, "Track",
			"%d items decided and %d closed (ownership deleted) in this pass; %s done", len(tracked.Decided),
			len(tracked.Deleted), status.Progress)
		log.Info("campaign items done", "decided", len(tracked.Decided), "deleted", len(tracked.Deleted),
			"progress", status.Progress)
	}
	became := func(conditionType, reason string) bool {
		was := meta.FindStatusCondition(before.Status.Conditions, conditionType)
		now := meta.FindStatusCondition(after.Status.Conditions, conditionType)
		return now != nil && now.Status == metav1.ConditionTrue && now.Reason == reason &&
			(was == nil || was.Status != metav1.ConditionTrue || was.Reason != reason)
	}
	if became(nhi.ConditionCompleted, nhi.ReasonAllItemsDecided) {
		r.Recorder.Eventf(after, nil, corev1.EventTypeNormal, EventReasonCampaignCompleted, "Track",
			"all %d items done: %d recertified, %d revoked, %d ownerships deleted", status.Total, status.Recertified,
			status.Revoked, status.Deleted)
	}
	if became(nhi.ConditionStalled, nhi.ReasonItemsOverdue) {
		r.Recorder.Eventf(after, nil, corev1.EventTypeWarning, EventReasonCampaignOverdue, "Track",
			"%d of %d items undecided after %s", status.Overdue, status.Total, formatTime(after.Spec.DueBy.Time))
	}
}

// SetupWithManager registers the reconciler. Reviews wake the started
// campaigns whose items are in their namespace; policies and namespaces
// only matter before the freeze, so they wake the campaigns not started
// yet; ownerships wake both: before the freeze for the scope, after it
// because a deleted ownership closes its item.
func (r *CampaignReconciler) SetupWithManager(mgr ctrl.Manager) error {
	toNotStarted := r.wake(true, false)
	toTracking := r.wake(false, true)
	toScopeOrItems := r.wake(true, true)
	return ctrl.NewControllerManagedBy(mgr).
		Named("campaign").
		For(&nhi.AccessReviewCampaign{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		// Status changes matter: completion and remediation actions are
		// status.
		Watches(&nhi.OwnershipReview{}, toTracking).
		Watches(&nhi.OwnershipPolicy{}, toNotStarted, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Watches(&corev1.Namespace{}, toNotStarted, builder.OnlyMetadata,
			builder.WithPredicates(predicate.LabelChangedPredicate{})).
		// Before the freeze, for the scope; after it, a deleted ownership
		// closes its item.
		Watches(&nhi.IdentityOwnership{}, toScopeOrItems).
		Complete(r)
}

// wake maps an object to the campaigns it matters to: those not started
// yet (notStarted), and the started ones with an item in its namespace
// (withItems).
func (r *CampaignReconciler) wake(notStarted, withItems bool) handler.EventHandler {
	return handler.EnqueueRequestsFromMapFunc(func(ctx context.Context, obj client.Object) []reconcileRequest {
		return r.campaigns(ctx, func(c *nhi.AccessReviewCampaign) bool {
			if c.Status.StartedAt == nil {
				return notStarted
			}
			return withItems && slices.ContainsFunc(c.Status.Items, func(item nhi.CampaignItem) bool {
				return item.Namespace == obj.GetNamespace()
			})
		})
	})
}

// campaigns lists the campaigns matching keep, as requests.
func (r *CampaignReconciler) campaigns(ctx context.Context, keep func(*nhi.AccessReviewCampaign) bool) []reconcileRequest {
	list := &nhi.AccessReviewCampaignList{}
	if err := r.List(ctx, list); err != nil {
		logf.FromContext(ctx).Error(err, "listing campaigns")
		return nil
	}
	var requests []reconcileRequest
	for i := range list.Items {
		if keep(&list.Items[i]) {
			requests = append(requests, reconcileRequest{NamespacedName: types.NamespacedName{Name: list.Items[i].Name}})
		}
	}
	return requests
}
