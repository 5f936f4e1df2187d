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
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// results are the bench's figures.
type results struct {
	config          config
	identities      int
	baseline        time.Duration
	baselinePatches int
	steward         time.Duration
	stewardWrites   int
	stewardRSS      int64
	stewardRSSEnd   int64
	stewardAnon     int64
	stewardFile     int64
	informerRSS     int64
	latencies       []time.Duration
	deadlinesMissed int
	idleWrites      int
}

func (r *results) percentile(p float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	i := int(float64(len(r.latencies)-1) * p)
	return r.latencies[i]
}

type figure struct{ name, value, goal, verdict string }

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

func (r *results) figures() []figure {
	ratio := r.steward.Seconds() / r.baseline.Seconds()
	memRatio := float64(r.stewardRSSEnd) / float64(r.informerRSS)
	p99 := r.percentile(0.99)
	return []figure{
		{"Convergence: Steward", fmt.Sprintf("%s for %d identities, %d writes",
			r.steward.Round(time.Millisecond), r.identities, r.stewardWrites), "", ""},
		{"Convergence: client-go baseline", fmt.Sprintf("%s for %d patches",
			r.baseline.Round(time.Millisecond), r.baselinePatches), "", ""},
		{"Convergence ratio (Steward / baseline)", fmt.Sprintf("%.2f", ratio), "≤ 1.3", verdict(ratio <= 1.3)},
		{"Peak RSS: Steward", mib(r.stewardRSSEnd), "< 150 MiB", verdict(r.stewardRSSEnd < 150<<20)},
		{"RSS at convergence: anonymous / file-backed",
			fmt.Sprintf("%s / %s", mib(r.stewardAnon), mib(r.stewardFile)), "", ""},
		{"Peak RSS: full-Secret informer", mib(r.informerRSS), "", ""},
		{"Memory ratio (Steward / informer)", fmt.Sprintf("%.2f", memRatio), "< 0.25", verdict(memRatio < 0.25)},
		{"Deadline latency p50", r.percentile(0.5).Round(time.Millisecond).String(), "", ""},
		{"Deadline latency p99", p99.Round(time.Millisecond).String(), "< 2 s",
			verdict(p99 < 2*time.Second && r.deadlinesMissed == 0)},
		{"Deadline latency max", r.percentile(1).Round(time.Millisecond).String(), "", ""},
		{"Deadlines missed", fmt.Sprint(r.deadlinesMissed), "0", verdict(r.deadlinesMissed == 0)},
		{"Writes while idle", fmt.Sprintf("%d in %s", r.idleWrites, r.config.idle), "0", verdict(r.idleWrites == 0)},
	}
}

func (r *results) print(w io.Writer) error {
	for _, f := range r.figures() {
		if _, err := fmt.Fprintf(w, "%-42s %-40s %-10s %s\n", f.name, f.value, f.goal, f.verdict); err != nil {
			return err
		}
	}
	return nil
}

func (r *results) writeMarkdown(path string) error {
	c := r.config
	var b strings.Builder
	fmt.Fprintf(&b, "| figure | value | goal | |\n| --- | --- | --- | --- |\n")
	for _, f := range r.figures() {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", f.name, f.value, f.goal, f.verdict)
	}
	fmt.Fprintf(&b, "\nData set: %d namespaces × (%d ServiceAccounts + %d Secrets of %d bytes%s), half owned; "+
		"QPS %.0f, burst %d, concurrency %d for both Steward (its defaults) and the baseline; "+
		"%d ownerships expiring over %s; idle period %s.\n",
		c.namespaces, c.perNamespace, c.perNamespace, c.secretBytes, podsText(c), c.qps, c.burst, c.concurrency,
		c.deadlines, c.deadlineSpan, c.idle)
	if len(c.managerFlags) > 0 {
		fmt.Fprintf(&b, "\nExtra manager flags: `%s`.\n", strings.Join(c.managerFlags, " "))
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}
