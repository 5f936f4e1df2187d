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
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/metadata/metadatainformer"
	"k8s.io/client-go/tools/cache"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

// runningManager is bin/manager started by the bench with default flags but
// an HTTP metrics endpoint to read its request counters from.
type runningManager struct {
	cmd         *exec.Cmd
	metricsAddr string
}

func startManager(c config) (*runningManager, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	_ = l.Close()
	cmd := exec.Command(c.manager, "--kubeconfig", c.kubeconfig, "--metrics-bind-address", addr,
		"--metrics-secure=false", "--health-probe-bind-address=0", "--decision-log=none",
		"--kube-api-qps", fmt.Sprint(c.qps), "--kube-api-burst", fmt.Sprint(c.burst),
		"--max-concurrent-reconciles", fmt.Sprint(c.concurrency))
	cmd.Args = append(cmd.Args, c.managerFlags...)
	log, err := os.CreateTemp("", "steward-bench-manager-*.log")
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	logf("manager pid %d, log %s", cmd.Process.Pid, log.Name())
	return &runningManager{cmd: cmd, metricsAddr: addr}, nil
}

func (m *runningManager) stop() {
	_ = m.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = m.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = m.cmd.Process.Kill()
	}
}

// writes is the number of mutating requests the manager has sent to the
// API server, from client-go's rest_client_requests_total.
func (m *runningManager) writes() (int, error) {
	resp, err := http.Get("http://" + m.metricsAddr + "/metrics")
	if err != nil {
		return 0, err
	}
	defer func() { _ = resp.Body.Close() }() // read to the end or abandoned: nothing to lose
	total := 0
	scanner := bufio.NewScanner(resp.Body)
	scanner.Buffer(make([]byte, 1<<20), 1<<20)
	for scanner.Scan() {
		line := scanner.Text()
		if !strings.HasPrefix(line, "rest_client_requests_total{") {
			continue
		}
		for _, method := range []string{`method="PATCH"`, `method="PUT"`, `method="POST"`, `method="DELETE"`} {
			if strings.Contains(line, method) {
				fields := strings.Fields(line)
				v, err := strconv.ParseFloat(fields[len(fields)-1], 64)
				if err != nil {
					return 0, err
				}
				total += int(v)
			}
		}
	}
	return total, scanner.Err()
}

// convergence watches the data set's identities and counts those carrying
// the state Steward should give them. A watch costs the API server far less
// than listing 20,000 objects in a loop, which would slow Steward's run.
type convergence struct {
	mu    sync.Mutex
	right map[string]bool
}

func watchConvergence(cl *clients, stop <-chan struct{}) *convergence {
	cv := &convergence{right: map[string]bool{}}
	factory := metadatainformer.NewSharedInformerFactory(cl.metadata, 0)
	record := func(resource string, obj any) {
		item, ok := obj.(*metav1.PartialObjectMetadata)
		if !ok || !strings.HasPrefix(item.Namespace, "bench-0") || !strings.HasPrefix(item.Name, "id-") {
			return
		}
		want := string(nhi.StateUnowned)
		if item.Labels[ownedLabel] == ownedValue {
			want = string(nhi.StateOwned)
		}
		key := item.Namespace + "/" + resource + "/" + item.Name
		cv.mu.Lock()
		cv.right[key] = item.Annotations["steward.dev/state"] == want
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

func steward(ctx context.Context, cl *clients, c config, r *results) error {
	stop := make(chan struct{})
	defer close(stop)
	cv := watchConvergence(cl, stop)
	logf("Steward: starting bin/manager with its default QPS, burst and concurrency")
	start := time.Now()
	m, err := startManager(c)
	if err != nil {
		return err
	}
	defer m.stop()
	expected := 2 * c.namespaces * c.perNamespace
	for {
		done, total := cv.count()
		if total >= expected && done == total {
			r.steward = time.Since(start)
			r.identities = total
			break
		}
		if time.Since(start) > 15*time.Minute {
			return fmt.Errorf("no convergence of Steward in 15 minutes (%d/%d)", done, total)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if r.stewardWrites, err = m.writes(); err != nil {
		return err
	}
	if r.stewardRSS, err = peakRSS(m.cmd.Process.Pid); err != nil {
		return err
	}
	if r.stewardAnon, r.stewardFile, err = residentSplit(m.cmd.Process.Pid); err != nil {
		return err
	}
	logf("Steward: %d identities converged in %s with %d writes; peak RSS %s",
		r.identities, r.steward.Round(time.Millisecond), r.stewardWrites, mib(r.stewardRSS))

	if err := deadlines(ctx, cl, c, r); err != nil {
		return fmt.Errorf("deadlines: %w", err)
	}

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
	r.idleWrites = after - before
	r.stewardRSSEnd, err = peakRSS(m.cmd.Process.Pid)
	return err
}

// deadlines creates ownerships expiring over deadlineSpan and measures how
// long after each expiry the Expired label appears.
func deadlines(ctx context.Context, cl *clients, c config, r *results) error {
	const ns = "bench-deadlines"
	if err := ignoreExists(cl.ctrl.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		Name: ns, Labels: map[string]string{benchLabel: "deadlines"}}})); err != nil {
		return err
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
		if !ok || item.Labels["steward.dev/finding"] != "expired" {
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
		return err
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
				Owner:      nhi.Owner{Team: "payments", Contacts: []nhi.Person{"alice@example.com"}},
				Purpose:    "benchmark",
				Approval: &nhi.Approval{
					ApprovedBy: approver, ApprovedAt: metav1.NewTime(time.Now().Add(-time.Hour)), Reference: "BENCH",
				},
				ExpiresAt: metav1.NewTime(expiry[name]),
			},
		}
		if err := ignoreExists(cl.approver.Create(ctx, o)); err != nil {
			return err
		}
		return ignoreExists(cl.ctrl.Create(ctx, &corev1.ServiceAccount{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		}))
	}); err != nil {
		return err
	}
	if time.Now().After(first) {
		return fmt.Errorf("creating the deadline set took longer than its lead time")
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
	for _, l := range latencies {
		r.latencies = append(r.latencies, l)
	}
	slices.Sort(r.latencies)
	r.deadlinesMissed = len(expiry) - len(latencies)
	logf("deadlines: %d observed, %d missed", len(latencies), r.deadlinesMissed)
	return nil
}
