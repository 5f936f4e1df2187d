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
	"cmp"
	"container/heap"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

// Names of the deadline metrics. The shipped PrometheusRule
// (config/prometheus/rules.yaml) queries them; TestRulesQueryRegisteredMetrics
// fails when one is renamed without the rules.
const (
	// DeadlineMetricName is the gauge with one series per upcoming deadline.
	DeadlineMetricName = "steward_deadline_timestamp_seconds"
	// DeadlineDroppedMetricName is the gauge of deadlines left out by the
	// series limit right now. It is a gauge, not a counter, because every
	// evaluation and scrape sees the same deadlines again: a counter would
	// grow with the reconcile rate, while the gauge says how many alerts
	// cannot fire and drops to 0 once the limit is raised.
	DeadlineDroppedMetricName = "steward_deadline_series_dropped"
)

// Object kinds of a Deadline besides the identity kinds
// (nhi.KindServiceAccount, nhi.KindSecret).
const (
	// KindIdentityOwnership: an ownership's expiry and review.
	KindIdentityOwnership = "IdentityOwnership"
	// KindOwnershipException: an exception's end.
	KindOwnershipException = "OwnershipException"
)

// The labels of steward_deadline_timestamp_seconds (the shipped alerts
// group by all of them, to keep one alert per object) and of the identity
// gauges.
const (
	labelNamespace = "namespace"
	labelKind      = "kind"
	labelName      = "name"
	labelTeam      = "team"
	labelDeadline  = "deadline"
	labelState     = "state"
)

// deadlineLabels are the variable labels of the deadline gauge, in order.
var deadlineLabels = []string{labelNamespace, labelKind, labelName, labelTeam, labelDeadline}

// DefaultDeadlineSeriesLimit is how many deadline series Steward exports,
// across all namespaces, unless SetDeadlineSeriesLimit says otherwise. Each
// series carries an object name, so without a bound the metric would grow
// with the cluster; 2000 keeps a scrape small while leaving room for every
// deadline of a typical cluster within the default warnBefore of 14 days.
const DefaultDeadlineSeriesLimit = 2000

// Deadline is one deadline within the policy's warnBefore: one series of
// steward_deadline_timestamp_seconds. It belongs to the object whose
// deadline it is, so that an alert names what the owners must act on and
// an ownership's expiry is one series, not one per identity it covers.
type Deadline struct {
	// Kind is that object's kind: KindIdentityOwnership (Expiry, Review),
	// KindOwnershipException (ExceptionExpiry), nhi.KindServiceAccount or
	// nhi.KindSecret (Rotation, Revocation).
	Kind string
	// Name is the object's name, in the namespace given to SetDeadlines.
	Name string
	// Team is the owning team, "" when the object is unowned. Alerts are
	// routed by it.
	Team string
	// Deadline is what falls due.
	Deadline nhi.DeadlineKind
	// At is when it falls due; a zero At is no deadline and is ignored.
	At time.Time
}

// deadlineSeries is a Deadline with its namespace: one candidate series.
type deadlineSeries struct {
	namespace string
	d         Deadline
}

// compareDeadlines orders series by time and then by every label, so that
// which series the limit keeps depends only on the deadlines, not on the
// order in which namespaces were reconciled.
func compareDeadlines(a, b deadlineSeries) int {
	if c := a.d.At.Compare(b.d.At); c != 0 {
		return c
	}
	return cmp.Or(
		cmp.Compare(a.namespace, b.namespace),
		cmp.Compare(a.d.Kind, b.d.Kind),
		cmp.Compare(a.d.Name, b.d.Name),
		cmp.Compare(a.d.Deadline, b.d.Deadline),
		cmp.Compare(a.d.Team, b.d.Team),
	)
}

// deadlineCollector exports the deadlines of every namespace, the earliest
// up to the limit. It is a Collector rather than a GaugeVec so that the
// selection across namespaces is made once per scrape, from one consistent
// state: a reconcile only swaps its namespace's list, and a scrape never
// sees a namespace half replaced or a limit half applied.
type deadlineCollector struct {
	timestamp *prometheus.Desc
	dropped   *prometheus.Desc

	mu    sync.Mutex
	limit int
	// byNamespace holds each namespace's deadlines, ordered by
	// compareDeadlines, one per series. Namespaces without any are absent.
	// All are kept, not only those under the limit, so that a namespace
	// shrinking or the limit rising exports the next earliest at once;
	// they are the deadlines within warnBefore, which the objects' status
	// holds anyway.
	byNamespace map[string][]deadlineSeries
	// total is the number of series in byNamespace.
	total int
}

func newDeadlineCollector() *deadlineCollector {
	return &deadlineCollector{
		timestamp: prometheus.NewDesc(DeadlineMetricName,
			"Unix time of each upcoming deadline within its policy's warnBefore: an ownership's expiry or review, "+
				"an exception's end, a Secret's rotation, a scheduled revocation. The earliest deadlines up to "+
				"the manager's series limit are exported.",
			deadlineLabels, nil),
		dropped: prometheus.NewDesc(DeadlineDroppedMetricName,
			"Upcoming deadlines not exported as "+DeadlineMetricName+" because they exceed the series limit "+
				"(the latest are left out).",
			nil, nil),
		limit:       DefaultDeadlineSeriesLimit,
		byNamespace: map[string][]deadlineSeries{},
	}
}

// deadlineMetrics is the collector registered with controller-runtime's
// metrics registry.
var deadlineMetrics = newDeadlineCollector()

func init() {
	metrics.Registry.MustRegister(deadlineMetrics)
}

// SetDeadlines replaces the deadlines of a namespace: series of the
// namespace that are not in deadlines disappear. Call it after each
// evaluation of the namespace with the deadlines within warnBefore, and
// with none (or ForgetNamespace) when the namespace is no longer governed.
// Deadlines that would be the same series (same kind, name, team and
// deadline) are one series, at the earliest time. It is safe for
// concurrent use; the caller's slice is not retained.
func SetDeadlines(namespace string, deadlines []Deadline) {
	deadlineMetrics.set(namespace, deadlines)
}

// ForgetNamespace removes every deadline series of a namespace, for a
// namespace that was deleted or left Steward's governance.
func ForgetNamespace(namespace string) {
	deadlineMetrics.set(namespace, nil)
}

// SetDeadlineSeriesLimit sets how many deadline series are exported across
// all namespaces (DefaultDeadlineSeriesLimit unless set): the earliest
// deadlines are kept, because they are the ones alerts fire on first, and
// the rest are counted by steward_deadline_series_dropped. 0 (or less)
// exports none. It applies from the next scrape, to deadlines already set.
func SetDeadlineSeriesLimit(n int) {
	deadlineMetrics.mu.Lock()
	defer deadlineMetrics.mu.Unlock()
	deadlineMetrics.limit = max(n, 0)
}

func (c *deadlineCollector) set(namespace string, deadlines []Deadline) {
	// Sort and deduplicate before taking the lock: namespaces are reconciled
	// concurrently and only the swap needs to be serialised.
	list := make([]deadlineSeries, 0, len(deadlines))
	for _, d := range deadlines {
		if !d.At.IsZero() {
			list = append(list, deadlineSeries{namespace: namespace, d: d})
		}
	}
	// Ordered by time first, so the first occurrence of a series is its
	// earliest.
	slices.SortFunc(list, compareDeadlines)
	list = dedupeSeries(list)

	c.mu.Lock()
	defer c.mu.Unlock()
	c.total -= len(c.byNamespace[namespace])
	if len(list) == 0 {
		delete(c.byNamespace, namespace)
		return
	}
	c.byNamespace[namespace] = slices.Clip(list)
	c.total += len(list)
}

// dedupeSeries keeps the first (earliest) occurrence of each series of a
// list ordered by compareDeadlines.
func dedupeSeries(list []deadlineSeries) []deadlineSeries {
	type key struct {
		kind, name, team string
		deadline         nhi.DeadlineKind
	}
	seen := make(map[key]struct{}, len(list))
	return slices.DeleteFunc(list, func(s deadlineSeries) bool {
		k := key{s.d.Kind, s.d.Name, s.d.Team, s.d.Deadline}
		if _, dup := seen[k]; dup {
			return true
		}
		seen[k] = struct{}{}
		return false
	})
}

// Describe implements prometheus.Collector.
func (c *deadlineCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.timestamp
	ch <- c.dropped
}

// Collect implements prometheus.Collector. The metrics are built under the
// lock and sent after it, so a slow scrape does not hold up reconciles.
func (c *deadlineCollector) Collect(ch chan<- prometheus.Metric) {
	kept, dropped := c.selected()
	out := make([]prometheus.Metric, 0, len(kept)+1)
	for _, s := range kept {
		out = append(out, prometheus.MustNewConstMetric(c.timestamp, prometheus.GaugeValue, unixSeconds(s.d.At),
			s.namespace, s.d.Kind, s.d.Name, s.d.Team, string(s.d.Deadline)))
	}
	out = append(out, prometheus.MustNewConstMetric(c.dropped, prometheus.GaugeValue, float64(dropped)))
	for _, m := range out {
		ch <- m
	}
}

// selected returns the earliest series up to the limit, and how many were
// left out. Under the limit that is every series; over it, a merge of the
// namespaces' ordered lists, which costs the limit rather than every
// deadline of the cluster.
func (c *deadlineCollector) selected() (kept []deadlineSeries, dropped int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.total <= c.limit {
		kept = make([]deadlineSeries, 0, c.total)
		for _, list := range c.byNamespace {
			kept = append(kept, list...)
		}
		return kept, 0
	}
	cursors := make(deadlineCursors, 0, len(c.byNamespace))
	for _, list := range c.byNamespace {
		cursors = append(cursors, list)
	}
	heap.Init(&cursors)
	kept = make([]deadlineSeries, 0, c.limit)
	for len(kept) < c.limit {
		kept = append(kept, cursors[0][0])
		if cursors[0] = cursors[0][1:]; len(cursors[0]) == 0 {
			heap.Pop(&cursors)
		} else {
			heap.Fix(&cursors, 0)
		}
	}
	return kept, c.total - len(kept)
}

// deadlineCursors is a min-heap of the unread rest of each namespace's
// ordered list, by its first element. No cursor is empty.
type deadlineCursors [][]deadlineSeries

func (h deadlineCursors) Len() int           { return len(h) }
func (h deadlineCursors) Less(i, j int) bool { return compareDeadlines(h[i][0], h[j][0]) < 0 }
func (h deadlineCursors) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *deadlineCursors) Push(x any)        { *h = append(*h, x.([]deadlineSeries)) }
func (h *deadlineCursors) Pop() any {
	old := *h
	last := old[len(old)-1]
	*h = old[:len(old)-1]
	return last
}

// unixSeconds is t as Unix seconds with its fraction, which
// humanizeTimestamp in alert templates renders back as a time.
func unixSeconds(t time.Time) float64 {
	return float64(t.Unix()) + float64(t.Nanosecond())/1e9
}
