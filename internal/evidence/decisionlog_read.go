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
	"bufio"
	"bytes"
	"cmp"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"os"
	"slices"
)

// logLine is one line of a decision-log file, as read.
type logLine struct {
	file     string
	number   int
	raw      []byte
	hash     string
	decision Decision
	parseErr error
	complete bool // ends in a newline
}

// lineStream reads the lines of several files in turn, and can look ahead.
type lineStream struct {
	files   []string
	current int
	reader  *bufio.Reader
	closer  io.Closer
	number  int
	ahead   []*logLine
}

func newLineStream(files []string) *lineStream {
	return &lineStream{files: files, current: -1}
}

// openLogFile opens a decision-log file, decompressing it if it is gzip.
func openLogFile(path string) (*bufio.Reader, io.Closer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	r := bufio.NewReaderSize(f, 256<<10)
	if magic, _ := r.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		z, err := gzip.NewReader(r)
		if err != nil {
			_ = f.Close()
			return nil, nil, err
		}
		return bufio.NewReaderSize(z, 256<<10), f, nil
	}
	return r, f, nil
}

func (s *lineStream) read() (*logLine, error) {
	for {
		if s.reader == nil {
			s.current++
			if s.current >= len(s.files) {
				return nil, io.EOF
			}
			r, c, err := openLogFile(s.files[s.current])
			if err != nil {
				return nil, err
			}
			s.reader, s.closer, s.number = r, c, 0
		}
		raw, err := s.reader.ReadBytes('\n')
		if len(raw) > 0 {
			s.number++
			ln := &logLine{file: s.files[s.current], number: s.number}
			ln.complete = raw[len(raw)-1] == '\n'
			ln.raw = bytes.TrimSuffix(raw, []byte("\n"))
			ln.hash = lineHash(ln.raw)
			ln.parseErr = json.Unmarshal(ln.raw, &ln.decision)
			return ln, nil
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		_ = s.closer.Close()
		s.reader = nil
	}
}

// next returns the next line, or io.EOF.
func (s *lineStream) next() (*logLine, error) {
	if len(s.ahead) > 0 {
		ln := s.ahead[0]
		s.ahead = s.ahead[1:]
		return ln, nil
	}
	return s.read()
}

// peek returns the i-th line after the current one, or nil at the end.
func (s *lineStream) peek(i int) *logLine {
	for len(s.ahead) <= i {
		ln, err := s.read()
		if err != nil {
			return nil
		}
		s.ahead = append(s.ahead, ln)
	}
	return s.ahead[i]
}

func (s *lineStream) close() {
	if s.reader != nil {
		_ = s.closer.Close()
	}
}

// isTornBefore tells whether next is the chain record that marks ln as
// an incomplete line.
func isTornBefore(ln, next *logLine) bool {
	return next != nil && next.parseErr == nil && next.decision.Type == DecisionChain && next.decision.Torn == ln.hash
}

// ScanDecisionLog calls fn with each decision of the files, in the order
// they were written, chain records (Type DecisionChain) included. The files
// are rotated files of one log, or logs shipped from several processes, in
// any order and gzip-compressed or not: they are ordered by their chain.
// Incomplete lines marked by the chain record after them are skipped; any
// other line that is not JSON is an error. It does not check the chain:
// VerifyDecisionLog does.
func ScanDecisionLog(files []string, fn func(Decision) error) error {
	ordered, err := orderLogFiles(files)
	if err != nil {
		return err
	}
	s := newLineStream(ordered)
	defer s.close()
	for {
		ln, err := s.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if ln.parseErr != nil {
			if isTornBefore(ln, s.peek(0)) {
				continue
			}
			return &ChainBreak{File: ln.file, Line: ln.number, Reason: "not a decision-log line: " + ln.parseErr.Error()}
		}
		if err := fn(ln.decision); err != nil {
			return err
		}
	}
}

// ReadDecisionLog returns every decision of the files, as ScanDecisionLog
// reads them.
func ReadDecisionLog(files ...string) ([]Decision, error) {
	var out []Decision
	err := ScanDecisionLog(files, func(d Decision) error {
		out = append(out, d)
		return nil
	})
	return out, err
}

// logFileEnds is what ordering needs of a file: its first line and the
// hash of its last.
type logFileEnds struct {
	path     string
	first    Decision
	lastHash string
}

func readLogFileEnds(path string) (logFileEnds, error) {
	s := newLineStream([]string{path})
	defer s.close()
	ends := logFileEnds{path: path}
	for i := 0; ; i++ {
		ln, err := s.next()
		if errors.Is(err, io.EOF) {
			return ends, nil
		}
		if err != nil {
			return ends, err
		}
		if i == 0 {
			ends.first = ln.decision
		}
		if ln.complete {
			ends.lastHash = ln.hash
		}
	}
}

// orderLogFiles puts files in the order they were written: a file follows
// the one whose last line its first line's prev names; files that follow
// none (the oldest retained file, each chain's first file) come by the
// time of their first line.
func orderLogFiles(files []string) ([]string, error) {
	ends := make([]logFileEnds, 0, len(files))
	for _, f := range files {
		e, err := readLogFileEnds(f)
		if err != nil {
			return nil, err
		}
		ends = append(ends, e)
	}
	byLastHash := map[string]int{}
	for i, e := range ends {
		if e.lastHash != "" {
			byLastHash[e.lastHash] = i
		}
	}
	successor := map[int]int{}
	isSuccessor := map[int]bool{}
	for i, e := range ends {
		if e.first.Prev == "" {
			continue
		}
		if p, ok := byLastHash[e.first.Prev]; ok && p != i {
			successor[p], isSuccessor[i] = i, true
		}
	}
	var heads []int
	for i := range ends {
		if !isSuccessor[i] {
			heads = append(heads, i)
		}
	}
	slices.SortStableFunc(heads, func(a, b int) int {
		return cmp.Or(ends[a].first.Time.Compare(ends[b].first.Time), cmp.Compare(ends[a].first.Seq, ends[b].first.Seq))
	})
	seen := map[int]bool{}
	out := make([]string, 0, len(files))
	follow := func(i int) {
		for ok := true; ok && !seen[i]; i, ok = successor[i] {
			seen[i] = true
			out = append(out, ends[i].path)
		}
	}
	for _, h := range heads {
		follow(h)
	}
	for i := range ends { // files in a cycle: only a tampered set has one
		follow(i)
	}
	return out, nil
}
