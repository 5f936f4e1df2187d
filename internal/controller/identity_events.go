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
	"maps"
	"slices"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/events"

	"github.com/nhi-steward/steward/internal/governance"
)

// DefaultEventsPerReason is how many Events of one reason one evaluation of
// a namespace sends about its identities before it folds the rest into a
// summary. Ten, as client-go's EventCorrelator starts aggregating similar
// Events after ten: a change to one identity, or a few, is told identity by
// identity; a sweep (Steward's first evaluation of a namespace, an
// ownership deleted) is told once, with the count.
const DefaultEventsPerReason = 10

// EventReasonEventsFolded: one evaluation had more Events of one reason than
// it sends one by one; the summary is about the namespace.
const EventReasonEventsFolded = "EventsFolded"

// identityEvents sends one evaluation's Events about a namespace's
// identities. The first perReason of each reason go out one by one; past
// that, the Event is folded, and flush sends one summary per reason about
// the namespace, with the count.
//
// Without it, the first evaluation of a namespace of 20,000 unowned
// identities would send 20,000 Events at once: more writes than the
// patches, and more than any queue should hold, so most would be dropped
// unannounced (client-go's broadcaster drops past 1,000 too). Folded, the
// same evidence stays whole: every identity's decision-log line, its
// steward.dev/finding label, and an Event saying how many were folded and
// how to list them.
//
// An Event about a namespace, a cluster-scoped object, lives in the default
// namespace (the API server refuses it anywhere else), where others may
// read it: so the summary names no identity, only the count.
type identityEvents struct {
	recorder  events.EventRecorder
	namespace string
	perReason int
	byReason  map[string]*reasonEvents
}

// reasonEvents are one reason's Events in one evaluation: how many were
// sent, how many folded, and the type and action the summary repeats.
type reasonEvents struct {
	eventType, action string
	sent, folded      int
}

func newIdentityEvents(recorder events.EventRecorder, namespace string, perReason int) *identityEvents {
	if perReason <= 0 {
		perReason = DefaultEventsPerReason
	}
	return &identityEvents{recorder: recorder, namespace: namespace, perReason: perReason,
		byReason: map[string]*reasonEvents{}}
}

// Eventf sends, or folds, one Event about an identity.
func (e *identityEvents) Eventf(obj *metav1.PartialObjectMetadata, eventType, reason, action, note string, args ...any) {
	r := e.byReason[reason]
	if r == nil {
		r = &reasonEvents{eventType: eventType, action: action}
		e.byReason[reason] = r
	}
	if r.sent < e.perReason {
		r.sent++
		e.recorder.Eventf(obj, nil, eventType, reason, action, note, args...)
		return
	}
	r.folded++
}

// flush sends the summaries of what was folded, one per reason, about the
// namespace.
func (e *identityEvents) flush() {
	ns := namespaceObject(e.namespace)
	for _, reason := range slices.Sorted(maps.Keys(e.byReason)) {
		r := e.byReason[reason]
		if r.folded == 0 {
			continue
		}
		e.recorder.Eventf(ns, nil, r.eventType, EventReasonEventsFolded, r.action,
			"%d more identities in namespace %s had a %s Event in one evaluation, beyond the %d sent one by one; "+
				"the decision log records each, and `kubectl get serviceaccounts,secrets -n %s -l %s` "+
				"lists the identities with findings", r.folded, e.namespace, reason, e.perReason, e.namespace,
			governance.LabelFinding)
	}
}

// namespaceObject is a namespace as the target of an Event.
func namespaceObject(name string) runtime.Object {
	return &corev1.Namespace{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
		ObjectMeta: metav1.ObjectMeta{Name: name}}
}
