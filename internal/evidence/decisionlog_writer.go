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
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// DecisionLog writes one JSON object per line, each carrying the hash of
// the line before it (see docs/decision-log.md). It is safe for concurrent
// use. The first Record of a process writes a chain record first: on a
// stream it starts a new chain; on a file it continues the file's chain.
type DecisionLog struct {
	mu      sync.Mutex
	stream  io.Writer
	file    *rotatingFile
	writer  string // the process that writes: its host (pod) name
	started bool
	seq     uint64
	prev    string
	now     func() time.Time
}

// NewDecisionLog writes decisions to w, a stream such as stdout; a nil w
// discards them. Each DecisionLog on a stream starts its own chain.
func NewDecisionLog(w io.Writer) *DecisionLog {
	if w == nil {
		w = io.Discard
	}
	return &DecisionLog{stream: w, writer: hostName(), now: time.Now}
}

// OpenDecisionLogFile appends decisions to the file at path, continuing
// the chain of its last line. When a line would take the file past maxSize
// bytes (0: no limit), the file is rotated: path.1 becomes path.2 and so
// on, path becomes path.1, and of all these at most maxFiles are kept, the
// current one included.
func OpenDecisionLogFile(path string, maxSize int64, maxFiles int) (*DecisionLog, error) {
	if maxSize < 0 || maxFiles < 1 {
		return nil, fmt.Errorf("decision log %s: want a size of 0 or more and at least 1 file, got %d and %d",
			path, maxSize, maxFiles)
	}
	file := &rotatingFile{path: path, maxSize: maxSize, maxFiles: maxFiles}
	// Open now, so that a path Steward cannot write fails at start.
	if err := file.open(); err != nil {
		return nil, err
	}
	return &DecisionLog{file: file, writer: hostName(), now: time.Now}, nil
}

func hostName() string {
	name, err := os.Hostname()
	if err != nil {
		return ""
	}
	return name
}

// Record writes one decision, filling in the schema version and the chain.
func (l *DecisionLog) Record(d Decision) error {
	d.Schema = SchemaVersion
	d.Time = d.Time.UTC()
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.started {
		if err := l.start(); err != nil {
			return err
		}
		l.started = true
	}
	return l.append(d)
}

// Close flushes the file to disk and closes it; a stream is left open.
func (l *DecisionLog) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.file == nil {
		return nil
	}
	return l.file.close()
}

// start writes the chain record that opens this process's lines.
func (l *DecisionLog) start() error {
	record := Decision{Schema: SchemaVersion, Time: l.now().UTC(), Type: DecisionChain,
		Kind: chainRecordKind, Name: l.writer, Reason: ChainStarted}
	l.seq, l.prev = 0, ""
	if l.file == nil {
		record.Message = "a new chain starts: the process writes to a stream"
		return l.append(record)
	}
	tail, err := l.file.recoverTail()
	if err != nil {
		return err
	}
	switch {
	case tail.last == nil:
		record.Message = "a new chain starts: " + l.file.path + " has no earlier line"
	case tail.lastDecision.Seq == 0:
		record.Message = "a new chain starts: the last line of " + l.file.path + " is not a chained decision-log line"
	default:
		l.seq, l.prev = tail.lastDecision.Seq, lineHash(tail.last)
		record.Reason = ChainContinued
		record.Message = fmt.Sprintf("the chain continues after line %d: a new process writes to %s", l.seq, l.file.path)
	}
	if tail.torn != nil {
		record.Torn = lineHash(tail.torn)
		if record.Reason == ChainContinued {
			record.Reason = ChainTornLine
		}
		record.Message += fmt.Sprintf("; the line before this one is incomplete (%d bytes, a write cut short) "+
			"and is not part of the chain", len(tail.torn))
	}
	return l.append(record)
}

// append chains d to the previous line and writes it.
func (l *DecisionLog) append(d Decision) error {
	d.Seq, d.Prev = l.seq+1, l.prev
	line, err := json.Marshal(d)
	if err != nil {
		return err
	}
	if l.file == nil {
		_, err = l.stream.Write(append(line, '\n'))
	} else if err = l.file.write(line); err != nil {
		// The file may now end in part of this line: the next Record
		// starts again from the file's tail, marking it.
		l.started = false
	}
	if err != nil {
		return err
	}
	l.seq, l.prev = d.Seq, lineHash(line)
	decisionLogSequenceMetric.Set(float64(l.seq))
	return nil
}
