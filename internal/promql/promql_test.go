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

package promql

import (
	"slices"
	"testing"
)

// TestParseQuery keeps the tokenizer honest on the forms the rules use.
func TestParse(t *testing.T) {
	q, err := Parse(`histogram_quantile(0.99, sum by (le) (rate(steward_deadline_action_latency_seconds_bucket[15m:1m])))
		> 1e+1 and on (instance) up{service=~"a|b", x!="}"} offset 1h`)
	if err != nil {
		t.Fatal(err)
	}
	metricsFound := make([]string, 0, len(q.Selectors))
	for _, s := range q.Selectors {
		metricsFound = append(metricsFound, s.Metric)
	}
	if want := []string{"steward_deadline_action_latency_seconds_bucket", "up"}; !slices.Equal(metricsFound, want) {
		t.Errorf("metrics %v, want %v", metricsFound, want)
	}
	if want := []string{"le", "instance"}; !slices.Equal(q.Grouping, want) {
		t.Errorf("grouping %v, want %v", q.Grouping, want)
	}
	if want := []Matcher{{"service", "=~", "a|b"}, {"x", "!=", "}"}}; !slices.Equal(q.Selectors[1].Matchers, want) {
		t.Errorf("matchers %v, want %v", q.Selectors[1].Matchers, want)
	}
	for _, bad := range []string{`sum(x`, `x)`, `{__name__="x"}`, `x{a}`, `x{a="b"`, `rate(x[5q])`, `sum by (a`} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestDashboardQueries(t *testing.T) {
	d, err := ParseDashboard([]byte(`{"panels": [{"type": "row", "title": "r"},
		{"type": "timeseries", "title": "p", "targets": [{"expr": "rate(x_total{a=~\"$a\"}[$__rate_interval])"}]}],
		"templating": {"list": [{"name": "datasource", "type": "datasource"},
			{"name": "a", "type": "query", "definition": "label_values(y, a)"}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	queries, err := d.Queries()
	if err != nil {
		t.Fatal(err)
	}
	want := []DashboardQuery{{"panel p", `rate(x_total{a=~"$a"}[5m])`}, {"variable a", "count by (a) (y)"}}
	if !slices.Equal(queries, want) {
		t.Fatalf("queries %v, want %v", queries, want)
	}
	for _, q := range queries {
		if _, err := Parse(q.Expr); err != nil {
			t.Errorf("%s: %v", q.Where, err)
		}
	}
	d.Templating.List[1].Definition = "query_result(y)"
	if _, err := d.Queries(); err == nil {
		t.Error("a variable that is not label_values(metric, label) was accepted")
	}
}
