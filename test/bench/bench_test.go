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
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestDataSetShapes(t *testing.T) {
	for _, tc := range []struct {
		shape             string
		identities, ns    int
		namespaces, first int
		last, total       int
		wantErr           bool
	}{
		{shape: shapeSpread, identities: 20000, ns: 100, namespaces: 100, first: 100, last: 100, total: 20000},
		{shape: shapeHot, identities: 20000, ns: 100, namespaces: 1, first: 10000, last: 10000, total: 20000},
		{shape: shapeSkewed, identities: 20000, ns: 100, namespaces: 100, first: 5000, last: 50, total: 20000},
		{shape: shapeSpread, identities: 100000, ns: 1000, namespaces: 1000, first: 50, last: 50, total: 100000},
		{shape: shapeSpread, identities: 2002, ns: 10, namespaces: 10, first: 101, last: 100, total: 2002},
		{shape: shapeSpread, identities: 2001, ns: 10, wantErr: true},
		{shape: "flat", identities: 2000, ns: 10, wantErr: true},
	} {
		d, err := newDataSet(config{shape: tc.shape, identities: tc.identities, namespaces: tc.ns})
		if tc.wantErr {
			if err == nil {
				t.Errorf("%s %d: no error", tc.shape, tc.identities)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s %d: %v", tc.shape, tc.identities, err)
		}
		got := []int{len(d.perNamespace), d.perNamespace[0], d.perNamespace[len(d.perNamespace)-1], d.identities()}
		if want := []int{tc.namespaces, tc.first, tc.last, tc.total}; !slices.Equal(got, want) {
			t.Errorf("%s %d: namespaces, first, last, total = %v, want %v", tc.shape, tc.identities, got, want)
		}
		for name := range d.namespaces() {
			if !strings.HasPrefix(name, "bench-0") {
				t.Errorf("namespace %s does not start with bench-0", name)
			}
		}
	}
}

func TestScrapeWrites(t *testing.T) {
	text := `# HELP steward_api_writes_total Mutating requests.
# TYPE steward_api_writes_total counter
steward_api_writes_total{resource="secrets",subresource="",verb="PATCH"} 10000
steward_api_writes_total{resource="serviceaccounts",subresource="",verb="PATCH"} 10001
steward_api_writes_total{resource="identityownerships",subresource="status",verb="PATCH"} 100
steward_api_writes_total{resource="ledgers",subresource="status",verb="PATCH"} 100
steward_api_writes_total{resource="ledgers",subresource="",verb="POST"} 100
steward_api_writes_total{resource="events",subresource="",verb="POST"} 10000
steward_api_writes_total{resource="policyreports",subresource="",verb="PUT"} 3
steward_api_writes_total{resource="serviceaccounts",subresource="token",verb="POST"} 2
process_cpu_seconds_total 12.5
steward_namespace_evaluations_total 7
`
	s, err := parseScrape(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	w := s.writes()
	got := []int{w.identityPatches, w.statusPatches, w.events, w.reports, w.ledger, w.otherTotal(), w.total()}
	if want := []int{20001, 100, 10000, 3, 200, 2, 30306}; !slices.Equal(got, want) {
		t.Errorf("writes = %v, want %v", got, want)
	}
	if got := w.otherText(); got != "2 (2 POST serviceaccounts/token)" {
		t.Errorf("otherText = %q", got)
	}
	if s.total(cpuMetric) != 12.5 || s.total(evaluationsMetric) != 7 {
		t.Errorf("cpu, evaluations = %v, %v", s.total(cpuMetric), s.total(evaluationsMetric))
	}
	if d := w.minus(w); d.total() != 0 || d.String() != "none" {
		t.Errorf("w - w = %v", d)
	}
}

func TestChurnPlanNamesUnownedIdentitiesClearOfTheUpdate(t *testing.T) {
	p := churnPlan{total: 3000, perWindow: 500}
	var previous []churnIdentity
	for k := range 6 {
		names := p.named(k, previous)
		want := 2 * namedPerChange
		if k == 0 {
			want = namedPerChange
		}
		if len(names) != want {
			t.Fatalf("update %d names %d identities, want %d", k, len(names), want)
		}
		for _, it := range names {
			if it.labelled {
				t.Errorf("update %d names %s, which the selector covers already", k, it.name)
			}
			if slices.Contains(previous, it) {
				t.Errorf("update %d names %s again", k, it.name)
			}
		}
		previous = names
	}
}

// Two floor runs: the ratios are against their mean, and each is shown.
func TestRatioAgainstTheFloorsMean(t *testing.T) {
	once := results{baseline: 60 * time.Second, baselinePatches: 20000}
	if got := once.ratioText(66 * time.Second); got != "1.10" {
		t.Errorf("one floor run: %q", got)
	}
	twice := results{baseline: 60 * time.Second, baselineAfter: 80 * time.Second, baselinePatches: 20000}
	if got := twice.floorTime(); got != 70*time.Second {
		t.Errorf("floorTime = %s, want the mean, 1m10s", got)
	}
	if got, want := twice.ratioText(77*time.Second), "1.10 (1.28 and 0.96 against each floor run)"; got != want {
		t.Errorf("ratioText = %q, want %q", got, want)
	}
	if got := twice.floorText(); !strings.Contains(got, "1m0s before") || !strings.Contains(got, "mean 1m10s") {
		t.Errorf("floorText = %q", got)
	}
}

// compactETCD compacts to the revision etcd reports, physically, and takes
// a revision compacted already as done; etcd's refusal is an error.
func TestCompactETCD(t *testing.T) {
	var compactions []map[string]any
	refuse := ""
	etcd := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		switch req.URL.Path {
		case "/v3/maintenance/status":
			_, _ = fmt.Fprint(w, `{"header":{"cluster_id":"1","revision":"4711"},"version":"3.6.16"}`)
		case "/v3/kv/compaction":
			var body map[string]any
			if err := json.NewDecoder(req.Body).Decode(&body); err != nil {
				t.Error(err)
			}
			compactions = append(compactions, body)
			if refuse != "" {
				w.WriteHeader(http.StatusBadRequest)
				_, _ = fmt.Fprintf(w, `{"error":%q,"code":11}`, refuse)
				return
			}
			_, _ = fmt.Fprint(w, `{"header":{"revision":"4711"}}`)
		default:
			http.NotFound(w, req)
		}
	}))
	defer etcd.Close()

	if err := compactETCD(context.Background(), etcd.URL, "a test"); err != nil {
		t.Fatal(err)
	}
	if len(compactions) != 1 || compactions[0]["revision"] != "4711" || compactions[0]["physical"] != true {
		t.Fatalf("compactions %v, want one to revision 4711, physical", compactions)
	}
	refuse = "etcdserver: mvcc: required revision has been compacted"
	if err := compactETCD(context.Background(), etcd.URL, "a test"); err != nil {
		t.Errorf("a revision compacted already: %v", err)
	}
	refuse = "etcdserver: permission denied"
	if err := compactETCD(context.Background(), etcd.URL, "a test"); err == nil || !strings.Contains(err.Error(), "permission denied") {
		t.Errorf("etcd's refusal: %v", err)
	}
	if err := compactETCD(context.Background(), "", "a test"); err != nil || len(compactions) != 3 {
		t.Errorf("no URL: %v, %d compactions", err, len(compactions))
	}
}
