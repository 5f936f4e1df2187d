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

// Package promql reads PromQL expressions far enough to check them against
// the metrics Steward exports: every metric a query selects, its label
// matchers and its grouping labels. Shipped alerts and dashboards are only
// useful if they query what Steward exports, and a renamed metric or label
// would leave a panel or an alert that can never show anything. The
// Prometheus module (and its parser) is not a dependency of Steward, so
// this is a small tokenizer, strict enough to refuse what it cannot read.
package promql

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Query is what the tokenizer finds in a PromQL expression.
type Query struct {
	// Selectors are the metric selectors, in the order they appear.
	Selectors []Selector
	// Grouping are the labels of by (...) and on (...) clauses.
	Grouping []string
	// Without is set when a without (...) or ignoring (...) clause drops
	// labels: the output labels are then not known from Grouping.
	Without bool
	// Aggregates is set when an aggregation operator is used, Absent when
	// absent() is.
	Aggregates, Absent bool
}

// aggregations are PromQL's aggregation operators.
var aggregations = []string{"sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values",
	"bottomk", "topk", "quantile", "limitk", "limit_ratio"}

// Selector is a metric name and its label matchers: up{job="x"}.
type Selector struct {
	Metric   string
	Matchers []Matcher
}

// Matcher is one label matcher; Op is =, !=, =~ or !~.
type Matcher struct{ Label, Op, Value string }

// Queries says whether the query selects the metric.
func (q Query) Queries(metric string) bool {
	return slices.ContainsFunc(q.Selectors, func(s Selector) bool { return s.Metric == metric })
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
var rangeBrackets = regexp.MustCompile(`^\[\s*(` + DurationPattern + `)\s*(:\s*(` + DurationPattern + `)?\s*)?\]$`)

// DurationPattern matches a Prometheus duration such as 1h30m.
const DurationPattern = `([0-9]+(ms|s|m|h|d|w|y))+`

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
func Parse(expr string) (Query, error) {
	tokens, err := tokenize(expr)
	if err != nil {
		return Query{}, err
	}
	p := &parser{tokens: tokens}
	for p.i = 0; p.i < len(tokens); p.i++ {
		if err := p.step(); err != nil {
			return Query{}, err
		}
	}
	if p.depth != 0 {
		return Query{}, errors.New("unbalanced (")
	}
	return p.q, nil
}

type parser struct {
	tokens []token
	i      int
	depth  int
	q      Query
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
		p.q.Aggregates = p.q.Aggregates || slices.Contains(aggregations, word)
		p.q.Absent = p.q.Absent || word == "absent"
		return nil
	case slices.Contains(aggregations, word) && slices.Contains([]string{kwBy, kwWithout}, strings.ToLower(next.text)):
		p.q.Aggregates = true
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
				p.q.Grouping = append(p.q.Grouping, p.tokens[j].text)
			}
		case ',':
		default:
			return fmt.Errorf("%s (...) holds %q", word, p.tokens[j].text)
		}
	}
	if j == len(p.tokens) {
		return fmt.Errorf("unterminated %s (", word)
	}
	p.q.Without = p.q.Without || word == kwWithout || word == kwIgnoring
	p.i = j
	return nil
}

// selector reads a metric name and its matchers.
func (p *parser) selector(metric string) error {
	sel := Selector{Metric: metric}
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
			sel.Matchers = append(sel.Matchers, Matcher{p.tokens[j].text, p.tokens[j+1].text, p.tokens[j+2].text})
			j += 2
		}
		if j == len(p.tokens) {
			return fmt.Errorf("unterminated %s{", metric)
		}
		p.i = j
	}
	if metric == "__name__" || slices.ContainsFunc(sel.Matchers, func(m Matcher) bool { return m.Label == "__name__" }) {
		return errors.New("match metrics by name, not __name__")
	}
	p.q.Selectors = append(p.q.Selectors, sel)
	return nil
}
