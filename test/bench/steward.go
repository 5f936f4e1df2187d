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

package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/metadata/metadatainformer"
	"k8s.io/client-go/tools/cache"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

// Steward's keys on identities (docs/operators.md).
const (
	stateAnnotation = "steward.dev/state"
	findingLabel    = "steward.dev/finding"
	stewardPrefix   = "steward.dev/"
)

// runningManager is bin/manager started by the bench, with an HTTP metrics
// endpoint to read its counters from.
type runningManager struct {
	cmd         *exec.Cmd
	metricsAddr string
	log         string
	exited      chan struct{}
}

// startManager starts the manager at the floor's settings (no client-side
// rate limit, the floor's concurrency) or, when floor is false, with
// default flags: none of --kube-api-qps, --kube-api-burst or
// --max-concurrent-reconciles.
func startManager(c config, floor bool) (*runningManager, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	_ = l.Close()
	cmd := exec.Command(c.manager, managerArgs(c, floor, addr)...)
	log, err := os.CreateTemp("", "steward-bench-manager-*.log")
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	_ = log.Close() // the child holds its own descriptor
	m := &runningManager{cmd: cmd, metricsAddr: addr, log: log.Name(), exited: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(m.exited) }()
	logf("manager pid %d, log %s", cmd.Process.Pid, m.log)
	return m, nil
}

// managerArgs are the manager's flags in either run. The metrics endpoint is
// plain HTTP for the bench to read, and the decision log is off in both.
func managerArgs(c config, floor bool, metricsAddr string) []string {
	args := []string{"--kubeconfig", c.kubeconfig, "--metrics-bind-address", metricsAddr,
		"--metrics-secure=false", "--health-probe-bind-address=0", "--decision-log=none"}
	if floor {
		// A QPS of -1 gives client-go no rate limiter at all (rest.Config:
		// a limiter is made only for a positive QPS); burst is then unused.
		args = append(args, "--kube-api-qps=-1", fmt.Sprintf("--max-concurrent-reconciles=%d", c.concurrency))
	}
	return append(args, c.managerFlags...)
}

func (m *runningManager) stop() {
	_ = m.cmd.Process.Signal(os.Interrupt)
	select {
	case <-m.exited:
	case <-time.After(15 * time.Second):
		_ = m.cmd.Process.Kill()
		<-m.exited
	}
}

func (m *runningManager) running() bool {
	select {
	case <-m.exited:
		return false
	default:
		return true
	}
}

// scrape reads the manager's metrics endpoint.
func (m *runningManager) scrape() (scrape, error) {
	resp, err := http.Get("http://" + m.metricsAddr + "/metrics")
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }() // read to the end or abandoned: nothing to lose
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("metrics: %s", resp.Status)
	}
	return parseScrape(resp.Body)
}

// writes is the manager's mutating requests so far, by kind
// (steward_api_writes_total).
func (m *runningManager) writes() (writeCounts, error) {
	s, err := m.scrape()
	if err != nil {
		return writeCounts{}, err
	}
	return s.writes(), nil
}

// settle waits until the manager's writes have not changed for quiet (at
// most limit), so that trailing writes (status, Events) are counted.
func (m *runningManager) settle(quiet, limit time.Duration) (scrape, error) {
	start := time.Now()
	last, err := m.scrape()
	if err != nil {
		return nil, err
	}
	stable := time.Now()
	for time.Since(start) < limit {
		time.Sleep(500 * time.Millisecond)
		s, err := m.scrape()
		if err != nil {
			return nil, err
		}
		if s.writes().total() != last.writes().total() {
			stable = time.Now()
		}
		last = s
		if time.Since(stable) >= quiet {
			break
		}
	}
	return last, nil
}

// convergence watches the data set's identities and counts those that
// carry what a run should give them. A watch costs the API server far less
// than listing 20,000 objects in a loop, which would slow the run it
// observes. Each run, the floor's and Steward's, has a watcher of its own,
// started on a data set without that run's keys: it counts only what that
// run writes, and every run is observed at the same cost.
type convergence struct {
	mu    sync.Mutex
	right map[string]bool
}

// carriesStewardState says whether an identity carries the state Steward
// should give it.
func carriesStewardState(item *metav1.PartialObjectMetadata) bool {
	want := string(nhi.StateUnowned)
	if item.Labels[ownedLabel] == ownedValue {
		want = string(nhi.StateOwned)
	}
	return item.Annotations[stateAnnotation] == want
}

func watchConvergence(cl *clients, data dataSet, right func(*metav1.PartialObjectMetadata) bool,
	stop <-chan struct{}) *convergence {
	cv := &convergence{right: map[string]bool{}}
	inDataSet := data.namespaces()
	factory := metadatainformer.NewSharedInformerFactory(cl.metadata, 0)
	record := func(resource string, obj any) {
		item, ok := obj.(*metav1.PartialObjectMetadata)
		if !ok || !inDataSet[item.Namespace] || !strings.HasPrefix(item.Name, "id-") {
			return
		}
		key := item.Namespace + "/" + resource + "/" + item.Name
		cv.mu.Lock()
		cv.right[key] = right(item)
		cv.mu.Unlock()
	}
	for _, gvr := range []schema.GroupVersionResource{serviceAccounts, secrets} {
		informer := factory.ForResource(gvr).Informer()
		_, _ = informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
			AddFunc:    func(obj any) { record(gvr.Resource, obj) },
			UpdateFunc: func(_, obj any) { record(gvr.Resource, obj) },
		})
	}
	factory.Start(stop)
	factory.WaitForCacheSync(stop)
	return cv
}

// complete says whether the watch has seen at least expected identities,
// every one of them carrying what the run should give it.
func (cv *convergence) complete(expected int) bool {
	done, total := cv.count()
	return total >= expected && done == total
}

func (cv *convergence) count() (done, total int) {
	cv.mu.Lock()
	defer cv.mu.Unlock()
	for _, ok := range cv.right {
		total++
		if ok {
			done++
		}
	}
	return done, total
}

// convergenceRun is one Steward run from its start to convergence.
type convergenceRun struct {
	duration   time.Duration
	identities int
	// writes, evaluations and evaluated identities are counted until the
	// manager's writes stop, a little after convergence.
	writes              writeCounts
	eventsLost          int // Events recorded but dropped (queue full) or refused
	evaluations         float64
	evaluatedIdentities float64
	peakRSS             int64 // VmHWM at convergence
	anon, file          int64 // resident memory at convergence
}

// runName names a run in the log and the report.
func runName(floor bool) string {
	if floor {
		return "Steward (floor settings)"
	}
	return "Steward (default flags)"
}

// converge starts a manager on a data set without Steward's keys and waits
// until every identity carries its correct state. The manager is left
// running.
func converge(cl *clients, c config, data dataSet, floor bool) (*convergenceRun, *runningManager, error) {
	name := runName(floor)
	stop := make(chan struct{})
	defer close(stop)
	cv := watchConvergence(cl, data, carriesStewardState, stop)
	if done, _ := cv.count(); done != 0 {
		return nil, nil, fmt.Errorf("%s: %d identities carry their state before the run starts", name, done)
	}
	if floor {
		logf("%s: starting %s with --kube-api-qps=-1 (no rate limit) and --max-concurrent-reconciles=%d",
			name, c.manager, c.concurrency)
	} else {
		logf("%s: starting %s without QPS, burst or concurrency flags", name, c.manager)
	}
	start := time.Now()
	m, err := startManager(c, floor)
	if err != nil {
		return nil, nil, err
	}
	expected := data.identities()
	stopProgress := progress(func() string {
		done, _ := cv.count()
		return fmt.Sprintf("%s: %d/%d identities carry their state after %s", name, done, expected, since(start))
	})
	run := &convergenceRun{}
	for {
		if cv.complete(expected) {
			run.duration = time.Since(start)
			_, run.identities = cv.count()
			break
		}
		if !m.running() || time.Since(start) > c.timeout {
			done, _ := cv.count()
			stopProgress()
			m.stop()
			return nil, nil, fmt.Errorf("%s: no convergence in %s (%d/%d; manager log %s)",
				name, since(start), done, expected, m.log)
		}
		time.Sleep(100 * time.Millisecond)
	}
	stopProgress()
	pid := m.cmd.Process.Pid
	if run.peakRSS, err = peakRSS(pid); err == nil {
		run.anon, run.file, err = residentSplit(pid)
	}
	if err != nil {
		m.stop()
		return nil, nil, err
	}
	s, err := m.settle(3*time.Second, time.Minute)
	if err != nil {
		m.stop()
		return nil, nil, err
	}
	run.writes, run.eventsLost = s.writes(), s.eventsLost()
	run.evaluations, run.evaluatedIdentities = s.total(evaluationsMetric), s.total(evaluatedMetric)
	logf("%s: %d identities converged in %s; peak RSS %s; writes: %s; Events not sent: %d", name,
		run.identities, run.duration.Round(time.Millisecond), mib(run.peakRSS), run.writes, run.eventsLost)
	return run, m, nil
}

func steward(ctx context.Context, cl *clients, c config, data dataSet, r *results) error {
	if c.defaultRun {
		if err := compactETCD(ctx, c.etcdURL, runName(false)); err != nil {
			return err
		}
		run, m, err := converge(cl, c, data, false)
		if err != nil {
			return err
		}
		m.stop()
		r.defaults = run
		logf("removing Steward's traces before the next run")
		start := time.Now()
		if err := resetSteward(ctx, cl, c, data); err != nil {
			return fmt.Errorf("removing Steward's traces: %w", err)
		}
		logf("removed Steward's traces in %s", since(start))
	}
	if err := compactETCD(ctx, c.etcdURL, runName(true)); err != nil {
		return err
	}
	run, m, err := converge(cl, c, data, true)
	if err != nil {
		return err
	}
	defer m.stop()
	r.floor = run

	if c.churn && data.shape == shapeHot {
		if err := compactETCD(ctx, c.etcdURL, "the churn"); err != nil {
			return err
		}
		if r.churn, err = churn(ctx, cl, c, m); err != nil {
			return fmt.Errorf("churn: %w", err)
		}
	}
	if c.deadlines > 0 {
		if err := compactETCD(ctx, c.etcdURL, "the deadlines"); err != nil {
			return err
		}
		if r.deadlines, err = deadlines(ctx, cl, c); err != nil {
			return fmt.Errorf("deadlines: %w", err)
		}
	}
	if c.idle > 0 {
		logf("idle: counting writes over %s", c.idle)
		time.Sleep(5 * time.Second)
		before, err := m.writes()
		if err != nil {
			return err
		}
		time.Sleep(c.idle)
		after, err := m.writes()
		if err != nil {
			return err
		}
		idle := after.minus(before)
		r.idle = &idle
		logf("idle: %d writes (%s)", idle.total(), idle)
	}
	if !m.running() {
		return fmt.Errorf("the manager exited (log %s)", m.log)
	}
	r.peakRSSEnd, err = peakRSS(m.cmd.Process.Pid)
	return err
}

// deadlineResult is the deadline run's latencies, sorted.
type deadlineResult struct {
	latencies []time.Duration
	missed    int
}

// deadlineNamespace holds the deadline run's ownerships and ServiceAccounts.
const deadlineNamespace = "bench-deadlines"

// deadlines creates ownerships expiring over deadlineSpan and measures how
// long after each expiry the Expired label appears.
func deadlines(ctx context.Context, cl *clients, c config) (*deadlineResult, error) {
	const ns = deadlineNamespace
	if err := ignoreExists(cl.ctrl.Create(ctx, benchNamespace(ns, "deadlines"))); err != nil {
		return nil, err
	}
	first := time.Now().Add(30 * time.Second).Truncate(time.Second)
	expiry := make(map[string]time.Time, c.deadlines)
	for i := range c.deadlines {
		offset := time.Duration(i) * c.deadlineSpan / time.Duration(c.deadlines)
		expiry[fmt.Sprintf("expiring-%04d", i)] = first.Add(offset).Truncate(time.Second)
	}
	logf("deadlines: %d ownerships expiring between %s and %s", c.deadlines, first.Format("15:04:05"),
		first.Add(c.deadlineSpan).Format("15:04:05"))

	var mu sync.Mutex
	latencies := map[string]time.Duration{}
	factory := metadatainformer.NewFilteredSharedInformerFactory(cl.metadata, 0, ns, nil)
	informer := factory.ForResource(serviceAccounts).Informer()
	record := func(obj any) {
		item, ok := obj.(*metav1.PartialObjectMetadata)
		if !ok || item.Labels[findingLabel] != "expired" {
			return
		}
		now := time.Now()
		mu.Lock()
		defer mu.Unlock()
		if _, seen := latencies[item.Name]; !seen {
			latencies[item.Name] = now.Sub(expiry[item.Name])
		}
	}
	if _, err := informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: record, UpdateFunc: func(_, obj any) { record(obj) },
	}); err != nil {
		return nil, err
	}
	stop := make(chan struct{})
	defer close(stop)
	factory.Start(stop)
	cache.WaitForCacheSync(stop, informer.HasSynced)

	names := make([]string, 0, len(expiry))
	for name := range expiry {
		names = append(names, name)
	}
	if err := parallel(len(names), 16, func(i int) error {
		name := names[i]
		o := &nhi.IdentityOwnership{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
			Spec: nhi.IdentityOwnershipSpec{
				Identities: []nhi.IdentityReference{{Kind: nhi.KindServiceAccount, Name: name}},
				Owner:      benchOwner(),
				Purpose:    benchPurpose,
				Approval:   benchApproval(time.Now().Add(-time.Hour)),
				ExpiresAt:  metav1.NewTime(expiry[name]),
			},
		}
		if err := ignoreExists(cl.approver.Create(ctx, o)); err != nil {
			return err
		}
		return ignoreExists(cl.ctrl.Create(ctx, serviceAccount(ns, name, nil)))
	}); err != nil {
		return nil, err
	}
	if time.Now().After(first) {
		return nil, fmt.Errorf("creating the deadline set took longer than its lead time")
	}
	deadline := first.Add(c.deadlineSpan + time.Minute)
	for time.Now().Before(deadline) {
		mu.Lock()
		n := len(latencies)
		mu.Unlock()
		if n == len(expiry) {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	d := &deadlineResult{missed: len(expiry) - len(latencies)}
	for _, l := range latencies {
		d.latencies = append(d.latencies, l)
	}
	slices.Sort(d.latencies)
	logf("deadlines: %d observed, %d missed", len(latencies), d.missed)
	return d, nil
}
