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
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
	"sigs.k8s.io/yaml"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/apiwrites"
	"github.com/nhi-steward/steward/internal/eventrecorder"
	"github.com/nhi-steward/steward/internal/promql"
)

// The shipped alerts are only useful if they query what Steward exports:
// a renamed metric or label, or a deadline kind the rules spell
// differently, would leave an alert that can never fire and nobody would
// notice until an identity was revoked without warning. The expressions
// are read with internal/promql: enough to find every metric, label
// matcher and grouping label.

const rulesFile = "../../config/prometheus/rules.yaml"

// prometheusRule is the part of a monitoring.coreos.com/v1 PrometheusRule
// the checks read. It is decoded strictly, so a misspelt field fails.
type prometheusRule struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name      string            `json:"name"`
		Namespace string            `json:"namespace"`
		Labels    map[string]string `json:"labels"`
	} `json:"metadata"`
	Spec struct {
		Groups []struct {
			Name     string `json:"name"`
			Interval string `json:"interval,omitempty"`
			Rules    []rule `json:"rules"`
		} `json:"groups"`
	} `json:"spec"`
}

type rule struct {
	Alert       string            `json:"alert,omitempty"`
	Record      string            `json:"record,omitempty"`
	Expr        string            `json:"expr"`
	For         string            `json:"for,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

func loadRules(t *testing.T) prometheusRule {
	t.Helper()
	data, err := os.ReadFile(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	var pr prometheusRule
	if err := yaml.UnmarshalStrict(data, &pr); err != nil {
		t.Fatalf("%s: %v", rulesFile, err)
	}
	if pr.APIVersion != "monitoring.coreos.com/v1" || pr.Kind != "PrometheusRule" {
		t.Fatalf("%s is a %s %s, want a monitoring.coreos.com/v1 PrometheusRule", rulesFile, pr.APIVersion, pr.Kind)
	}
	return pr
}

// registeredMetric is a metric Steward serves, with its labels.
type registeredMetric struct {
	labels    []string
	histogram bool
}

// stewardCollectors are the collectors of Steward's own metrics. Each must
// be registered with controller-runtime's registry (the manager serves that
// one); the test checks it rather than trusting the list.
func stewardCollectors() map[string]prometheus.Collector {
	return map[string]prometheus.Collector{
		"evidence.IdentitiesMetric":      IdentitiesMetric,
		"evidence.TeamIdentitiesMetric":  TeamIdentitiesMetric,
		"apiwrites.Metric":               apiwrites.Metric,
		"evidence.ActionsMetric":         ActionsMetric,
		"evidence.DeadlineLatencyMetric": DeadlineLatencyMetric,
		"evidence.deadlineMetrics":       deadlineMetrics,
		"eventrecorder.EventsMetric":     eventrecorder.EventsMetric,
	}
}

var (
	descName   = regexp.MustCompile(`^Desc\{fqName: "([^"]+)"`)
	descLabels = regexp.MustCompile(`variableLabels: \{([^}]*)\}\}$`)
)

// registeredMetrics returns every metric name served by the manager's
// registry: Steward's collectors, by their descriptions (a vector without
// series yet gathers nothing), and whatever the registry gathers now.
func registeredMetrics(t *testing.T) map[string]registeredMetric {
	t.Helper()
	out := map[string]registeredMetric{}
	for name, c := range stewardCollectors() {
		are := prometheus.AlreadyRegisteredError{}
		if err := metrics.Registry.Register(c); !errors.As(err, &are) || are.ExistingCollector != c {
			if err == nil {
				metrics.Registry.Unregister(c)
			}
			t.Errorf("%s is not registered with controller-runtime's metrics registry (%v)", name, err)
			continue
		}
		ch := make(chan *prometheus.Desc, 8)
		c.Describe(ch)
		close(ch)
		for desc := range ch {
			s := desc.String()
			n, l := descName.FindStringSubmatch(s), descLabels.FindStringSubmatch(s)
			if n == nil || l == nil {
				t.Fatalf("cannot read the description %s", s)
			}
			m := registeredMetric{}
			if l[1] != "" {
				m.labels = strings.Split(l[1], ",")
			}
			_, m.histogram = c.(*prometheus.HistogramVec)
			out[n[1]] = m
		}
	}
	families, err := metrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if _, ok := out[f.GetName()]; ok {
			continue
		}
		m := registeredMetric{histogram: f.GetType().String() == "HISTOGRAM"}
		for _, sample := range f.GetMetric() {
			for _, lp := range sample.GetLabel() {
				if !slices.Contains(m.labels, lp.GetName()) {
					m.labels = append(m.labels, lp.GetName())
				}
			}
		}
		out[f.GetName()] = m
	}
	return out
}

// lookup finds the metric a series name belongs to: itself, or a
// histogram's _bucket, _sum or _count.
func lookup(registered map[string]registeredMetric, name string) (registeredMetric, bool) {
	if m, ok := registered[name]; ok {
		return m, true
	}
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		if base, ok := strings.CutSuffix(name, suffix); ok {
			if m, ok := registered[base]; ok && m.histogram {
				if suffix == "_bucket" {
					m.labels = append(slices.Clone(m.labels), "le")
				}
				return m, true
			}
		}
	}
	return registeredMetric{}, false
}

// targetLabels are the labels Prometheus adds to every series it scrapes
// through the ServiceMonitor.
var targetLabels = []string{"job", "instance", "pod", "service", "endpoint", "container"}

// knownLabelValues are the values a matcher on a Steward label may use.
var knownLabelValues = map[string][]string{
	labelDeadline: {string(nhi.DeadlineExpiry), string(nhi.DeadlineReview), string(nhi.DeadlineRotation),
		string(nhi.DeadlineExceptionExpiry), string(nhi.DeadlineRevocation)},
	labelKind: {KindIdentityOwnership, KindOwnershipException, string(nhi.KindServiceAccount), string(nhi.KindSecret)},
	"result":  {eventrecorder.ResultSent, eventrecorder.ResultDropped, eventrecorder.ResultFailed, eventrecorder.ResultInvalid},
	// action of steward_deadline_action_latency_seconds and
	// steward_actions_total (see internal/controller).
	"action": {"transition", "would-revoke", "revoke", "hold", "Flag", "WouldRevoke", "Revoke", "Restored",
		"RevocationHalted", "RevocationHeld"},
}

func TestRulesQueryRegisteredMetrics(t *testing.T) {
	pr := loadRules(t)
	registered := registeredMetrics(t)
	for _, g := range pr.Spec.Groups {
		for _, r := range g.Rules {
			t.Run(r.Alert+r.Record, func(t *testing.T) {
				q, err := promql.Parse(r.Expr)
				if err != nil {
					t.Fatalf("expr %q: %v", r.Expr, err)
				}
				if len(q.Selectors) == 0 {
					t.Fatalf("expr %q queries no metric", r.Expr)
				}
				checkQuery(t, q, registered, nil)
			})
		}
	}
}

// checkQuery fails t for every metric of q that Steward does not register,
// every matcher on a label the metric lacks (or on a value Steward never
// sets), and every grouping label none of its metrics has. Metrics for
// which foreign is true are not Steward's and are left unchecked.
func checkQuery(t *testing.T, q promql.Query, registered map[string]registeredMetric, foreign func(string) bool) {
	t.Helper()
	var exprLabels []string
	checked := false
	for _, sel := range q.Selectors {
		if foreign != nil && foreign(sel.Metric) {
			continue
		}
		checked = true
		m, ok := lookup(registered, sel.Metric)
		if !ok {
			t.Errorf("%s is not a metric Steward registers", sel.Metric)
			continue
		}
		exprLabels = append(exprLabels, m.labels...)
		for _, mt := range sel.Matchers {
			if !slices.Contains(m.labels, mt.Label) && !slices.Contains(targetLabels, mt.Label) {
				t.Errorf("%s has no label %q", sel.Metric, mt.Label)
			}
			if values, ok := knownLabelValues[mt.Label]; ok && mt.Op == "=" && !slices.Contains(values, mt.Value) {
				t.Errorf("%s{%s=%q}: %q is not one of %v", sel.Metric, mt.Label, mt.Value, mt.Value, values)
			}
		}
	}
	if !checked {
		return
	}
	for _, l := range q.Grouping {
		if !slices.Contains(exprLabels, l) && !slices.Contains(targetLabels, l) {
			t.Errorf("groups by %q, which none of its metrics has", l)
		}
	}
}

func TestRulesAreComplete(t *testing.T) {
	pr := loadRules(t)
	registered := registeredMetrics(t)
	want := []string{"StewardOwnershipExpiringSoon", "StewardReviewDueSoon", "StewardRevocationScheduled",
		"StewardExceptionExpiringSoon", "StewardSecretRotationDueSoon"}
	// Every deadline kind has its alert: a new kind must be alerted on too.
	wantDeadlines := slices.Clone(knownLabelValues[labelDeadline])
	seen := map[string]bool{}
	promDuration := regexp.MustCompile(`^` + promql.DurationPattern + `$`)
	for _, g := range pr.Spec.Groups {
		if g.Name == "" || len(g.Rules) == 0 {
			t.Errorf("group %q: needs a name and rules", g.Name)
		}
		for _, r := range g.Rules {
			if r.Alert == "" {
				continue
			}
			if seen[r.Alert] {
				t.Errorf("alert %s appears twice", r.Alert)
			}
			seen[r.Alert] = true
			if !promDuration.MatchString(r.For) {
				t.Errorf("%s: for %q is not a Prometheus duration", r.Alert, r.For)
			}
			if s := r.Labels["severity"]; !slices.Contains([]string{"critical", "warning", "info"}, s) {
				t.Errorf("%s: severity %q, want critical, warning or info", r.Alert, s)
			}
			if r.Labels[labelTeam] == "" {
				t.Errorf("%s: no team label to route by", r.Alert)
			}
			for _, a := range []string{"summary", "description"} {
				if strings.TrimSpace(r.Annotations[a]) == "" {
					t.Errorf("%s: no %s annotation", r.Alert, a)
				}
			}
			q, err := promql.Parse(r.Expr)
			if err != nil {
				continue // reported by TestRulesQueryRegisteredMetrics
			}
			if q.Queries(DeadlineMetricName) {
				checkDeadlineAlert(t, r, q)
				for _, sel := range q.Selectors {
					for _, mt := range sel.Matchers {
						if mt.Label == labelDeadline {
							wantDeadlines = slices.DeleteFunc(wantDeadlines, func(d string) bool { return d == mt.Value })
						}
					}
				}
			}
			checkTemplates(t, r, q, registered)
		}
	}
	for _, a := range want {
		if !seen[a] {
			t.Errorf("alert %s is missing", a)
		}
	}
	if len(wantDeadlines) > 0 {
		t.Errorf("no alert on deadlines %v", wantDeadlines)
	}
}

// checkDeadlineAlert checks what a deadline alert must do: one alert per
// object, whatever pod or instance exported it, and a message that names
// the object and says when.
func checkDeadlineAlert(t *testing.T, r rule, q promql.Query) {
	t.Helper()
	perObject := deadlineLabels
	if !strings.Contains(r.Expr, "min by (") && !strings.Contains(r.Expr, "sum by (") {
		t.Errorf("%s: aggregate with min by (...) so that there is one alert per object", r.Alert)
	}
	for _, l := range perObject {
		if !slices.Contains(q.Grouping, l) {
			t.Errorf("%s: does not keep label %s", r.Alert, l)
		}
	}
	for _, l := range q.Grouping {
		if !slices.Contains(perObject, l) {
			t.Errorf("%s: groups by %s, which splits one object's alert", r.Alert, l)
		}
	}
	for _, a := range []string{"summary", "description"} {
		if !strings.Contains(r.Annotations[a], "humanizeTimestamp") {
			t.Errorf("%s: the %s does not say when (humanizeTimestamp)", r.Alert, a)
		}
	}
	if !strings.Contains(r.Labels[labelTeam], "$labels.team") {
		t.Errorf("%s: team label %q is not the metric's team", r.Alert, r.Labels[labelTeam])
	}
}

// checkTemplates expands an alert's labels and annotations as Prometheus
// would, with sample labels: each must parse, use only labels the query
// keeps, and a deadline alert's description must name the object.
func checkTemplates(t *testing.T, r rule, q promql.Query, registered map[string]registeredMetric) {
	t.Helper()
	sample := map[string]string{labelNamespace: "ns-sample", labelKind: "Kind-sample", labelName: "name-sample",
		labelTeam: "team-sample", labelDeadline: "Deadline-sample", "le": "+Inf"}
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	kept := outputLabels(q, registered)
	check := func(what, text string, labels map[string]string) string {
		for _, m := range labelRef.FindAllStringSubmatch(text, -1) {
			if !slices.Contains(kept, m[1]) {
				t.Errorf("%s %s: uses $labels.%s, which the expression does not keep (%v)", r.Alert, what, m[1], kept)
			}
		}
		out, err := expandTemplate(text, labels, float64(at.Unix()))
		if err != nil {
			t.Errorf("%s %s: %v", r.Alert, what, err)
		}
		if strings.Contains(out, "<no value>") {
			t.Errorf("%s %s expands to %q", r.Alert, what, out)
		}
		return out
	}
	labels := map[string]string{}
	for _, l := range kept {
		labels[l] = sample[l]
	}
	for name, text := range r.Labels {
		out := check("label "+name, text, labels)
		if name == labelTeam && q.Queries(DeadlineMetricName) {
			if out != "team-sample" {
				t.Errorf("%s: team label expands to %q for team-sample", r.Alert, out)
			}
			delete(labels, labelTeam)
			if out := check("label team", text, labels); out != "unowned" {
				t.Errorf("%s: team label expands to %q for an unowned object, want unowned", r.Alert, out)
			}
			labels[labelTeam] = sample[labelTeam]
		}
	}
	for name, text := range r.Annotations {
		out := check("annotation "+name, text, labels)
		if !q.Queries(DeadlineMetricName) {
			continue
		}
		for _, l := range []string{labelNamespace, labelKind, labelName} {
			if !strings.Contains(out, sample[l]) {
				t.Errorf("%s: annotation %s does not name the %s: %q", r.Alert, name, l, out)
			}
		}
		if !strings.Contains(out, at.String()) {
			t.Errorf("%s: annotation %s does not show the deadline %s: %q", r.Alert, name, at, out)
		}
	}
}

var labelRef = regexp.MustCompile(`\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)`)

// expandTemplate expands text the way Prometheus expands alert labels and
// annotations: text/template with $labels and $value defined, and stand-ins
// for Prometheus's functions (humanizeTimestamp formats like Prometheus).
func expandTemplate(text string, labels map[string]string, value float64) (string, error) {
	funcs := template.FuncMap{
		"humanizeTimestamp": func(v float64) string {
			sec, frac := int64(v), v-float64(int64(v))
			return time.Unix(sec, int64(frac*1e9)).UTC().String()
		},
		"humanize":           func(v float64) string { return fmt.Sprintf("%.4g", v) },
		"humanizeDuration":   func(v float64) string { return (time.Duration(v * float64(time.Second))).String() },
		"humanizePercentage": func(v float64) string { return fmt.Sprintf("%.4g%%", v*100) },
		"toUpper":            strings.ToUpper,
		"toLower":            strings.ToLower,
		"reReplaceAll": func(pattern, repl, text string) string {
			return regexp.MustCompile(pattern).ReplaceAllString(text, repl)
		},
	}
	const prelude = "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$value := .Value}}"
	tmpl, err := template.New("alert").Funcs(funcs).Option("missingkey=zero").Parse(prelude + text)
	if err != nil {
		return "", err
	}
	var out strings.Builder
	data := struct {
		Labels, ExternalLabels map[string]string
		Value                  float64
	}{labels, map[string]string{}, value}
	if err := tmpl.Execute(&out, data); err != nil {
		return "", err
	}
	return out.String(), nil
}

// outputLabels are (an approximation of) the labels an alert of the query
// carries: those of its by (...) clauses when it groups; none when it
// aggregates without them; the equality matchers for absent(); else every
// label of its metrics.
func outputLabels(q promql.Query, registered map[string]registeredMetric) []string {
	var out []string
	switch {
	case len(q.Grouping) > 0 && !q.Without:
		return q.Grouping
	case q.Aggregates:
		return nil
	case q.Absent:
		for _, s := range q.Selectors {
			for _, m := range s.Matchers {
				if m.Op == "=" {
					out = append(out, m.Label)
				}
			}
		}
	default:
		for _, s := range q.Selectors {
			m, _ := lookup(registered, s.Metric)
			out = append(out, m.labels...)
		}
	}
	return out
}
