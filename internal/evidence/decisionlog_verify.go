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
	"io"
	"time"
)

// reorderLookahead is how far past a gap in seq VerifyDecisionLog looks
// for the missing line, to tell a reordered line from a deleted one.
const reorderLookahead = 10000

// ChainBreak is the first line at which a decision log's chain breaks.
type ChainBreak struct {
	File   string
	Line   int
	Reason string
}

func (b *ChainBreak) Error() string {
	return fmt.Sprintf("%s:%d: %s", b.File, b.Line, b.Reason)
}

// ChainStart is a line that starts a chain.
type ChainStart struct {
	File   string
	Line   int
	Time   time.Time
	Writer string
}

// LogVerification is what VerifyDecisionLog found in an intact log.
type LogVerification struct {
	// Files in the order they were written.
	Files []string
	// Lines counts the chained lines.
	Lines int
	// Chains are the chain starts found; a log whose oldest lines were
	// rotated away begins mid-chain, at FirstSeq.
	Chains   []ChainStart
	FirstSeq uint64
	// Unchained counts lines written before the log was chained, at its
	// start; Torn counts incomplete lines marked by the record after them.
	Unchained, Torn int
	// First and Last are the earliest and latest time of a line.
	First, Last time.Time
}

// VerifyDecisionLog checks the chain of the files, ordered as
// ScanDecisionLog orders them. A broken chain is a *ChainBreak naming the
// first line that breaks it; other errors are failures to read.
func VerifyDecisionLog(files ...string) (LogVerification, error) {
	ordered, err := orderLogFiles(files)
	if err != nil {
		return LogVerification{}, err
	}
	v := verifier{stream: newLineStream(ordered), result: LogVerification{Files: ordered}}
	defer v.stream.close()
	if err := v.run(); err != nil {
		return LogVerification{}, err
	}
	return v.result, nil
}

type verifier struct {
	stream *lineStream
	result LogVerification
	prev   *logLine // the last chained line
}

func (v *verifier) run() error {
	for {
		ln, err := v.stream.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if ln.parseErr != nil || ln.decision.Seq == 0 {
			if err := v.unchained(ln); err != nil {
				return err
			}
			continue
		}
		if err := v.link(ln); err != nil {
			return err
		}
		v.count(ln)
		v.prev = ln
	}
}

// unchained accepts a line without seq only as a marked incomplete line,
// or before the first chained line (a log written before chaining).
func (v *verifier) unchained(ln *logLine) error {
	if isTornBefore(ln, v.stream.peek(0)) {
		v.result.Torn++
		return nil
	}
	switch {
	case !ln.complete:
		return breakAt(ln, "incomplete last line (a write cut short); Steward marks it when it next starts")
	case ln.parseErr != nil:
		return breakAt(ln, "edited: not a decision-log line: "+ln.parseErr.Error())
	case v.prev == nil && v.result.Torn == 0:
		v.result.Unchained++
		return nil
	}
	return breakAt(ln, "edited or inserted: the line has no seq")
}

// link checks that ln follows the previous chained line.
func (v *verifier) link(ln *logLine) error {
	d := ln.decision
	if isChainStart(d) || v.prev == nil {
		return nil
	}
	p := v.prev
	want := p.decision.Seq + 1
	switch {
	case d.Seq > want:
		for i := range reorderLookahead {
			later := v.stream.peek(i)
			if later == nil {
				break
			}
			if later.parseErr == nil && later.decision.Seq == want && later.decision.Prev == p.hash {
				return breakAt(ln, fmt.Sprintf("reordered: seq %d is here, before seq %d (%s:%d)",
					d.Seq, want, later.file, later.number))
			}
		}
		return breakAt(ln, fmt.Sprintf("deleted: seq jumps from %d (%s:%d) to %d: %d line(s) missing before this one",
			p.decision.Seq, p.file, p.number, d.Seq, d.Seq-want))
	case d.Seq < want:
		return breakAt(ln, fmt.Sprintf("reordered or repeated: seq %d comes after seq %d (%s:%d)",
			d.Seq, p.decision.Seq, p.file, p.number))
	case d.Prev != p.hash:
		// An edit changes a line's hash, which the next line's prev no
		// longer matches. If that holds for this line too, this line was
		// edited (its prev included); otherwise the line before it was.
		if next := v.stream.peek(0); next != nil && next.parseErr == nil && next.decision.Seq == d.Seq+1 &&
			next.decision.Prev != ln.hash {
			return breakAt(ln, "edited: neither its prev nor its hash matches its neighbours")
		}
		return breakAt(p, fmt.Sprintf("edited: its hash is not the prev recorded by the next line (%s:%d)",
			ln.file, ln.number))
	}
	return nil
}

func (v *verifier) count(ln *logLine) {
	d := ln.decision
	r := &v.result
	if r.Lines == 0 {
		r.FirstSeq = d.Seq
	}
	r.Lines++
	if isChainStart(d) {
		r.Chains = append(r.Chains, ChainStart{File: ln.file, Line: ln.number, Time: d.Time, Writer: d.Name})
	}
	if r.First.IsZero() || d.Time.Before(r.First) {
		r.First = d.Time
	}
	if d.Time.After(r.Last) {
		r.Last = d.Time
	}
}

func breakAt(ln *logLine, reason string) *ChainBreak {
	return &ChainBreak{File: ln.file, Line: ln.number, Reason: reason}
}
