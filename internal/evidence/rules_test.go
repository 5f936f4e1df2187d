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
	"github.com/nhi-steward/steward/internal/eventrecorder"
)

// The shipped alerts are only useful if they query what Steward exports:
// a renamed metric or label, or a deadline kind the rules spell
// differently, would leave an alert that can never fire and nobody would
// notice until an identity was revoked without warning. The Prometheus
// module (and its PromQL parser) is not a dependency of Steward, so the
// expressions are checked with a small PromQL tokenizer below: enough to
// find every metric, label matcher and grouping label.

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
	"action": {"transition", "would-revoke", "revoke", "Flag", "WouldRevoke", "Revoke", "Restored", "RevocationHalted"},
}

func TestRulesQueryRegisteredMetrics(t *testing.T) {
	pr := loadRules(t)
	registered := registeredMetrics(t)
	for _, g := range pr.Spec.Groups {
		for _, r := range g.Rules {
			t.Run(r.Alert+r.Record, func(t *testing.T) {
				q, err := parseQuery(r.Expr)
				if err != nil {
					t.Fatalf("expr %q: %v", r.Expr, err)
				}
				if len(q.selectors) == 0 {
					t.Fatalf("expr %q queries no metric", r.Expr)
				}
				var exprLabels []string
				for _, sel := range q.selectors {
					m, ok := lookup(registered, sel.metric)
					if !ok {
						t.Errorf("%s is not a metric Steward registers", sel.metric)
						continue
					}
					exprLabels = append(exprLabels, m.labels...)
					for _, mt := range sel.matchers {
						if !slices.Contains(m.labels, mt.label) && !slices.Contains(targetLabels, mt.label) {
							t.Errorf("%s has no label %q", sel.metric, mt.label)
						}
						if values, ok := knownLabelValues[mt.label]; ok && mt.op == "=" && !slices.Contains(values, mt.value) {
							t.Errorf("%s{%s=%q}: %q is not one of %v", sel.metric, mt.label, mt.value, mt.value, values)
						}
					}
				}
				for _, l := range q.grouping {
					if !slices.Contains(exprLabels, l) && !slices.Contains(targetLabels, l) {
						t.Errorf("groups by %q, which none of its metrics has", l)
					}
				}
			})
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
	promDuration := regexp.MustCompile(`^` + promDurationRE + `$`)
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
			q, err := parseQuery(r.Expr)
			if err != nil {
				continue // reported by TestRulesQueryRegisteredMetrics
			}
			if q.queries(DeadlineMetricName) {
				checkDeadlineAlert(t, r, q)
				for _, sel := range q.selectors {
					for _, mt := range sel.matchers {
						if mt.label == labelDeadline {
							wantDeadlines = slices.DeleteFunc(wantDeadlines, func(d string) bool { return d == mt.value })
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
func checkDeadlineAlert(t *testing.T, r rule, q query) {
	t.Helper()
	perObject := deadlineLabels
	if !strings.Contains(r.Expr, "min by (") && !strings.Contains(r.Expr, "sum by (") {
		t.Errorf("%s: aggregate with min by (...) so that there is one alert per object", r.Alert)
	}
	for _, l := range perObject {
		if !slices.Contains(q.grouping, l) {
			t.Errorf("%s: does not keep label %s", r.Alert, l)
		}
	}
	for _, l := range q.grouping {
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
func checkTemplates(t *testing.T, r rule, q query, registered map[string]registeredMetric) {
	t.Helper()
	sample := map[string]string{labelNamespace: "ns-sample", labelKind: "Kind-sample", labelName: "name-sample",
		labelTeam: "team-sample", labelDeadline: "Deadline-sample", "le": "+Inf"}
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	kept := q.outputLabels(registered)
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
		if name == labelTeam && q.queries(DeadlineMetricName) {
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
		if !q.queries(DeadlineMetricName) {
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

// query is what the tokenizer finds in a PromQL expression.
type query struct {
	selectors []selector
	// grouping are the labels of by (...) and on (...) clauses.
	grouping []string
	// without is set when a without (...) or ignoring (...) clause drops
	// labels: the output labels are then not known from grouping.
	without bool
	// aggregates is set when an aggregation operator is used, absent when
	// absent() is.
	aggregates, absent bool
}

// aggregations are PromQL's aggregation operators.
var aggregations = []string{"sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values",
	"bottomk", "topk", "quantile", "limitk", "limit_ratio"}

type selector struct {
	metric   string
	matchers []matcher
}

type matcher struct{ label, op, value string }

func (q query) queries(metric string) bool {
	return slices.ContainsFunc(q.selectors, func(s selector) bool { return s.metric == metric })
}

// outputLabels are (an approximation of) the labels an alert of the query
// carries: those of its by (...) clauses when it groups; none when it
// aggregates without them; the equality matchers for absent(); else every
// label of its metrics.
func (q query) outputLabels(registered map[string]registeredMetric) []string {
	var out []string
	switch {
	case len(q.grouping) > 0 && !q.without:
		return q.grouping
	case q.aggregates:
		return nil
	case q.absent:
		for _, s := range q.selectors {
			for _, m := range s.matchers {
				if m.op == "=" {
					out = append(out, m.label)
				}
			}
		}
	default:
		for _, s := range q.selectors {
			m, _ := lookup(registered, s.metric)
			out = append(out, m.labels...)
		}
	}
	return out
}

// PromQL's grouping keywords, followed by a parenthesised list of label
// names (optional after group_left and group_right).
const (
	kwBy, kwWithout, kwOn, kwIgnoring = "by", "without", "on", "ignoring"
	kwGroupLeft, kwGroupRight         = "group_left", "group_right"
)

var groupingKeywords = []string{kwBy, kwWithout, kwOn, kwIgnoring, kwGroupLeft, kwGroupRight}

// promqlKeywords are PromQL words that are not metric names when not
// followed by "(".
var promqlKeywords = append([]string{"and", "or", "unless", "bool", "offset", "inf", "nan", "atan2"},
	groupingKeywords...)

// rangeBrackets is a range [5m] or a subquery [1h:5m], [1h:].
var rangeBrackets = regexp.MustCompile(`^\[\s*(` + promDurationRE + `)\s*(:\s*(` + promDurationRE + `)?\s*)?\]$`)

// promDurationRE is a Prometheus duration such as 1h30m.
const promDurationRE = `([0-9]+(ms|s|m|h|d|w|y))+`

type token struct {
	kind byte // 'i' identifier, 's' string, 'n' number or duration, or the punctuation itself
	text string
}

// tokenize splits a PromQL expression into identifiers, strings, numbers
// and punctuation; range and subquery brackets are skipped whole.
func tokenize(expr string) ([]token, error) {
	l := &lexer{expr: expr}
	for l.i < len(expr) {
		if err := l.step(); err != nil {
			return nil, err
		}
	}
	return l.out, nil
}

type lexer struct {
	expr string
	i    int
	out  []token
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isIdentStart(c byte) bool {
	return c == '_' || c == ':' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
func isIdent(c byte) bool { return isIdentStart(c) || isDigit(c) }

// step reads one token, or skips space, a comment or a range.
func (l *lexer) step() error {
	c := l.expr[l.i]
	switch {
	case strings.IndexByte(" \t\r\n", c) >= 0:
		l.i++
	case c == '#':
		for l.i < len(l.expr) && l.expr[l.i] != '\n' {
			l.i++
		}
	case c == '"' || c == '\'' || c == '`':
		return l.str(c)
	case c == '[':
		return l.rangeBrackets()
	case isDigit(c) || c == '.' && l.i+1 < len(l.expr) && isDigit(l.expr[l.i+1]):
		l.number()
	case isIdentStart(c):
		l.emitWhile('i', isIdent)
	case strings.IndexByte("(){},", c) >= 0:
		l.out = append(l.out, token{c, string(c)})
		l.i++
	case strings.IndexByte("+-*/%^=!<>@~", c) >= 0:
		start := l.i
		for l.i++; l.i < len(l.expr) && strings.IndexByte("=~", l.expr[l.i]) >= 0; l.i++ {
		}
		l.out = append(l.out, token{'o', l.expr[start:l.i]})
	default:
		return fmt.Errorf("unexpected %q at %d", c, l.i)
	}
	return nil
}

// str reads a string quoted by q; only backquoted strings have no escapes.
func (l *lexer) str(q byte) error {
	j := l.i + 1
	for ; j < len(l.expr) && l.expr[j] != q; j++ {
		if l.expr[j] == '\\' && q != '`' {
			j++
		}
	}
	if j >= len(l.expr) {
		return fmt.Errorf("unterminated string at %d", l.i)
	}
	l.out = append(l.out, token{'s', l.expr[l.i+1 : j]})
	l.i = j + 1
	return nil
}

// rangeBrackets skips a range or subquery, which must hold durations.
func (l *lexer) rangeBrackets() error {
	j := strings.IndexByte(l.expr[l.i:], ']')
	if j < 0 {
		return fmt.Errorf("unterminated [ at %d", l.i)
	}
	if r := l.expr[l.i : l.i+j+1]; !rangeBrackets.MatchString(r) {
		return fmt.Errorf("range %q is not a duration", r)
	}
	l.i += j + 1
	return nil
}

// number reads a number (1, 0.99, 1e+3) or a duration (5m).
func (l *lexer) number() {
	prev := byte(0)
	l.emitWhile('n', func(c byte) bool {
		ok := isIdent(c) || c == '.' || (c == '+' || c == '-') && (prev == 'e' || prev == 'E')
		prev = c
		return ok
	})
}

func (l *lexer) emitWhile(kind byte, ok func(byte) bool) {
	start := l.i
	for l.i < len(l.expr) && ok(l.expr[l.i]) {
		l.i++
	}
	l.out = append(l.out, token{kind, l.expr[start:l.i]})
}

// parseQuery finds the metrics, matchers and grouping labels of a PromQL
// expression, and rejects what it cannot read: unbalanced parentheses,
// selectors without a metric name ({__name__=...}), malformed matchers.
func parseQuery(expr string) (query, error) {
	tokens, err := tokenize(expr)
	if err != nil {
		return query{}, err
	}
	p := &parser{tokens: tokens}
	for p.i = 0; p.i < len(tokens); p.i++ {
		if err := p.step(); err != nil {
			return query{}, err
		}
	}
	if p.depth != 0 {
		return query{}, errors.New("unbalanced (")
	}
	return p.q, nil
}

type parser struct {
	tokens []token
	i      int
	depth  int
	q      query
}

// peek is the token after the current one, or none.
func (p *parser) peek() token {
	if p.i+1 < len(p.tokens) {
		return p.tokens[p.i+1]
	}
	return token{}
}

// step reads the current token and whatever belongs to it.
func (p *parser) step() error {
	tok := p.tokens[p.i]
	switch tok.kind {
	case '(':
		p.depth++
	case ')':
		if p.depth--; p.depth < 0 {
			return errors.New("unbalanced )")
		}
	case '{':
		return errors.New("a selector without a metric name: name the metric")
	case '}', ',':
		if p.depth == 0 {
			return fmt.Errorf("unexpected %s", tok.text)
		}
	case 'i':
		return p.word(tok)
	}
	return nil
}

// word reads an identifier: a grouping clause, a function, an operator or
// a metric selector.
func (p *parser) word(tok token) error {
	word, next := strings.ToLower(tok.text), p.peek()
	switch {
	case slices.Contains(groupingKeywords, word):
		return p.grouping(word)
	case next.kind == '(' || slices.Contains(promqlKeywords, word):
		p.q.aggregates = p.q.aggregates || slices.Contains(aggregations, word)
		p.q.absent = p.q.absent || word == "absent"
		return nil
	case slices.Contains(aggregations, word) && slices.Contains([]string{kwBy, kwWithout}, strings.ToLower(next.text)):
		p.q.aggregates = true
		return nil
	}
	return p.selector(tok.text)
}

// grouping reads by (...), without (...), on (...), ignoring (...) and
// group_left/group_right with or without their list.
func (p *parser) grouping(word string) error {
	if p.peek().kind != '(' {
		if word == kwGroupLeft || word == kwGroupRight {
			return nil
		}
		return fmt.Errorf("%s without a label list", word)
	}
	j := p.i + 2
	for ; j < len(p.tokens) && p.tokens[j].kind != ')'; j++ {
		switch p.tokens[j].kind {
		case 'i':
			if word == kwBy || word == kwOn {
				p.q.grouping = append(p.q.grouping, p.tokens[j].text)
			}
		case ',':
		default:
			return fmt.Errorf("%s (...) holds %q", word, p.tokens[j].text)
		}
	}
	if j == len(p.tokens) {
		return fmt.Errorf("unterminated %s (", word)
	}
	p.q.without = p.q.without || word == kwWithout || word == kwIgnoring
	p.i = j
	return nil
}

// selector reads a metric name and its matchers.
func (p *parser) selector(metric string) error {
	sel := selector{metric: metric}
	if p.peek().kind == '{' {
		j := p.i + 2
		for ; j < len(p.tokens) && p.tokens[j].kind != '}'; j++ {
			if p.tokens[j].kind == ',' {
				continue
			}
			if j+2 >= len(p.tokens) || p.tokens[j].kind != 'i' || p.tokens[j+1].kind != 'o' || p.tokens[j+2].kind != 's' ||
				!slices.Contains([]string{"=", "!=", "=~", "!~"}, p.tokens[j+1].text) {
				return fmt.Errorf("malformed matcher in %s{...}", metric)
			}
			sel.matchers = append(sel.matchers, matcher{p.tokens[j].text, p.tokens[j+1].text, p.tokens[j+2].text})
			j += 2
		}
		if j == len(p.tokens) {
			return fmt.Errorf("unterminated %s{", metric)
		}
		p.i = j
	}
	if metric == "__name__" || slices.ContainsFunc(sel.matchers, func(m matcher) bool { return m.label == "__name__" }) {
		return errors.New("match metrics by name, not __name__")
	}
	p.q.selectors = append(p.q.selectors, sel)
	return nil
}

// TestParseQuery keeps the tokenizer honest on the forms the rules use.
func TestParseQuery(t *testing.T) {
	q, err := parseQuery(`histogram_quantile(0.99, sum by (le) (rate(steward_deadline_action_latency_seconds_bucket[15m:1m])))
		> 1e+1 and on (instance) up{service=~"a|b", x!="}"} offset 1h`)
	if err != nil {
		t.Fatal(err)
	}
	metricsFound := make([]string, 0, len(q.selectors))
	for _, s := range q.selectors {
		metricsFound = append(metricsFound, s.metric)
	}
	if want := []string{"steward_deadline_action_latency_seconds_bucket", "up"}; !slices.Equal(metricsFound, want) {
		t.Errorf("metrics %v, want %v", metricsFound, want)
	}
	if want := []string{"le", "instance"}; !slices.Equal(q.grouping, want) {
		t.Errorf("grouping %v, want %v", q.grouping, want)
	}
	if want := []matcher{{"service", "=~", "a|b"}, {"x", "!=", "}"}}; !slices.Equal(q.selectors[1].matchers, want) {
		t.Errorf("matchers %v, want %v", q.selectors[1].matchers, want)
	}
	for _, bad := range []string{`sum(x`, `x)`, `{__name__="x"}`, `x{a}`, `x{a="b"`, `rate(x[5q])`, `sum by (a`} {
		if _, err := parseQuery(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}
