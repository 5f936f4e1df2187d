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
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeLog writes n decisions with a real file DecisionLog and closes it.
func writeLog(t *testing.T, path string, n int, maxSize int64, maxFiles int) {
	t.Helper()
	log, err := OpenDecisionLogFile(path, maxSize, maxFiles)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		d := Decision{Time: time.Date(2026, 12, 1, 0, 0, i, 0, time.UTC), Type: DecisionTransition,
			Namespace: "payments", Kind: "ServiceAccount", Name: fmt.Sprintf("sa-%d", i), To: "Unowned"}
		if err := log.Record(d); err != nil {
			t.Fatal(err)
		}
	}
	if err := log.Close(); err != nil {
		t.Fatal(err)
	}
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

func writeLines(t *testing.T, path string, lines []string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyDetectsTampering(t *testing.T) {
	// Lines 1 (the chain record) to 11; the mutations touch lines 5 and 6.
	tests := []struct {
		name     string
		mutate   func([]string) []string
		wantLine int
		want     string
	}{
		{"intact", func(l []string) []string { return l }, 0, ""},
		{"edited", func(l []string) []string {
			l[4] = strings.Replace(l[4], `"to":"Unowned"`, `"to":"Owned"`, 1)
			return l
		}, 5, "edited"},
		{"edited prev", func(l []string) []string {
			l[4] = strings.Replace(l[4], `"prev":"`, `"prev":"0`, 1)
			return l
		}, 5, "edited"},
		{"edited into non-JSON", func(l []string) []string { l[4] = l[4][:20]; return l }, 5, "edited"},
		{"deleted", func(l []string) []string { return append(l[:4], l[5:]...) }, 5, "deleted"},
		{"deleted two", func(l []string) []string { return append(l[:4], l[6:]...) }, 5, "deleted"},
		{"swapped", func(l []string) []string { l[4], l[5] = l[5], l[4]; return l }, 5, "reordered"},
		{"moved later", func(l []string) []string {
			moved := l[4]
			l = append(l[:4], l[5:]...)
			return append(l[:8], append([]string{moved}, l[8:]...)...)
		}, 5, "reordered"},
		{"inserted line", func(l []string) []string {
			return append(l[:5], append([]string{`{"schema":"steward.dev/decision/v1","type":"transition"}`}, l[5:]...)...)
		}, 6, "edited or inserted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "decisions.jsonl")
			writeLog(t, path, 10, 0, 1)
			lines := readLines(t, path)
			if len(lines) != 11 {
				t.Fatalf("want 11 lines, got %d", len(lines))
			}
			writeLines(t, path, tt.mutate(lines))
			v, err := VerifyDecisionLog(path)
			if tt.want == "" {
				if err != nil || v.Lines != 11 || len(v.Chains) != 1 || v.FirstSeq != 1 {
					t.Fatalf("intact log: %+v, %v", v, err)
				}
				return
			}
			var brk *ChainBreak
			if !errors.As(err, &brk) {
				t.Fatalf("want a chain break, got %v", err)
			}
			if brk.File != path || brk.Line != tt.wantLine || !strings.HasPrefix(brk.Reason, tt.want) {
				t.Fatalf("want %s:%d %s…, got %v", path, tt.wantLine, tt.want, brk)
			}
		})
	}
}

func TestRotationKeepsTheChain(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "decisions.jsonl")
	writeLog(t, path, 40, 1500, 4)
	files, _ := filepath.Glob(path + "*")
	if len(files) != 4 {
		t.Fatalf("want 4 files kept, got %v", files)
	}
	for _, f := range files {
		if info, _ := os.Stat(f); info.Size() > 1500 {
			t.Errorf("%s has %d bytes, more than the maximum", f, info.Size())
		}
	}
	// Any argument order verifies; the oldest lines were rotated away.
	shuffled := []string{path + ".2", path, path + ".3", path + ".1"}
	v, err := VerifyDecisionLog(shuffled...)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{path + ".3", path + ".2", path + ".1", path}
	if fmt.Sprint(v.Files) != fmt.Sprint(want) || v.FirstSeq == 1 || len(v.Chains) != 0 {
		t.Fatalf("order %v, first seq %d, chains %d", v.Files, v.FirstSeq, len(v.Chains))
	}
	decisions, err := ReadDecisionLog(shuffled...)
	if err != nil {
		t.Fatal(err)
	}
	if got := decisions[len(decisions)-1]; got.Name != "sa-39" || got.Seq != 41 {
		t.Fatalf("last decision %+v", got)
	}
	for i := 1; i < len(decisions); i++ {
		if decisions[i].Seq != decisions[i-1].Seq+1 {
			t.Fatalf("decisions out of order at %d", i)
		}
	}
	// A missing middle file is a gap.
	_, err = VerifyDecisionLog(path+".3", path+".1", path)
	var brk *ChainBreak
	if !errors.As(err, &brk) || brk.File != path+".1" || brk.Line != 1 || !strings.HasPrefix(brk.Reason, "deleted") {
		t.Fatalf("missing file: %v", err)
	}
}

func TestRestartContinuesTheChain(t *testing.T) {
	path := filepath.Join(t.TempDir(), "decisions.jsonl")
	writeLog(t, path, 3, 0, 2)
	writeLog(t, path, 3, 0, 2)
	lines := readLines(t, path)
	if len(lines) != 8 || !strings.Contains(lines[4], `"reason":"ChainContinued"`) ||
		!strings.Contains(lines[4], `"seq":5`) {
		t.Fatalf("restart line: %s", lines[4])
	}
	v, err := VerifyDecisionLog(path)
	if err != nil || v.Lines != 8 || len(v.Chains) != 1 {
		t.Fatalf("%+v %v", v, err)
	}
}

func TestTornLineIsMarked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "decisions.jsonl")
	writeLog(t, path, 3, 0, 1)
	whole := readLines(t, path)
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0o600)
	_, _ = f.WriteString(`{"schema":"steward.dev/decision/v1","ti`)
	_ = f.Close()
	var brk *ChainBreak
	if _, err := VerifyDecisionLog(path); !errors.As(err, &brk) || brk.Line != 5 ||
		!strings.HasPrefix(brk.Reason, "incomplete") {
		t.Fatalf("unmarked torn line: %v", err)
	}
	writeLog(t, path, 2, 0, 1)
	lines := readLines(t, path)
	if len(lines) != 8 || !strings.Contains(lines[5], `"reason":"TornLine"`) {
		t.Fatalf("lines after a torn one: %q", lines[4:])
	}
	v, err := VerifyDecisionLog(path)
	if err != nil || v.Torn != 1 || v.Lines != 7 {
		t.Fatalf("%+v %v", v, err)
	}
	// A whole line that only lacks its newline stays in the chain.
	path2 := filepath.Join(t.TempDir(), "decisions.jsonl")
	if err := os.WriteFile(path2, []byte(strings.Join(whole, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	writeLog(t, path2, 1, 0, 1)
	if v, err := VerifyDecisionLog(path2); err != nil || v.Torn != 0 || v.Lines != 6 {
		t.Fatalf("%+v %v", v, err)
	}
}

func TestStreamsStartAChainEach(t *testing.T) {
	var first, second bytes.Buffer
	for _, buf := range []*bytes.Buffer{&first, &second} {
		log := NewDecisionLog(buf)
		for range 2 {
			if err := log.Record(Decision{Time: time.Now(), Type: DecisionUsage, Namespace: "a", Kind: "Secret"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	dir := t.TempDir()
	shipped := filepath.Join(dir, "shipped")
	writeLines(t, shipped, append(readBufferLines(&first), readBufferLines(&second)...))
	v, err := VerifyDecisionLog(shipped)
	if err != nil || v.Lines != 6 || len(v.Chains) != 2 {
		t.Fatalf("%+v %v", v, err)
	}
	// Lines written before chaining, at the start, are counted apart.
	legacy := filepath.Join(dir, "legacy")
	writeLines(t, legacy, append([]string{`{"schema":"steward.dev/decision/v1","type":"usage"}`},
		readBufferLines(&first)...))
	if v, err := VerifyDecisionLog(legacy); err != nil || v.Unchained != 1 || v.Lines != 3 {
		t.Fatalf("%+v %v", v, err)
	}
}

func readBufferLines(b *bytes.Buffer) []string {
	return strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
}
