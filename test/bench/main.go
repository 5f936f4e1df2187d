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

// Command bench measures Steward against the local control plane, on one
// shape of data set per invocation: time to converge against a plain,
// unthrottled client-go program issuing only the necessary patches (the
// floor), at the floor's settings and with default flags; API writes by
// kind; peak memory against a full-Secret informer; on the hot shape, the
// latency and cost of a minute of churn; and optionally deadline latency
// and writes while idle. hack/bench.sh runs it once per shape, each on a
// fresh control plane; see docs/benchmarks.md for the figures.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

type config struct {
	mode          string
	kubeconfig    string
	etcdURL       string
	manager       string
	shape         string
	identities    int
	namespaces    int
	secretBytes   int
	pods          bool
	concurrency   int
	seedWorkers   int
	defaultRun    bool
	floorAfter    bool
	informer      bool
	churn         bool
	churnRate     int
	churnDuration time.Duration
	churnEvery    time.Duration
	deadlines     int
	deadlineSpan  time.Duration
	idle          time.Duration
	timeout       time.Duration
	goals         string
	report        string
	command       string
	managerFlags  managerFlags
}

// managerFlags are extra flags for the manager, for trials such as a
// different --memory-limit.
type managerFlags []string

func (f *managerFlags) String() string     { return fmt.Sprint(*f) }
func (f *managerFlags) Set(v string) error { *f = append(*f, v); return nil }

func main() {
	var c config
	flag.StringVar(&c.mode, "mode", "all", "all, or informer (internal: hold a full-Secret informer and report memory)")
	flag.StringVar(&c.kubeconfig, "kubeconfig", os.Getenv("KUBECONFIG"), "admin kubeconfig of the local control plane")
	flag.StringVar(&c.etcdURL, "etcd-url", "", "etcd's client URL: its history is compacted before each timed run "+
		"(the control plane's own compaction should be off); empty compacts nothing")
	flag.StringVar(&c.manager, "manager", "bin/manager", "the manager binary")
	flag.StringVar(&c.shape, "shape", shapeSpread, "data set shape: spread (every namespace alike), hot (one "+
		"namespace holds every identity) or skewed (one namespace holds half, the rest spread over the others)")
	flag.IntVar(&c.identities, "identities", 20000, "ServiceAccounts plus Secrets in the data set, half of each")
	flag.IntVar(&c.namespaces, "namespaces", 100, "namespaces of the spread and skewed shapes")
	flag.IntVar(&c.secretBytes, "secret-bytes", 32*1024, "bytes of data in each Secret")
	flag.BoolVar(&c.pods, "pods", true, "one Pod per ServiceAccount, running as it and mounting the Secret "+
		"of the same name (they stay Pending: the local control plane has no node)")
	flag.IntVar(&c.concurrency, "concurrency", 4, "concurrent workers of the floor, and Steward's "+
		"--max-concurrent-reconciles in the run at the floor's settings (4 is the manager's default)")
	flag.IntVar(&c.seedWorkers, "seed-workers", 16, "concurrent requests while seeding (not timed)")
	flag.BoolVar(&c.defaultRun, "default-run", true, "also measure Steward with default flags")
	flag.BoolVar(&c.floorAfter, "floor-after", true, "measure the floor again after Steward's runs, and take "+
		"the ratios against the mean of the two (the host's speed drifts over a run)")
	flag.BoolVar(&c.informer, "informer", true, "measure the full-Secret informer's memory")
	flag.BoolVar(&c.churn, "churn", true, "on the hot shape, measure a period of churn after convergence")
	flag.IntVar(&c.churnRate, "churn-rate", 50, "identities created per second during churn")
	flag.DurationVar(&c.churnDuration, "churn-duration", time.Minute, "how long churn lasts")
	flag.DurationVar(&c.churnEvery, "churn-ownership-every", 10*time.Second,
		"how often churn changes the identities an ownership names")
	flag.IntVar(&c.deadlines, "deadlines", 1000, "ownerships expiring during the deadline run (0 skips it)")
	flag.DurationVar(&c.deadlineSpan, "deadline-span", time.Minute, "time over which those ownerships expire")
	flag.DurationVar(&c.idle, "idle", 2*time.Minute, "idle period over which writes are counted (0 skips it)")
	flag.DurationVar(&c.timeout, "timeout", 15*time.Minute, "longest wait for one convergence")
	flag.StringVar(&c.goals, "goals", goalsDefault, "which goals apply: default, or large (100,000 identities)")
	flag.Var(&c.managerFlags, "manager-flag",
		"an extra flag for the manager in both runs, e.g. --manager-flag=--memory-limit=80Mi (repeatable)")
	flag.StringVar(&c.report, "report", "", "write the results as Markdown to this file")
	flag.StringVar(&c.command, "command", "", "the command to name in the report (default: this program's own)")
	flag.Parse()
	if c.command == "" {
		c.command = strings.Join(os.Args, " ")
	}

	if err := run(context.Background(), c); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// clients are the API clients the bench uses for itself (seeding, polling).
type clients struct {
	kube     kubernetes.Interface
	metadata metadata.Interface
	ctrl     client.Client
	// approver is ctrl impersonating the approver, for the objects that
	// carry an approval (the administrator may impersonate anyone; the
	// group gives the impersonated person the rights to create them).
	approver client.Client
}

// newClients returns clients without a client-side rate limiter (QPS -1):
// the bench's own requests, and the floor's, are never throttled.
func newClients(c config) (*clients, error) {
	rc, err := clientcmd.BuildConfigFromFlags("", c.kubeconfig)
	if err != nil {
		return nil, err
	}
	rc.QPS, rc.Burst = -1, 0
	kube, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return nil, err
	}
	meta, err := metadata.NewForConfig(rc)
	if err != nil {
		return nil, err
	}
	scheme := kubernetesScheme()
	if err := nhi.AddToScheme(scheme); err != nil {
		return nil, err
	}
	ctrlClient, err := client.New(rc, client.Options{Scheme: scheme})
	if err != nil {
		return nil, err
	}
	asApprover := rest.CopyConfig(rc)
	asApprover.Impersonate = rest.ImpersonationConfig{UserName: approver, Groups: []string{"system:masters"}}
	approverClient, err := client.New(asApprover, client.Options{Scheme: scheme})
	if err != nil {
		return nil, err
	}
	return &clients{kube: kube, metadata: meta, ctrl: ctrlClient, approver: approverClient}, nil
}

func run(ctx context.Context, c config) error {
	ctrllog.SetLogger(logr.Discard())
	if c.mode == "informer" {
		return holdFullSecretInformer(ctx, c)
	}
	data, err := newDataSet(c)
	if err != nil {
		return err
	}
	if c.goals != goalsDefault && c.goals != goalsLarge {
		return fmt.Errorf("--goals: %q is neither %s nor %s", c.goals, goalsDefault, goalsLarge)
	}
	cl, err := newClients(c)
	if err != nil {
		return err
	}
	r := results{config: c, data: data}

	logf("seeding the %s data set: %s", c.shape, data.describe(c))
	start := time.Now()
	if err := seed(ctx, cl, c, data); err != nil {
		return fmt.Errorf("seeding: %w", err)
	}
	logf("seeded in %s", since(start))

	if err := compactETCD(ctx, c.etcdURL, "the floor"); err != nil {
		return err
	}
	logf("floor: a plain client-go program, unthrottled, listing the identities and issuing one patch "+
		"per identity with %d workers", c.concurrency)
	if r.baseline, r.baselinePatches, err = baseline(ctx, c, data); err != nil {
		return fmt.Errorf("floor: %w", err)
	}
	logf("floor: %d patches in %s", r.baselinePatches, r.baseline.Round(time.Millisecond))

	if c.informer {
		logf("memory baseline: a plain informer caching the full Secrets")
		if r.informerRSS, err = measureInformer(ctx, c); err != nil {
			return fmt.Errorf("informer: %w", err)
		}
		logf("memory baseline: peak RSS %s", mib(r.informerRSS))
	}

	if err := steward(ctx, cl, c, data, &r); err != nil {
		return err
	}
	if c.floorAfter {
		if err := floorAgain(ctx, cl, c, data, &r); err != nil {
			return err
		}
	}
	if err := r.print(os.Stdout); err != nil {
		return err
	}
	if c.report != "" {
		return r.writeMarkdown(c.report)
	}
	return nil
}

// floorAgain measures the floor once more, after Steward's runs (their
// manager stopped), on the data set as the first run found it: what the
// churn and deadline runs added is deleted, and Steward's keys and the
// floor's are removed from the identities.
func floorAgain(ctx context.Context, cl *clients, c config, data dataSet, r *results) error {
	logf("floor, again: removing what the runs added, Steward's keys and the floor's")
	start := time.Now()
	if err := removeRunObjects(ctx, cl); err != nil {
		return err
	}
	if err := resetKeys(ctx, cl, c, data, []string{stewardPrefix, floorPrefix}); err != nil {
		return fmt.Errorf("removing the keys: %w", err)
	}
	logf("floor, again: done in %s; patching", since(start))
	if err := compactETCD(ctx, c.etcdURL, "the floor, again"); err != nil {
		return err
	}
	after, patches, err := baseline(ctx, c, data)
	if err != nil {
		return fmt.Errorf("floor, again: %w", err)
	}
	if patches != r.baselinePatches {
		return fmt.Errorf("floor, again: %d patches, where its first run made %d", patches, r.baselinePatches)
	}
	r.baselineAfter = after
	logf("floor, again: %s (before Steward's runs: %s)", after.Round(time.Millisecond), r.baseline.Round(time.Millisecond))
	return nil
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[bench %s] %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

func mib(bytes int64) string { return fmt.Sprintf("%.1f MiB", float64(bytes)/(1<<20)) }

// since is the time since start, rounded for the progress lines.
func since(start time.Time) time.Duration { return time.Since(start).Round(100 * time.Millisecond) }
