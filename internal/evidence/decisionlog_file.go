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
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
)

// rotatingFile is the decision log's file: appended to, rotated by size.
// Each line is one write(2) to a file opened O_APPEND, so a killed process
// leaves whole lines; only a crash of the node can leave part of one.
type rotatingFile struct {
	path     string
	maxSize  int64
	maxFiles int
	f        *os.File
	size     int64
}

func (r *rotatingFile) open() error {
	f, err := os.OpenFile(r.path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	info, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return err
	}
	r.f, r.size = f, info.Size()
	return nil
}

func (r *rotatingFile) close() error {
	if r.f == nil {
		return nil
	}
	err := errors.Join(r.f.Sync(), r.f.Close())
	r.f = nil
	return err
}

// write appends line and its newline, rotating first if the file would
// grow past maxSize.
func (r *rotatingFile) write(line []byte) error {
	n := int64(len(line)) + 1
	if r.f != nil && r.maxSize > 0 && r.size > 0 && r.size+n > r.maxSize {
		if err := r.rotate(); err != nil {
			return fmt.Errorf("rotating the decision log %s: %w", r.path, err)
		}
	}
	if r.f == nil {
		if err := r.open(); err != nil {
			return err
		}
	}
	k, err := r.f.Write(append(slices.Clip(line), '\n'))
	r.size += int64(k)
	return err
}

// terminateLine ends an incomplete last line with its newline.
func (r *rotatingFile) terminateLine() error {
	if r.f == nil {
		if err := r.open(); err != nil {
			return err
		}
	}
	k, err := r.f.Write([]byte("\n"))
	r.size += int64(k)
	return err
}

// rotatedName is the name of the i-th rotated file: path.1 is the newest.
func (r *rotatingFile) rotatedName(i int) string {
	return fmt.Sprintf("%s.%d", r.path, i)
}

func (r *rotatingFile) rotate() error {
	if err := r.close(); err != nil {
		return err
	}
	if err := os.Remove(r.rotatedName(r.maxFiles - 1)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	for i := r.maxFiles - 2; i >= 1; i-- {
		if err := os.Rename(r.rotatedName(i), r.rotatedName(i+1)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	var err error
	if r.maxFiles > 1 {
		err = os.Rename(r.path, r.rotatedName(1))
	} else {
		err = os.Remove(r.path)
	}
	if err != nil {
		return err
	}
	syncDir(filepath.Dir(r.path))
	return r.open()
}

// syncDir makes the renames durable; a failure only weakens durability.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}

// logTail is what a file ends with: its last complete line, parsed, and
// an incomplete line after it, if any.
type logTail struct {
	last         []byte
	lastDecision Decision
	torn         []byte
}

// recoverTail reads the end of the log before this process appends to it:
// the last complete line of the file, or of path.1 when the file is empty
// (a rotation just happened). An incomplete last line gets its newline, so
// that the chain record after it starts a line of its own; if it is in
// fact a whole chained line that only lacks its newline, it is the last line.
func (r *rotatingFile) recoverTail() (logTail, error) {
	last, torn, err := fileTail(r.path)
	if err != nil {
		return logTail{}, err
	}
	if torn != nil {
		if err := r.terminateLine(); err != nil {
			return logTail{}, err
		}
		var d Decision
		if json.Unmarshal(torn, &d) == nil && d.Seq > 0 {
			last, torn = torn, nil
		}
	}
	if last == nil && torn == nil && r.maxFiles > 1 {
		if last, _, err = fileTail(r.rotatedName(1)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return logTail{}, err
		}
	}
	tail := logTail{last: last, torn: torn}
	if last != nil && json.Unmarshal(last, &tail.lastDecision) != nil {
		tail.lastDecision = Decision{}
	}
	return tail, nil
}

// fileTail returns a file's last complete line and, when the file does not
// end in a newline, the incomplete line after it. It reads from the end.
func fileTail(path string) (last, torn []byte, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer func() { _ = f.Close() }()
	info, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	size := info.Size()
	for window := int64(64 << 10); ; window *= 2 {
		window = min(window, size)
		buf := make([]byte, window)
		if _, err := f.ReadAt(buf, size-window); err != nil && !errors.Is(err, io.EOF) {
			return nil, nil, err
		}
		body := buf
		if n := len(body); n > 0 && body[n-1] != '\n' {
			cut := bytes.LastIndexByte(body, '\n')
			if cut < 0 && window < size {
				continue
			}
			torn = bytes.Clone(body[cut+1:])
			body = body[:cut+1]
		}
		body = bytes.TrimSuffix(body, []byte("\n"))
		start := bytes.LastIndexByte(body, '\n')
		if start < 0 && window < size {
			torn = nil
			continue
		}
		if len(body) > 0 || start >= 0 {
			last = bytes.Clone(body[start+1:])
		}
		return last, torn, nil
	}
}
