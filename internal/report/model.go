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

// Package report builds the evidence pack for a period: what `kubectl
// steward report` prints. Build turns Steward's objects, its campaigns and
// its decision log into a Report; the renderers write it as HTML (with its
// charts inline), Markdown or JSON. Nothing here reads a cluster or a
// clock: the command passes both in.
package report

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/nhi-steward/steward/internal/evidence"
)

// APIVersion names the schema of the JSON output.
const APIVersion = "steward.dev/report/v1"

// Period is the span a report covers. A zero Since is "from the beginning".
type Period struct {
	Since time.Time `json:"since"`
	Until time.Time `json:"until"`
}

// Contains says whether t falls in the period.
func (p Period) Contains(t time.Time) bool {
	return !t.Before(p.Since) && !t.After(p.Until)
}

// Cluster is where the data was read.
type Cluster struct {
	Context string `json:"context"`
	Server  string `json:"server"`
}

// Report is the evidence pack: every section the renderers print, and the
// inputs it was derived from with their digest.
type Report struct {
	APIVersion  string           `json:"apiVersion"`
	GeneratedAt time.Time        `json:"generatedAt"`
	Cluster     Cluster          `json:"cluster"`
	Period      Period           `json:"period"`
	Summary     Summary          `json:"summary"`
	Campaigns   []Campaign       `json:"campaigns"`
	Revocations []Revocation     `json:"revocations"`
	Exceptions  []Exception      `json:"exceptions"`
	Departures  []Departure      `json:"departures"`
	Controls    []ControlSection `json:"controls"`
	Warnings    []string         `json:"warnings"`
	Integrity   Integrity        `json:"integrity"`
	// Inputs are the data the report rests on; Integrity.Digest is the
	// SHA-256 of their canonical JSON.
	Inputs *Inputs `json:"inputs,omitempty"`
}

// Summary counts the identities by state.
type Summary struct {
	Identities int          `json:"identities"`
	ByState    []StateCount `json:"byState"`
	ByKind     []StateCount `json:"byKind"`
}

// StateCount is how many identities are in one state (or of one kind).
type StateCount struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// Integrity lets an auditor re-derive the report: the digest of its inputs.
type Integrity struct {
	Algorithm string `json:"algorithm"`
	Digest    string `json:"digest"`
	// Canonicalisation says how the inputs were serialised before hashing.
	Canonicalisation string `json:"canonicalisation"`
	// DecisionLog is what checking the hash chain of the decision-log
	// files the report read found; absent when it read none.
	DecisionLog *LogCheck `json:"decisionLog,omitempty"`
}

// LogCheck is the result of checking the decision log's hash chain
// (evidence.VerifyDecisionLog), as the report states it.
type LogCheck struct {
	Files []string `json:"files"`
	// Intact: no line was edited, deleted or reordered. Otherwise Break
	// names the first line that breaks the chain, as FILE:LINE: reason.
	Intact bool   `json:"intact"`
	Break  string `json:"break,omitempty"`
	Lines  int    `json:"lines"`
	// FirstSeq above 1: the log given starts mid-chain, its older lines
	// rotated away or not given.
	FirstSeq uint64     `json:"firstSeq,omitempty"`
	First    *time.Time `json:"first,omitempty"`
	Last     *time.Time `json:"last,omitempty"`
}

// identityRef names an identity in the sections' lists.
type IdentityRef struct {
	Namespace string   `json:"namespace"`
	Kind      string   `json:"kind"`
	Name      string   `json:"name"`
	State     string   `json:"state,omitempty"`
	Findings  []string `json:"findings,omitempty"`
	Team      string   `json:"team,omitempty"`
	Detail    string   `json:"detail,omitempty"`
}

// Build derives the report from its inputs at generatedAt.
func Build(in Inputs, cluster Cluster, generatedAt time.Time) (Report, error) {
	in = in.normalised()
	digest, err := in.Digest()
	if err != nil {
		return Report{}, err
	}
	rows, warnings := evidence.Inventory(in.sources())
	r := Report{
		APIVersion:  APIVersion,
		GeneratedAt: generatedAt.UTC(),
		Cluster:     cluster,
		Period:      in.Period,
		Summary:     summarise(rows),
		Campaigns:   campaigns(in),
		Revocations: revocations(in),
		Exceptions:  exceptions(in),
		Departures:  nil,
		Warnings:    append([]string{}, warnings...),
		Integrity: Integrity{Algorithm: "SHA-256", Digest: digest,
			Canonicalisation: CanonicalisationNote, DecisionLog: in.LogCheck},
		Inputs: &in,
	}
	if c := in.LogCheck; c != nil && !c.Intact {
		r.Warnings = append(r.Warnings, "the decision log's hash chain breaks at "+c.Break+
			": that line or one before it was edited, deleted or moved, so the log's lines from there on are not evidence")
	}
	// A departure's revocation may fall outside the period: whether it was
	// revoked before the period decides whether it was open in it.
	ever := in
	ever.Period = Period{Until: time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)}
	r.Departures = departures(in, revocations(ever))
	r.Controls = controlSections(rows, r)
	if r.Campaigns == nil {
		r.Campaigns = []Campaign{}
	}
	return r, nil
}

func summarise(rows []evidence.Row) Summary {
	byState := map[string]int{}
	byKind := map[string]int{}
	for _, row := range rows {
		byState[row.State]++
		byKind[row.Kind]++
	}
	s := Summary{Identities: len(rows), ByState: []StateCount{}, ByKind: []StateCount{}}
	for _, state := range stateOrder() {
		if n := byState[state]; n > 0 {
			s.ByState = append(s.ByState, StateCount{state, n})
			delete(byState, state)
		}
	}
	for _, name := range sortedKeys(byState) { // states this version does not know
		s.ByState = append(s.ByState, StateCount{cmp.Or(name, "Unknown"), byState[name]})
	}
	for _, name := range sortedKeys(byKind) {
		s.ByKind = append(s.ByKind, StateCount{name, byKind[name]})
	}
	return s
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func refOf(row evidence.Row, detail string) IdentityRef {
	return IdentityRef{Namespace: row.Namespace, Kind: row.Kind, Name: row.Name, State: row.State,
		Findings: row.Findings, Team: row.Team, Detail: detail}
}

// Sentence states the check for the Integrity section.
func (c *LogCheck) Sentence() string {
	if c == nil {
		return "No decision log was given (--log): revocations, departures and campaigns come from the cluster's objects only."
	}
	if !c.Intact {
		return fmt.Sprintf("Decision log (%d files): its hash chain breaks at %s. Lines from there on are not evidence.",
			len(c.Files), c.Break)
	}
	s := fmt.Sprintf("Decision log: %d lines in %d files, from %s to %s; its hash chain is intact "+
		"(the check kubectl steward verify-log makes).", c.Lines, len(c.Files), stamp(c.First), stamp(c.Last))
	if c.FirstSeq > 1 {
		s += fmt.Sprintf(" It starts at line %d of its chain: the lines before were rotated away or not given.", c.FirstSeq)
	}
	return s + " Lines removed from its end are not detected here: compare its last seq with a copy kept elsewhere."
}
