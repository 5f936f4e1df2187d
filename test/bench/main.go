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

// Command bench measures Steward against the local control plane: time to
// converge on a large data set against a plain client-go baseline issuing
// the same patches, API writes, peak memory against a full-Secret informer,
// deadline latency, and writes while idle. hack/bench.sh runs it; see
// docs/benchmarks.md for the figures.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
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
	mode         string
	kubeconfig   string
	manager      string
	namespaces   int
	perNamespace int
	secretBytes  int
	pods         bool
	qps          float64
	burst        int
	concurrency  int
	deadlines    int
	deadlineSpan time.Duration
	idle         time.Duration
	report       string
	managerFlags managerFlags
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
	flag.StringVar(&c.manager, "manager", "bin/manager", "the manager binary")
	flag.IntVar(&c.namespaces, "namespaces", 100, "namespaces in the data set")
	flag.IntVar(&c.perNamespace, "per-namespace", 100, "ServiceAccounts, and as many Secrets, per namespace")
	flag.IntVar(&c.secretBytes, "secret-bytes", 32*1024, "bytes of data in each Secret")
	flag.BoolVar(&c.pods, "pods", true, "one Pod per ServiceAccount, running as it and mounting the Secret "+
		"of the same name (they stay Pending: the local control plane has no node)")
	flag.Float64Var(&c.qps, "qps", 300, "client QPS, for Steward (its default) and the baseline alike")
	flag.IntVar(&c.burst, "burst", 600, "client burst, for Steward (its default) and the baseline alike")
	flag.IntVar(&c.concurrency, "concurrency", 4, "concurrent workers, for Steward (its default) and the baseline alike")
	flag.IntVar(&c.deadlines, "deadlines", 1000, "ownerships expiring during the deadline run")
	flag.DurationVar(&c.deadlineSpan, "deadline-span", time.Minute, "time over which those ownerships expire")
	flag.DurationVar(&c.idle, "idle", 2*time.Minute, "idle period over which writes are counted")
	flag.Var(&c.managerFlags, "manager-flag",
		"an extra flag for the manager, e.g. --manager-flag=--memory-limit=80Mi (repeatable)")
	flag.StringVar(&c.report, "report", "", "write the results as Markdown to this file")
	flag.Parse()

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

func newClients(c config, qps float32, burst int) (*clients, error) {
	rc, err := clientcmd.BuildConfigFromFlags("", c.kubeconfig)
	if err != nil {
		return nil, err
	}
	rc.QPS, rc.Burst = qps, burst
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
	cl, err := newClients(c, 2000, 4000)
	if err != nil {
		return err
	}
	var r results
	r.config = c

	logf("seeding %d namespaces × (%d ServiceAccounts + %d Secrets of %d bytes%s), half owned",
		c.namespaces, c.perNamespace, c.perNamespace, c.secretBytes, podsText(c))
	if err := seed(ctx, cl, c); err != nil {
		return fmt.Errorf("seeding: %w", err)
	}

	logf("baseline: a plain client-go program issuing one patch per identity at %.0f QPS, %d workers",
		c.qps, c.concurrency)
	if r.baseline, r.baselinePatches, err = baseline(ctx, c); err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	logf("baseline: %d patches in %s", r.baselinePatches, r.baseline.Round(time.Millisecond))

	logf("memory baseline: a plain informer caching the full Secrets")
	if r.informerRSS, err = measureInformer(ctx, c); err != nil {
		return fmt.Errorf("informer: %w", err)
	}
	logf("memory baseline: peak RSS %s", mib(r.informerRSS))

	if err := steward(ctx, cl, c, &r); err != nil {
		return err
	}
	if err := r.print(os.Stdout); err != nil {
		return err
	}
	if c.report != "" {
		return r.writeMarkdown(c.report)
	}
	return nil
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[bench %s] %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

func mib(bytes int64) string { return fmt.Sprintf("%.1f MiB", float64(bytes)/(1<<20)) }

// podsText describes the Pods of the data set.
func podsText(c config) string {
	if !c.pods {
		return ""
	}
	return fmt.Sprintf(" + %d Pods, one per ServiceAccount, mounting its Secret", c.perNamespace)
}
