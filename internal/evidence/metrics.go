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

package evidence

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

// Prometheus metrics, served on the manager's (authenticated) metrics
// endpoint next to controller-runtime's own.
var (
	// IdentitiesMetric counts governed identities by namespace, kind and state.
	IdentitiesMetric = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "steward_identities",
		Help: "Governed machine identities by namespace, kind and state.",
	}, []string{labelNamespace, labelKind, labelState})

	// TeamIdentitiesMetric counts the same identities by namespace, owner
	// team and state: the team is empty for identities no ownership covers.
	TeamIdentitiesMetric = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "steward_identities_by_team",
		Help: "Governed machine identities by namespace, owner team (empty when unowned) and state.",
	}, []string{labelNamespace, labelTeam, labelState})

	// ActionsMetric counts actions taken: Flag, WouldRevoke, Revoke, Restored,
	// RevocationHalted.
	ActionsMetric = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "steward_actions_total",
		Help: "Actions Steward took on identities (Flag, WouldRevoke, Revoke, Restored, RevocationHalted).",
	}, []string{"action", labelKind})

	// DeadlineLatencyMetric measures how late Steward acted after a deadline
	// (an expiry, a review or rotation due date, the end of a grace period).
	DeadlineLatencyMetric = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "steward_deadline_action_latency_seconds",
		Help:    "Seconds from a deadline to Steward's label, Event or revocation for it.",
		Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300},
	}, []string{"action"})

	// EvaluationsMetric counts evaluations of a whole namespace by the
	// decision package, and EvaluatedIdentitiesMetric the identities they
	// covered: what each change in a large namespace costs.
	EvaluationsMetric = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "steward_namespace_evaluations_total",
		Help: "Evaluations of a whole namespace by the decision package.",
	})
	EvaluatedIdentitiesMetric = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "steward_evaluated_identities_total",
		Help: "Identities evaluated, summed over every namespace evaluation.",
	})
)

func init() {
	metrics.Registry.MustRegister(IdentitiesMetric, TeamIdentitiesMetric, ActionsMetric, DeadlineLatencyMetric,
		EvaluationsMetric, EvaluatedIdentitiesMetric)
	// Publish the latency series from the start, empty, so that dashboards
	// and alerts see zero rather than no data.
	for _, action := range []string{"transition", "would-revoke", "revoke"} {
		DeadlineLatencyMetric.WithLabelValues(action)
	}
}

// SetIdentityCounts replaces a namespace's identity gauges: by kind and
// state, and by owner team and state.
func SetIdentityCounts(namespace string, totals map[nhi.IdentityKind]map[nhi.IdentityState]int32,
	teams map[string]map[nhi.IdentityState]int32) {
	IdentitiesMetric.DeletePartialMatch(prometheus.Labels{labelNamespace: namespace})
	for kind, byState := range totals {
		for state, n := range byState {
			IdentitiesMetric.WithLabelValues(namespace, string(kind), string(state)).Set(float64(n))
		}
	}
	TeamIdentitiesMetric.DeletePartialMatch(prometheus.Labels{labelNamespace: namespace})
	for team, byState := range teams {
		for state, n := range byState {
			TeamIdentitiesMetric.WithLabelValues(namespace, team, string(state)).Set(float64(n))
		}
	}
}

// CountEvaluation records one evaluation of a namespace of n identities.
func CountEvaluation(n int) {
	EvaluationsMetric.Inc()
	EvaluatedIdentitiesMetric.Add(float64(n))
}

// CountAction adds one action to the totals.
func CountAction(action string, kind nhi.IdentityKind) {
	ActionsMetric.WithLabelValues(action, string(kind)).Inc()
}

// ObserveDeadline records how late an action came after its deadline.
func ObserveDeadline(action string, deadline, now time.Time) {
	if deadline.IsZero() || now.Before(deadline) {
		return
	}
	DeadlineLatencyMetric.WithLabelValues(action).Observe(now.Sub(deadline).Seconds())
}
