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
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// The manager's metrics the bench reads.
const (
	writesMetric      = "steward_api_writes_total"
	evaluationsMetric = "steward_namespace_evaluations_total"
	evaluatedMetric   = "steward_evaluated_identities_total"
	cpuMetric         = "process_cpu_seconds_total"
	eventsMetric      = "steward_events_total"
)

// sample is one series of a metric: its labels and value.
type sample struct {
	labels map[string]string
	value  float64
}

// scrape is what the metrics endpoint served once: each metric's series.
type scrape map[string][]sample

// parseScrape reads the Prometheus text format: lines of
// name{label="value",...} value, and comments.
func parseScrape(r io.Reader) (scrape, error) {
	s := scrape{}
	scanner := bufio.NewScanner(r)
	scanner.Buffer(make([]byte, 1<<20), 1<<20)
	for scanner.Scan() {
		line := strings.TrimSpace(scanner.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		series, value, ok := cutLast(line)
		if !ok {
			return nil, fmt.Errorf("metrics: no value in %q", line)
		}
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return nil, fmt.Errorf("metrics: %q: %w", line, err)
		}
		name, rest, hasLabels := strings.Cut(series, "{")
		labels := map[string]string{}
		if hasLabels {
			if labels, err = parseLabels(strings.TrimSuffix(rest, "}")); err != nil {
				return nil, fmt.Errorf("metrics: %q: %w", line, err)
			}
		}
		s[name] = append(s[name], sample{labels: labels, value: v})
	}
	return s, scanner.Err()
}

// cutLast splits a sample line into series and value (a timestamp, which
// the endpoint does not send, is not expected).
func cutLast(line string) (series, value string, ok bool) {
	i := strings.LastIndexAny(line, " \t")
	if i < 0 {
		return "", "", false
	}
	return strings.TrimSpace(line[:i]), line[i+1:], true
}

// parseLabels reads label="value" pairs separated by commas.
func parseLabels(s string) (map[string]string, error) {
	labels := map[string]string{}
	for s != "" {
		eq := strings.IndexByte(s, '=')
		if eq < 0 || eq+1 >= len(s) || s[eq+1] != '"' {
			return nil, fmt.Errorf("malformed labels at %q", s)
		}
		name := strings.TrimSpace(s[:eq])
		var value strings.Builder
		i := eq + 2
		for ; i < len(s) && s[i] != '"'; i++ {
			if s[i] == '\\' && i+1 < len(s) {
				i++
				if s[i] == 'n' {
					value.WriteByte('\n')
					continue
				}
			}
			value.WriteByte(s[i])
		}
		if i >= len(s) {
			return nil, fmt.Errorf("unterminated label value at %q", s)
		}
		labels[name] = value.String()
		s = strings.TrimPrefix(strings.TrimSpace(s[i+1:]), ",")
	}
	return labels, nil
}

// total is the sum of a metric's series.
func (s scrape) total(name string) float64 {
	sum := 0.0
	for _, x := range s[name] {
		sum += x.value
	}
	return sum
}

// series is the sum of a metric's series whose label has the value.
func (s scrape) series(name, label, value string) float64 {
	sum := 0.0
	for _, x := range s[name] {
		if x.labels[label] == value {
			sum += x.value
		}
	}
	return sum
}

// eventsLost is the Events the manager recorded but never sent: dropped
// from its full queue, or refused.
func (s scrape) eventsLost() int {
	return int(s.series(eventsMetric, "result", "dropped") + s.series(eventsMetric, "result", "failed"))
}

// writes is the manager's write counters, by kind.
func (s scrape) writes() writeCounts {
	w := writeCounts{other: map[string]int{}}
	for _, x := range s[writesMetric] {
		w.add(x.labels["resource"], x.labels["subresource"], x.labels["verb"], int(x.value))
	}
	return w
}

// writeCounts are the manager's mutating requests, by kind.
type writeCounts struct {
	identityPatches int // PATCH on a ServiceAccount or Secret itself
	statusPatches   int // any write to a status subresource but a ledger's
	events          int
	reports         int // PolicyReports and OpenReports
	ledger          int // Steward's records (Ledgers; ConfigMaps in earlier designs)
	// other counts the rest by "verb resource[/subresource]".
	other map[string]int
}

func (w *writeCounts) add(resource, subresource, verb string, n int) {
	switch {
	case (resource == "serviceaccounts" || resource == "secrets") && subresource == "" && verb == "PATCH":
		w.identityPatches += n
	case resource == "ledgers" || resource == "configmaps":
		w.ledger += n
	case subresource == "status":
		w.statusPatches += n
	case resource == "events":
		w.events += n
	case resource == policyReportsResource || resource == openReportsResource:
		w.reports += n
	default:
		key := verb + " " + resource
		if subresource != "" {
			key += "/" + subresource
		}
		w.other[key] += n
	}
}

// minus is w less an earlier reading.
func (w writeCounts) minus(before writeCounts) writeCounts {
	d := writeCounts{
		identityPatches: w.identityPatches - before.identityPatches,
		statusPatches:   w.statusPatches - before.statusPatches,
		events:          w.events - before.events,
		reports:         w.reports - before.reports,
		ledger:          w.ledger - before.ledger,
		other:           map[string]int{},
	}
	for k, v := range w.other {
		if v -= before.other[k]; v != 0 {
			d.other[k] = v
		}
	}
	return d
}

func (w writeCounts) otherTotal() int {
	n := 0
	for _, v := range w.other {
		n += v
	}
	return n
}

func (w writeCounts) total() int {
	return w.identityPatches + w.statusPatches + w.events + w.reports + w.ledger + w.otherTotal()
}

// String lists the kinds that have writes: "20000 identity patches, ...".
func (w writeCounts) String() string {
	var parts []string
	for _, k := range []struct {
		n    int
		name string
	}{
		{w.identityPatches, "identity patches"}, {w.statusPatches, "status"}, {w.events, "Events"},
		{w.reports, "reports"}, {w.ledger, "ledger"},
	} {
		if k.n != 0 {
			parts = append(parts, fmt.Sprintf("%d %s", k.n, k.name))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(w.other)) {
		parts = append(parts, fmt.Sprintf("%d %s", w.other[k], k))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// otherText lists the other writes, or "none".
func (w writeCounts) otherText() string {
	if len(w.other) == 0 {
		return "0"
	}
	parts := make([]string, 0, len(w.other))
	for _, k := range slices.Sorted(maps.Keys(w.other)) {
		parts = append(parts, fmt.Sprintf("%d %s", w.other[k], k))
	}
	return fmt.Sprintf("%d (%s)", w.otherTotal(), strings.Join(parts, ", "))
}
