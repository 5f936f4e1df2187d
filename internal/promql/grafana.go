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
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// Dashboard is the part of a Grafana dashboard's JSON model that queries
// Prometheus: its panels (rows included) and its template variables.
type Dashboard struct {
	Title      string  `json:"title"`
	UID        string  `json:"uid"`
	Panels     []Panel `json:"panels"`
	Templating struct {
		List []Variable `json:"list"`
	} `json:"templating"`
}

// Panel is one panel; a row holds no targets.
type Panel struct {
	Type        string     `json:"type"`
	Title       string     `json:"title"`
	Description string     `json:"description"`
	Datasource  Datasource `json:"datasource"`
	Targets     []struct {
		Datasource Datasource `json:"datasource"`
		Expr       string     `json:"expr"`
	} `json:"targets"`
}

// Datasource is a panel's or a target's data source reference.
type Datasource struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

// Variable is a template variable; a query variable's Definition is
// Grafana's label_values(metric, label).
type Variable struct {
	Name       string `json:"name"`
	Type       string `json:"type"`
	Definition string `json:"definition"`
}

// ParseDashboard decodes a dashboard's JSON model.
func ParseDashboard(data []byte) (Dashboard, error) {
	var d Dashboard
	if err := json.Unmarshal(data, &d); err != nil {
		return Dashboard{}, fmt.Errorf("decoding the dashboard: %w", err)
	}
	return d, nil
}

// DashboardQuery is a dashboard's PromQL expression and where it is.
type DashboardQuery struct {
	// Where names the panel or variable.
	Where string
	// Expr is the expression, with Grafana's interval variables replaced
	// by a duration so that it parses as PromQL.
	Expr string
}

// Queries are every panel target's expression and, for each
// label_values(metric, label) variable, the equivalent count by (label)
// (metric).
func (d Dashboard) Queries() ([]DashboardQuery, error) {
	var out []DashboardQuery
	for _, p := range d.Panels {
		for _, t := range p.Targets {
			out = append(out, DashboardQuery{Where: "panel " + p.Title, Expr: grafanaIntervals.Replace(t.Expr)})
		}
	}
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		m := labelValues.FindStringSubmatch(v.Definition)
		if m == nil {
			return nil, fmt.Errorf("variable %s: %q is not label_values(metric, label)", v.Name, v.Definition)
		}
		out = append(out, DashboardQuery{Where: "variable " + v.Name, Expr: "count by (" + m[2] + ") (" + m[1] + ")"})
	}
	return out, nil
}

// grafanaIntervals are the duration variables Grafana substitutes in
// ranges; any duration stands in for them when reading the expression.
var grafanaIntervals = strings.NewReplacer("$__rate_interval", "5m", "${__rate_interval}", "5m",
	"$__interval", "1m", "${__interval}", "1m", "$__range", "1d", "${__range}", "1d")

// labelValues is a query variable's label_values(metric, label).
var labelValues = regexp.MustCompile(`^label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*,\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)$`)
