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

// Command manager runs Steward's controllers.
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"time"

	// Import all Kubernetes client auth plugins (e.g. Azure, GCP, OIDC, etc.)
	_ "k8s.io/client-go/plugin/pkg/client/auth"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	nhiv1alpha1 "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/apiwrites"
	"github.com/nhi-steward/steward/internal/controller"
	"github.com/nhi-steward/steward/internal/evidence"
	"github.com/nhi-steward/steward/internal/metricsauth"
)

var (
	scheme   = runtime.NewScheme()
	setupLog = ctrl.Log.WithName("setup")
)

func init() {
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(nhiv1alpha1.AddToScheme(scheme))
}

// flags are the manager's command-line options.
type flags struct {
	metricsAddr             string
	secureMetrics           bool
	enableHTTP2             bool
	probeAddr               string
	pprofAddr               string
	leaderElect             bool
	leaderElectionNamespace string
	qps                     float64
	burst                   int
	maxConcurrentReconciles int
	reconcileTimeout        time.Duration
	statusBatchPeriod       time.Duration
	stewardNamespace        string
	decisionLog             string
	decisionLogMaxSize      string
	decisionLogMaxFiles     int
	memoryLimit             string
	gcPercent               int
	deadlineSeriesLimit     int
	eventsPerReason         int
	reportFormat            string
}

func parseFlags() (flags, zap.Options) {
	var f flags
	flag.StringVar(&f.metricsAddr, "metrics-bind-address", "0",
		"The address the metrics endpoint binds to: :8443 for HTTPS, :8080 for HTTP, 0 to disable.")
	flag.BoolVar(&f.secureMetrics, "metrics-secure", true,
		"Serve metrics over HTTPS, authenticated and authorized by the API server.")
	flag.BoolVar(&f.enableHTTP2, "enable-http2", false,
		"Enable HTTP/2 for the metrics server (off by default: CVE-2023-44487, CVE-2023-39325).")
	flag.StringVar(&f.probeAddr, "health-probe-bind-address", ":8081", "The address the probe endpoint binds to.")
	flag.StringVar(&f.pprofAddr, "pprof-bind-address", "0",
		"The address the Go profiler (/debug/pprof) binds to, e.g. 127.0.0.1:6060; 0 disables it.")
	flag.BoolVar(&f.leaderElect, "leader-elect", false,
		"Elect a leader so that only one of several replicas acts at a time.")
	flag.StringVar(&f.leaderElectionNamespace, "leader-election-namespace", "",
		"Namespace of the leader-election Lease (default: the manager's own namespace).")
	flag.Float64Var(&f.qps, "kube-api-qps", 300, "Queries per second the manager may send to the API server.")
	flag.IntVar(&f.burst, "kube-api-burst", 600, "Burst of queries above --kube-api-qps allowed to the API server.")
	flag.IntVar(&f.maxConcurrentReconciles, "max-concurrent-reconciles", 4,
		"How many namespaces are evaluated at once.")
	flag.DurationVar(&f.reconcileTimeout, "reconcile-timeout", 2*time.Minute,
		"How long one evaluation may take before it is abandoned and retried, so that a request the API server "+
			"never answers cannot stall a worker; 0 means no limit.")
	flag.DurationVar(&f.statusBatchPeriod, "status-batch-period", controller.DefaultStatusBatchPeriod,
		"Longest an IdentityOwnership's identity rows and count, and an OwnershipPolicy's totals and first "+
			"violations, wait to be written while identities keep arriving or leaving: the first such change is "+
			"written at once, later ones at most once per period. A listed identity's new state, conditions, "+
			"history and a new generation are always written at once. 0 writes every change at once.")
	flag.StringVar(&f.stewardNamespace, "steward-namespace", envOr("POD_NAMESPACE", "steward-system"),
		"Steward's own namespace, which is never governed.")
	flag.StringVar(&f.decisionLog, "decision-log", "stdout",
		"Where the JSON-lines decision log goes: stdout, stderr, a file path, or none.")
	flag.StringVar(&f.decisionLogMaxSize, "decision-log-max-size", "100Mi",
		"With a file --decision-log: rotate the file before it grows past this size, a quantity (0: never).")
	flag.IntVar(&f.decisionLogMaxFiles, "decision-log-max-files", 10,
		"With a file --decision-log: how many files rotation keeps, the current one included.")
	flag.IntVar(&f.eventsPerReason, "events-per-reason", controller.DefaultEventsPerReason,
		"At most this many Events of one reason about identities per evaluation of a namespace; the rest are "+
			"counted in one EventsFolded Event about the namespace (the decision log keeps a line for each); 0 means "+
			"the default.")
	flag.IntVar(&f.deadlineSeriesLimit, "deadline-series-limit", evidence.DefaultDeadlineSeriesLimit,
		"At most this many steward_deadline_timestamp_seconds series across all namespaces; the earliest deadlines "+
			"are kept and steward_deadline_series_dropped counts the rest. 0 disables the metric.")
	flag.StringVar(&f.reportFormat, "report-format", evidence.DefaultReportFormat,
		"The API of the report Steward writes in each governed namespace, when its CRD is installed: "+
			"wgpolicyk8s (PolicyReport), openreports (OpenReports Report) or both. Steward removes its reports "+
			"of a format left out.")
	flag.StringVar(&f.memoryLimit, "memory-limit", "256Mi",
		"Soft memory limit of the Go runtime, as a quantity (0 disables); ignored when GOMEMLIMIT is set, "+
			"as the Deployment does from the container's limit.")
	flag.IntVar(&f.gcPercent, "gc-percent", 50,
		"Heap growth between garbage collections, in percent of the live heap (Go's GOGC); ignored when GOGC is "+
			"set. Below Go's 100, so that memory follows the live heap rather than waiting for the memory limit.")
	opts := zap.Options{Development: false}
	opts.BindFlags(flag.CommandLine)
	flag.Parse()
	evidence.SetDeadlineSeriesLimit(f.deadlineSeriesLimit)
	return f, opts
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

func openDecisionLog(target, maxSize string, maxFiles int) (*evidence.DecisionLog, error) {
	switch target {
	case "stdout":
		return evidence.NewDecisionLog(os.Stdout), nil
	case "stderr":
		return evidence.NewDecisionLog(os.Stderr), nil
	case "none", "":
		return evidence.NewDecisionLog(io.Discard), nil
	}
	size, err := resource.ParseQuantity(maxSize)
	if err != nil {
		return nil, fmt.Errorf("--decision-log-max-size: %w", err)
	}
	return evidence.OpenDecisionLogFile(target, size.Value(), maxFiles)
}

func main() {
	f, zapOpts := parseFlags()
	// Logs go to stderr so that stdout carries only the decision log.
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&zapOpts), zap.WriteTo(os.Stderr)))
	if err := run(f); err != nil {
		setupLog.Error(err, "manager stopped")
		os.Exit(1)
	}
}

// tuneGarbageCollector lets the heap grow by gcPercent of the live heap
// between collections, and makes the collector work harder as the heap
// nears the limit. Go's default growth, 100%, lets a manager with a 90 MiB
// live heap reach 180 MiB before collecting; the limit alone would then be
// the only bound.
func tuneGarbageCollector(limit string, gcPercent int) error {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if os.Getenv("GOMEMLIMIT") != "" {
		return nil
	}
	q, err := resource.ParseQuantity(limit)
	if err != nil {
		return fmt.Errorf("--memory-limit: %w", err)
	}
	if q.Value() > 0 {
		debug.SetMemoryLimit(q.Value())
	}
	return nil
}

func run(f flags) error {
	if err := tuneGarbageCollector(f.memoryLimit, f.gcPercent); err != nil {
		return err
	}
	reportFormats, err := evidence.ParseReportFormats(f.reportFormat)
	if err != nil {
		return fmt.Errorf("--report-format: %w", err)
	}
	decisionLog, err := openDecisionLog(f.decisionLog, f.decisionLogMaxSize, f.decisionLogMaxFiles)
	if err != nil {
		return fmt.Errorf("opening the decision log: %w", err)
	}
	defer func() { _ = decisionLog.Close() }()

	var tlsOpts []func(*tls.Config)
	if !f.enableHTTP2 {
		tlsOpts = append(tlsOpts, func(c *tls.Config) { c.NextProtos = []string{"http/1.1"} })
	}
	metricsOptions := metricsserver.Options{
		BindAddress: f.metricsAddr, SecureServing: f.secureMetrics, TLSOpts: tlsOpts,
	}
	if f.secureMetrics {
		metricsOptions.FilterProvider = metricsauth.WithAuthenticationAndAuthorization
	}

	restConfig := ctrl.GetConfigOrDie()
	restConfig.QPS, restConfig.Burst = float32(f.qps), f.burst
	restConfig.Wrap(apiwrites.Wrap) // steward_api_writes_total: what each write was
	mgr, err := ctrl.NewManager(restConfig, ctrl.Options{
		Scheme:                  scheme,
		Metrics:                 metricsOptions,
		HealthProbeBindAddress:  f.probeAddr,
		PprofBindAddress:        f.pprofAddr,
		LeaderElection:          f.leaderElect,
		LeaderElectionID:        "steward.nhi.steward.dev",
		LeaderElectionNamespace: f.leaderElectionNamespace,
		Cache:                   controller.CacheOptions(),
		Controller:              config.Controller{ReconciliationTimeout: f.reconcileTimeout},
	})
	if err != nil {
		return fmt.Errorf("creating the manager: %w", err)
	}
	if err := controller.SetupWithManager(mgr, controller.Options{
		StewardNamespace:        f.stewardNamespace,
		MaxConcurrentReconciles: f.maxConcurrentReconciles,
		DecisionLog:             decisionLog,
		EventsPerReason:         f.eventsPerReason,
		ReportFormats:           reportFormats,
		StatusBatchPeriod:       f.statusBatchPeriod,
	}); err != nil {
		return err
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return fmt.Errorf("adding the health check: %w", err)
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		return fmt.Errorf("adding the readiness check: %w", err)
	}
	setupLog.Info("starting manager", "qps", f.qps, "burst", f.burst,
		"maxConcurrentReconciles", f.maxConcurrentReconciles, "stewardNamespace", f.stewardNamespace,
		"reportFormat", f.reportFormat)
	return mgr.Start(ctrl.SetupSignalHandler())
}
