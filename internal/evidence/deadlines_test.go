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
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

// Kinds of the objects in the tests, as series labels.
const (
	sa     = string(nhi.KindServiceAccount)
	secret = string(nhi.KindSecret)
)

// billing names an ownership, its team and a Secret's team.
const billing = "billing"

// Namespaces of TestDeadlineSeriesLimitIsDeterministic.
const ns0, ns1, ns2 = "ns-0", "ns-1", "ns-2"

// deadlineEpoch is 2026-03-01T00:00:00Z, 1772323200 in Unix seconds.
var deadlineEpoch = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// inDays returns the epoch plus n days.
func inDays(n int) time.Time { return deadlineEpoch.Add(time.Duration(n) * 24 * time.Hour) }

// resetDeadlines empties the package's deadline state for one test and
// restores the limit afterwards. Tests using it must not run in parallel.
func resetDeadlines(t *testing.T) {
	t.Helper()
	empty := func() {
		deadlineMetrics.mu.Lock()
		deadlineMetrics.byNamespace = map[string][]deadlineSeries{}
		deadlineMetrics.total = 0
		deadlineMetrics.limit = DefaultDeadlineSeriesLimit
		deadlineMetrics.mu.Unlock()
	}
	empty()
	t.Cleanup(empty)
}

const deadlineHeader = `# HELP steward_deadline_timestamp_seconds Unix time of each upcoming deadline within its policy's ` +
	`warnBefore: an ownership's expiry or review, an exception's end, a Secret's rotation, a scheduled revocation. ` +
	`The earliest deadlines up to the manager's series limit are exported.
# TYPE steward_deadline_timestamp_seconds gauge
`

const droppedHeader = `# HELP steward_deadline_series_dropped Upcoming deadlines not exported as ` +
	`steward_deadline_timestamp_seconds because they exceed the series limit (the latest are left out).
# TYPE steward_deadline_series_dropped gauge
`

// expectDeadlines compares the exported series with want, written as
// exposition lines without the HELP and TYPE header, and the dropped gauge.
func expectDeadlines(t *testing.T, dropped int, want ...string) {
	t.Helper()
	var b strings.Builder
	if len(want) > 0 {
		b.WriteString(deadlineHeader)
		for _, line := range want {
			b.WriteString(line + "\n")
		}
	}
	fmt.Fprintf(&b, "%ssteward_deadline_series_dropped %d\n", droppedHeader, dropped)
	if err := testutil.CollectAndCompare(deadlineMetrics, strings.NewReader(b.String()),
		DeadlineMetricName, DeadlineDroppedMetricName); err != nil {
		t.Fatal(err)
	}
}

// series is one exposition line of the deadline gauge.
func series(namespace, kind, name, team string, deadline nhi.DeadlineKind, at time.Time) string {
	return fmt.Sprintf(`steward_deadline_timestamp_seconds{deadline=%q,kind=%q,name=%q,namespace=%q,team=%q} %d`,
		deadline, kind, name, namespace, team, at.Unix())
}

func TestSetDeadlinesReplacesTheNamespace(t *testing.T) {
	resetDeadlines(t)
	SetDeadlines("team-a", []Deadline{
		{Kind: KindIdentityOwnership, Name: billing, Team: billing, Deadline: nhi.DeadlineExpiry, At: inDays(3)},
		{Kind: KindIdentityOwnership, Name: billing, Team: billing, Deadline: nhi.DeadlineReview, At: inDays(5)},
		{Kind: secret, Name: "db", Team: billing, Deadline: nhi.DeadlineRotation, At: inDays(9)},
	})
	SetDeadlines("team-b", []Deadline{
		{Kind: sa, Name: "ci", Deadline: nhi.DeadlineRevocation, At: inDays(2)},
	})
	expectDeadlines(t, 0,
		series("team-a", KindIdentityOwnership, billing, billing, nhi.DeadlineExpiry, inDays(3)),
		series("team-a", KindIdentityOwnership, billing, billing, nhi.DeadlineReview, inDays(5)),
		series("team-a", secret, "db", billing, nhi.DeadlineRotation, inDays(9)),
		series("team-b", sa, "ci", "", nhi.DeadlineRevocation, inDays(2)),
	)

	// The review was filed, the expiry moved, a new exception appeared: the
	// namespace's series are exactly the new ones, the other namespace's stay.
	SetDeadlines("team-a", []Deadline{
		{Kind: KindIdentityOwnership, Name: billing, Team: billing, Deadline: nhi.DeadlineExpiry, At: inDays(4)},
		{Kind: secret, Name: "db", Team: billing, Deadline: nhi.DeadlineRotation, At: inDays(9)},
		{Kind: KindOwnershipException, Name: "legacy", Team: billing, Deadline: nhi.DeadlineExceptionExpiry,
			At: inDays(6)},
	})
	expectDeadlines(t, 0,
		series("team-a", KindIdentityOwnership, billing, billing, nhi.DeadlineExpiry, inDays(4)),
		series("team-a", secret, "db", billing, nhi.DeadlineRotation, inDays(9)),
		series("team-a", KindOwnershipException, "legacy", billing, nhi.DeadlineExceptionExpiry, inDays(6)),
		series("team-b", sa, "ci", "", nhi.DeadlineRevocation, inDays(2)),
	)

	// An ownership changing teams is a new series, not a second one.
	SetDeadlines("team-b", []Deadline{
		{Kind: sa, Name: "ci", Team: "build", Deadline: nhi.DeadlineRevocation, At: inDays(2)},
	})
	expectDeadlines(t, 0,
		series("team-a", KindIdentityOwnership, billing, billing, nhi.DeadlineExpiry, inDays(4)),
		series("team-a", secret, "db", billing, nhi.DeadlineRotation, inDays(9)),
		series("team-a", KindOwnershipException, "legacy", billing, nhi.DeadlineExceptionExpiry, inDays(6)),
		series("team-b", sa, "ci", "build", nhi.DeadlineRevocation, inDays(2)),
	)
}

func TestSetDeadlinesDeletes(t *testing.T) {
	resetDeadlines(t)
	SetDeadlines("team-a", []Deadline{{Kind: secret, Name: "db", Team: "a", Deadline: nhi.DeadlineRotation, At: inDays(1)}})
	SetDeadlines("team-b", []Deadline{{Kind: secret, Name: "db", Team: "b", Deadline: nhi.DeadlineRotation, At: inDays(1)}})
	SetDeadlines("team-c", []Deadline{{Kind: secret, Name: "db", Team: "c", Deadline: nhi.DeadlineRotation, At: inDays(1)}})

	SetDeadlines("team-a", nil)
	SetDeadlines("team-b", []Deadline{})
	expectDeadlines(t, 0, series("team-c", secret, "db", "c", nhi.DeadlineRotation, inDays(1)))

	ForgetNamespace("team-c")
	ForgetNamespace("never-seen")
	expectDeadlines(t, 0)
	if n := len(deadlineMetrics.byNamespace); n != 0 {
		t.Errorf("%d namespaces remembered after all were forgotten", n)
	}
}

func TestSetDeadlinesMergesDuplicatesAndIgnoresZero(t *testing.T) {
	resetDeadlines(t)
	// Two exceptions waiving findings of the same Secret end at different
	// times: one series, at the earlier end. A zero time is no deadline.
	SetDeadlines("team-a", []Deadline{
		{Kind: secret, Name: "db", Team: "a", Deadline: nhi.DeadlineExceptionExpiry, At: inDays(8)},
		{Kind: secret, Name: "db", Team: "a", Deadline: nhi.DeadlineRotation, At: inDays(9)},
		{Kind: secret, Name: "db", Team: "a", Deadline: nhi.DeadlineExceptionExpiry, At: inDays(6)},
		{Kind: secret, Name: "db", Team: "a", Deadline: nhi.DeadlineExceptionExpiry, At: inDays(6)},
		{Kind: secret, Name: "tls", Team: "a", Deadline: nhi.DeadlineRotation},
	})
	expectDeadlines(t, 0,
		series("team-a", secret, "db", "a", nhi.DeadlineExceptionExpiry, inDays(6)),
		series("team-a", secret, "db", "a", nhi.DeadlineRotation, inDays(9)),
	)
}

func TestSetDeadlinesDoesNotKeepTheCallersSlice(t *testing.T) {
	resetDeadlines(t)
	in := []Deadline{{Kind: secret, Name: "db", Team: "a", Deadline: nhi.DeadlineRotation, At: inDays(1)}}
	SetDeadlines("team-a", in)
	in[0].Name = "changed"
	expectDeadlines(t, 0, series("team-a", secret, "db", "a", nhi.DeadlineRotation, inDays(1)))
}

func TestSetDeadlinesFractionalSeconds(t *testing.T) {
	resetDeadlines(t)
	SetDeadlines("team-a", []Deadline{
		{Kind: secret, Name: "db", Deadline: nhi.DeadlineRotation, At: inDays(1).Add(500 * time.Millisecond)}})
	if got, want := testutil.ToFloat64(onlyDeadline{}), float64(inDays(1).Unix())+0.5; got != want {
		t.Errorf("value %v, want %v", got, want)
	}
}

// onlyDeadline collects the deadline gauge without the dropped gauge, for
// testutil.ToFloat64, which takes a collector of exactly one metric.
type onlyDeadline struct{}

func (onlyDeadline) Describe(ch chan<- *prometheus.Desc) { ch <- deadlineMetrics.timestamp }
func (onlyDeadline) Collect(ch chan<- prometheus.Metric) {
	all := make(chan prometheus.Metric, 16)
	deadlineMetrics.Collect(all)
	close(all)
	for m := range all {
		if m.Desc() == deadlineMetrics.timestamp {
			ch <- m
		}
	}
}

func TestDeadlineSeriesLimitKeepsTheEarliest(t *testing.T) {
	resetDeadlines(t)
	SetDeadlineSeriesLimit(3)
	SetDeadlines("team-b", []Deadline{
		{Kind: secret, Name: "b1", Deadline: nhi.DeadlineRotation, At: inDays(1)},
		{Kind: secret, Name: "b2", Deadline: nhi.DeadlineRotation, At: inDays(4)},
		{Kind: secret, Name: "b3", Deadline: nhi.DeadlineRotation, At: inDays(6)},
	})
	SetDeadlines("team-a", []Deadline{
		// Same time as b2: the namespace breaks the tie, so team-a's wins
		// whatever order the namespaces were reconciled in.
		{Kind: secret, Name: "a2", Deadline: nhi.DeadlineRotation, At: inDays(4)},
		{Kind: secret, Name: "a1", Deadline: nhi.DeadlineRotation, At: inDays(2)},
	})
	expectDeadlines(t, 2,
		series("team-b", secret, "b1", "", nhi.DeadlineRotation, inDays(1)),
		series("team-a", secret, "a1", "", nhi.DeadlineRotation, inDays(2)),
		series("team-a", secret, "a2", "", nhi.DeadlineRotation, inDays(4)),
	)

	// A namespace going away lets the next earliest in.
	ForgetNamespace("team-a")
	expectDeadlines(t, 0,
		series("team-b", secret, "b1", "", nhi.DeadlineRotation, inDays(1)),
		series("team-b", secret, "b2", "", nhi.DeadlineRotation, inDays(4)),
		series("team-b", secret, "b3", "", nhi.DeadlineRotation, inDays(6)),
	)

	// Changing the limit applies to the deadlines already set.
	SetDeadlineSeriesLimit(1)
	expectDeadlines(t, 2, series("team-b", secret, "b1", "", nhi.DeadlineRotation, inDays(1)))
	SetDeadlineSeriesLimit(0)
	expectDeadlines(t, 3)
	SetDeadlineSeriesLimit(-5)
	expectDeadlines(t, 3)
	SetDeadlineSeriesLimit(10)
	expectDeadlines(t, 0,
		series("team-b", secret, "b1", "", nhi.DeadlineRotation, inDays(1)),
		series("team-b", secret, "b2", "", nhi.DeadlineRotation, inDays(4)),
		series("team-b", secret, "b3", "", nhi.DeadlineRotation, inDays(6)),
	)
}

func TestDeadlineSeriesLimitIsDeterministic(t *testing.T) {
	resetDeadlines(t)
	SetDeadlineSeriesLimit(5)
	// Every deadline at the same time: the labels decide, in order
	// namespace, kind, name, deadline, team.
	at := inDays(1)
	input := map[string][]Deadline{
		ns2: {{Kind: secret, Name: "x", Deadline: nhi.DeadlineRotation, At: at}},
		ns1: {
			{Kind: sa, Name: "x", Deadline: nhi.DeadlineRevocation, At: at},
			{Kind: secret, Name: "y", Deadline: nhi.DeadlineRotation, At: at},
			{Kind: secret, Name: "x", Deadline: nhi.DeadlineRotation, At: at, Team: "b"},
			{Kind: secret, Name: "x", Deadline: nhi.DeadlineRotation, At: at, Team: "a"},
			{Kind: secret, Name: "x", Deadline: nhi.DeadlineExceptionExpiry, At: at},
		},
		ns0: {{Kind: secret, Name: "z", Deadline: nhi.DeadlineRotation, At: at}},
	}
	want := []string{
		series(ns0, secret, "z", "", nhi.DeadlineRotation, at),
		series(ns1, secret, "x", "", nhi.DeadlineExceptionExpiry, at),
		series(ns1, secret, "x", "a", nhi.DeadlineRotation, at),
		series(ns1, secret, "x", "b", nhi.DeadlineRotation, at),
		series(ns1, secret, "y", "", nhi.DeadlineRotation, at),
	}
	// Whatever order the namespaces come in, and the deadlines within them.
	for _, order := range [][]string{{ns0, ns1, ns2}, {ns2, ns1, ns0}, {ns1, ns2, ns0}} {
		for _, ns := range order {
			list := slices.Clone(input[ns])
			slices.Reverse(list)
			SetDeadlines(ns, list)
		}
		expectDeadlines(t, 2, want...)
		for ns := range maps.Keys(input) {
			ForgetNamespace(ns)
		}
	}
}

// TestDeadlinesConcurrently runs namespace updates, limit changes and
// scrapes at once; under -race it proves the state is guarded, and the end
// state must be the earliest deadlines of the last update of each namespace.
func TestDeadlinesConcurrently(t *testing.T) {
	resetDeadlines(t)
	const namespaces, perNamespace, rounds, limit = 16, 20, 50, 100
	deadlinesOf := func(ns, round int) []Deadline {
		out := make([]Deadline, perNamespace)
		for i := range out {
			out[i] = Deadline{Kind: secret, Name: fmt.Sprintf("s-%02d", i), Team: fmt.Sprintf("team-%d", ns%3),
				Deadline: nhi.DeadlineRotation,
				At:       deadlineEpoch.Add(time.Duration(i*namespaces+ns)*time.Minute + time.Duration(round)*time.Second)}
		}
		return out
	}
	registry := prometheus.NewPedanticRegistry()
	registry.MustRegister(deadlineMetrics)

	var wg sync.WaitGroup
	stop := make(chan struct{})
	for ns := range namespaces {
		wg.Go(func() {
			for round := range rounds {
				SetDeadlines(fmt.Sprintf("ns-%02d", ns), deadlinesOf(ns, round))
				if round%10 == 0 {
					ForgetNamespace(fmt.Sprintf("ns-%02d", ns))
				}
			}
			SetDeadlines(fmt.Sprintf("ns-%02d", ns), deadlinesOf(ns, rounds))
		})
	}
	var scrapers sync.WaitGroup
	for range 2 {
		scrapers.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := registry.Gather(); err != nil {
					t.Error(err)
					return
				}
				SetDeadlineSeriesLimit(limit)
			}
		})
	}
	wg.Wait()
	close(stop)
	scrapers.Wait()
	SetDeadlineSeriesLimit(limit)

	// Deadlines interleave namespaces minute by minute: the earliest 100
	// are the first 100/16 rounds of names across every namespace.
	var want []string
	for i := range perNamespace {
		for ns := range namespaces {
			if len(want) == limit {
				break
			}
			want = append(want, series(fmt.Sprintf("ns-%02d", ns), secret, fmt.Sprintf("s-%02d", i),
				fmt.Sprintf("team-%d", ns%3), nhi.DeadlineRotation,
				deadlineEpoch.Add(time.Duration(i*namespaces+ns)*time.Minute+rounds*time.Second)))
		}
	}
	expectDeadlines(t, namespaces*perNamespace-limit, want...)
	if n := testutil.CollectAndCount(deadlineMetrics, DeadlineMetricName); n != limit {
		t.Errorf("%d series exported, want %d", n, limit)
	}
}

// TestDeadlineMetricsRegistered checks the collector is served by the
// manager's metrics endpoint and passes Prometheus's naming lint.
func TestDeadlineMetricsRegistered(t *testing.T) {
	resetDeadlines(t)
	SetDeadlines("team-a", []Deadline{{Kind: secret, Name: "db", Deadline: nhi.DeadlineRotation, At: inDays(1)}})
	families, err := metrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, f := range families {
		found[f.GetName()] = true
	}
	for _, name := range []string{DeadlineMetricName, DeadlineDroppedMetricName} {
		if !found[name] {
			t.Errorf("%s is not in controller-runtime's metrics registry", name)
		}
	}
	problems, err := testutil.CollectAndLint(deadlineMetrics)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
}

// BenchmarkDeadlinesScrape measures a scrape over the limit: 100
// namespaces of 100 deadlines each, 2000 exported.
func BenchmarkDeadlinesScrape(b *testing.B) {
	c := newDeadlineCollector()
	for ns := range 100 {
		list := make([]Deadline, 100)
		for i := range list {
			list[i] = Deadline{Kind: secret, Name: fmt.Sprintf("s-%03d", i), Deadline: nhi.DeadlineRotation,
				At: deadlineEpoch.Add(time.Duration(i*100+ns) * time.Second)}
		}
		c.set(fmt.Sprintf("ns-%03d", ns), list)
	}
	b.ResetTimer()
	for b.Loop() {
		kept, _ := c.selected()
		if len(kept) != DefaultDeadlineSeriesLimit {
			b.Fatal(len(kept))
		}
	}
}
