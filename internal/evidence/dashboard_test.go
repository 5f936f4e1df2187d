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

package evidence

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/nhi-steward/steward/internal/promql"
)

// The shipped Grafana dashboard, like the alerts, is only useful if it
// queries what Steward registers, by the labels it has. The e2e suite
// checks the same queries against a real scrape of the manager.

const dashboardFile = "../../config/grafana/steward-dashboard.json"

// dashboardMetrics are what the dashboard must show: identities by state
// and by team, deadlines ahead, revocations and holds, deadline latency and
// Event drops.
var dashboardMetrics = []string{"steward_identities", "steward_identities_by_team", DeadlineMetricName,
	"steward_actions_total", "steward_deadline_action_latency_seconds_bucket", "steward_events_total"}

func TestDashboardQueriesRegisteredMetrics(t *testing.T) {
	data, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	d, err := promql.ParseDashboard(data)
	if err != nil {
		t.Fatal(err)
	}
	if d.UID == "" || d.Title == "" {
		t.Error("the dashboard needs a uid and a title")
	}
	for _, p := range d.Panels {
		if p.Type == "row" {
			continue
		}
		if len(p.Targets) == 0 || p.Description == "" {
			t.Errorf("panel %q needs queries and a description", p.Title)
		}
		for _, ds := range append([]promql.Datasource{p.Datasource}, targetDatasources(p)...) {
			if ds.UID != "${datasource}" {
				t.Errorf("panel %q queries data source %q, not the dashboard's ${datasource} variable", p.Title, ds.UID)
			}
		}
	}
	queries, err := d.Queries()
	if err != nil {
		t.Fatal(err)
	}
	registered := registeredMetrics(t)
	// controller-runtime's metrics are not Steward's: the e2e scrape checks
	// them.
	notSteward := func(metric string) bool { return !strings.HasPrefix(metric, "steward_") }
	var queried []string
	for _, dq := range queries {
		q, err := promql.Parse(dq.Expr)
		if err != nil {
			t.Errorf("%s: %q: %v", dq.Where, dq.Expr, err)
			continue
		}
		for _, sel := range q.Selectors {
			queried = append(queried, sel.Metric)
		}
		t.Run(dq.Where, func(t *testing.T) { checkQuery(t, q, registered, notSteward) })
	}
	for _, m := range dashboardMetrics {
		if !slices.Contains(queried, m) {
			t.Errorf("the dashboard shows nothing of %s", m)
		}
	}
}

func targetDatasources(p promql.Panel) []promql.Datasource {
	out := make([]promql.Datasource, 0, len(p.Targets))
	for _, t := range p.Targets {
		out = append(out, t.Datasource)
	}
	return out
}
