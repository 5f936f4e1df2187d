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

// Goal sets: the design's (SPEC.md §10, 20,000 identities), and the large
// cluster's (100,000 identities over 1,000 namespaces).
const (
	goalsDefault = "default"
	goalsLarge   = "large"
)

// goals are the bounds the figures are judged against.
type goals struct {
	convergenceRatio float64 // Steward at the floor's settings / floor, at most
	patchRatio       float64 // identity patches / necessary, at most
	peakRSS          int64   // bytes, under
	memoryRatio      float64 // Steward / full-Secret informer, under
	deadlineP99      time.Duration
	deadlineText     string
	churnP99         time.Duration
}

func goalsFor(name string) goals {
	g := goals{convergenceRatio: 1.2, patchRatio: 1.05, peakRSS: 150 << 20, memoryRatio: 0.25,
		deadlineP99: 2 * time.Second, deadlineText: "< 2 s (aim 0.5 s)", churnP99: time.Second}
	if name == goalsLarge {
		g.peakRSS, g.memoryRatio = 250<<20, 0.15
		g.deadlineP99, g.deadlineText = 500*time.Millisecond, "< 0.5 s"
	}
	return g
}

// results are the bench's figures for one shape.
type results struct {
	config          config
	data            dataSet
	baseline        time.Duration
	baselinePatches int
	baselineAfter   time.Duration // the floor again after Steward's runs; 0 when not run
	informerRSS     int64
	floor           *convergenceRun
	defaults        *convergenceRun // nil when not run
	peakRSSEnd      int64           // the floor-settings manager's VmHWM at the end of every phase
	churn           *churnResult    // nil when not run
	deadlines       *deadlineResult // nil when not run
	idle            *writeCounts    // nil when not run
}

type figure struct{ name, value, goal, verdict string }

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// figureGroup is a table of figures under a heading.
type figureGroup struct {
	title   string
	figures []figure
}

func (r *results) groups() []figureGroup {
	g := goalsFor(r.config.goals)
	groups := []figureGroup{r.convergenceFigures(g), r.memoryFigures(g)}
	if r.churn != nil {
		groups = append(groups, r.churnFigures(g))
	}
	if r.deadlines != nil || r.idle != nil {
		groups = append(groups, r.deadlineFigures(g))
	}
	return groups
}

// floorTime is the floor the ratios are taken against: the mean of its two
// runs, before and after Steward's, when it ran twice.
func (r *results) floorTime() time.Duration {
	if r.baselineAfter == 0 {
		return r.baseline
	}
	return (r.baseline + r.baselineAfter) / 2
}

// floorText is the floor's figure: its time, or both times and their mean.
func (r *results) floorText() string {
	if r.baselineAfter == 0 {
		return fmt.Sprintf("%s for %d patches", r.baseline.Round(time.Millisecond), r.baselinePatches)
	}
	return fmt.Sprintf("%s before Steward's runs and %s after them, %d patches each: mean %s",
		r.baseline.Round(time.Millisecond), r.baselineAfter.Round(time.Millisecond), r.baselinePatches,
		r.floorTime().Round(time.Millisecond))
}

// ratioText is a run's ratio to the floor, and to each floor run when there
// were two.
func (r *results) ratioText(run time.Duration) string {
	text := fmt.Sprintf("%.2f", ratio(run.Seconds(), r.floorTime().Seconds()))
	if r.baselineAfter != 0 {
		text += fmt.Sprintf(" (%.2f and %.2f against each floor run)", ratio(run.Seconds(), r.baseline.Seconds()),
			ratio(run.Seconds(), r.baselineAfter.Seconds()))
	}
	return text
}

func (r *results) convergenceFigures(g goals) figureGroup {
	c, floor := r.config, r.floor
	conv := ratio(floor.duration.Seconds(), r.floorTime().Seconds())
	necessary := r.data.identities()
	patchRatio := ratio(float64(floor.writes.identityPatches), float64(necessary))
	figs := []figure{
		{fmt.Sprintf("Floor: client-go, unthrottled, %d workers", c.concurrency), r.floorText(), "", ""},
		{"Steward at the floor's settings", fmt.Sprintf("%s for %d identities",
			floor.duration.Round(time.Millisecond), floor.identities), "", ""},
		{"Ratio (floor settings / floor)", r.ratioText(floor.duration),
			fmt.Sprintf("≤ %.1f", g.convergenceRatio), verdict(conv <= g.convergenceRatio)},
	}
	if d := r.defaults; d != nil {
		figs = append(figs,
			figure{"Steward with default flags", fmt.Sprintf("%s for %d identities, %d writes",
				d.duration.Round(time.Millisecond), d.identities, d.writes.total()), "", ""},
			figure{"Ratio (default flags / floor)", r.ratioText(d.duration), "", ""})
	}
	w := floor.writes
	figs = append(figs,
		figure{"Writes (floor settings): identity patches", fmt.Sprint(w.identityPatches), "", ""},
		figure{"Writes: status patches", fmt.Sprint(w.statusPatches), "", ""},
		figure{"Writes: Events", eventsText(w.events, floor.eventsLost), "", ""},
		figure{"Writes: reports", fmt.Sprint(w.reports), "", ""},
		figure{"Writes: ledger", fmt.Sprint(w.ledger), "", ""},
		figure{"Writes: other", w.otherText(), "", ""},
		figure{"Identity patches / necessary", fmt.Sprintf("%.3f (%d / %d)", patchRatio, w.identityPatches,
			necessary), fmt.Sprintf("≤ %.2f", g.patchRatio), verdict(patchRatio <= g.patchRatio)},
		figure{"Namespace evaluations / identities evaluated", fmt.Sprintf("%.0f / %.0f",
			floor.evaluations, floor.evaluatedIdentities), "", ""},
	)
	return figureGroup{"Convergence", figs}
}

func (r *results) memoryFigures(g goals) figureGroup {
	peak := max(r.peakRSSEnd, r.floor.peakRSS)
	phases := "convergence"
	if r.churn != nil {
		phases += ", churn"
	}
	if r.deadlines != nil {
		phases += ", deadlines"
	}
	if r.idle != nil {
		phases += ", idle"
	}
	figs := []figure{
		{fmt.Sprintf("Peak RSS: Steward at the floor's settings (%s)", phases), mib(peak),
			fmt.Sprintf("< %d MiB", g.peakRSS>>20), verdict(peak < g.peakRSS)},
		{"RSS at convergence: peak / anonymous / file-backed", fmt.Sprintf("%s / %s / %s",
			mib(r.floor.peakRSS), mib(r.floor.anon), mib(r.floor.file)), "", ""},
	}
	if r.defaults != nil {
		figs = append(figs, figure{"Peak RSS: Steward with default flags (convergence)", mib(r.defaults.peakRSS),
			"", ""})
	}
	if r.informerRSS > 0 {
		memRatio := ratio(float64(peak), float64(r.informerRSS))
		figs = append(figs,
			figure{"Peak RSS: full-Secret informer", mib(r.informerRSS), "", ""},
			figure{"Memory ratio (Steward / informer)", fmt.Sprintf("%.2f", memRatio),
				fmt.Sprintf("< %.2f", g.memoryRatio), verdict(memRatio < g.memoryRatio)})
	}
	return figureGroup{"Memory", figs}
}

func (r *results) churnFigures(g goals) figureGroup {
	ch := r.churn
	p99 := percentile(ch.createLatencies, 0.99)
	changes := ch.created + ch.updates
	patchRatio := ratio(float64(ch.writes.identityPatches), float64(ch.necessary()))
	figs := []figure{
		{"Changes", fmt.Sprintf("%d creations (%.1f/s) + %d ownership updates changing the state of %d identities",
			ch.created, ch.rate, ch.updates, ch.flips), "", ""},
		{"Creation to correct state: p50", percentile(ch.createLatencies, 0.5).String(), "", ""},
		{"Creation to correct state: p99", p99.String(), fmt.Sprintf("< %s", g.churnP99),
			verdict(p99 < g.churnP99 && ch.createMissed == 0)},
		{"Creation to correct state: max", percentile(ch.createLatencies, 1).String(), "", ""},
		{"Creations never seen right", fmt.Sprint(ch.createMissed), "0", verdict(ch.createMissed == 0)},
		{"Ownership update to new state: p50 / p99 / max", fmt.Sprintf("%s / %s / %s (%d missed)",
			percentile(ch.flipLatencies, 0.5), percentile(ch.flipLatencies, 0.99), percentile(ch.flipLatencies, 1),
			ch.flipMissed), "", ""},
		{"Manager CPU per change", fmt.Sprintf("%.1f ms (%.2f s over %s for %d changes)",
			1000*ratio(ch.cpuSeconds, float64(changes)), ch.cpuSeconds, ch.window.Round(time.Second), changes), "", ""},
		{"Namespace evaluations / identities evaluated", fmt.Sprintf("%.0f / %.0f",
			ch.evaluations, ch.evaluatedIdentities), "", ""},
		{"Identity patches / necessary", fmt.Sprintf("%.3f (%d / %d)", patchRatio, ch.writes.identityPatches,
			ch.necessary()), "", ""},
		{"Writes during churn", ch.writes.String(), "", ""},
		{"Events not sent during churn (dropped or refused)", fmt.Sprint(ch.eventsLost), "", ""},
	}
	return figureGroup{"Churn (hot namespace, after convergence at the floor's settings)", figs}
}

func (r *results) deadlineFigures(g goals) figureGroup {
	var figs []figure
	if d := r.deadlines; d != nil {
		p99 := percentile(d.latencies, 0.99)
		figs = append(figs,
			figure{"Deadline latency p50", percentile(d.latencies, 0.5).String(), "", ""},
			figure{"Deadline latency p99", p99.String(), g.deadlineText,
				verdict(p99 < g.deadlineP99 && d.missed == 0)},
			figure{"Deadline latency max", percentile(d.latencies, 1).String(), "", ""},
			figure{"Deadlines missed", fmt.Sprint(d.missed), "0", verdict(d.missed == 0)})
	}
	if w := r.idle; w != nil {
		value := fmt.Sprintf("%d in %s", w.total(), r.config.idle)
		if w.total() != 0 {
			value += " (" + w.String() + ")"
		}
		figs = append(figs, figure{"Writes while idle", value, "0", verdict(w.total() == 0)})
	}
	return figureGroup{"Deadlines and idle (after the runs above, same manager)", figs}
}

// eventsText is the Events sent, and those the manager recorded but did not
// send (its queue was full, or the API server refused them).
func eventsText(sent, lost int) string {
	if lost == 0 {
		return fmt.Sprint(sent)
	}
	return fmt.Sprintf("%d (%d more not sent: dropped or refused)", sent, lost)
}

func (r *results) print(w io.Writer) error {
	for _, group := range r.groups() {
		if _, err := fmt.Fprintf(w, "-- %s\n", group.title); err != nil {
			return err
		}
		for _, f := range group.figures {
			if _, err := fmt.Fprintf(w, "%-52s %-48s %-18s %s\n", f.name, f.value, f.goal, f.verdict); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeMarkdown writes this shape's section: the data set, the command, and
// a table per group of figures.
func (r *results) writeMarkdown(path string) error {
	c := r.config
	var b strings.Builder
	fmt.Fprintf(&b, "## %s shape: %d identities\n\n", titleCase(c.shape), r.data.identities())
	fmt.Fprintf(&b, "Data set: %s.", r.data.describe(c))
	if r.churn != nil {
		fmt.Fprintf(&b, " Churn: %d identities per second for %s in that namespace (ServiceAccounts and Secrets "+
			"alternating, half of each labelled owned), and every %s the ownership `%s` names %d upcoming and "+
			"%d existing unowned identities instead of the previous ones (as the approver, re-approved).",
			c.churnRate, c.churnDuration, c.churnEvery, namedOwnership, namedPerChange, namedPerChange)
	}
	if r.deadlines != nil {
		fmt.Fprintf(&b, " Deadlines: %d ownerships expiring over %s in a namespace of their own.",
			c.deadlines, c.deadlineSpan)
	}
	fmt.Fprintf(&b, "\n\nCommand: `%s`\n", c.command)
	if len(c.managerFlags) > 0 {
		fmt.Fprintf(&b, "\nExtra manager flags in both runs: `%s`.\n", strings.Join(c.managerFlags, " "))
	}
	for _, group := range r.groups() {
		fmt.Fprintf(&b, "\n**%s**\n\n| figure | value | goal | |\n| --- | --- | --- | --- |\n", group.title)
		for _, f := range group.figures {
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", f.name, f.value, f.goal, f.verdict)
		}
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
