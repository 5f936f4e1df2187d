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

package plugin

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nhi-steward/steward/internal/evidence"
)

// writeRealLog writes n decisions through the manager's file writer.
func writeRealLog(t *testing.T, path string, n int, maxSize int64) {
	t.Helper()
	log, err := evidence.OpenDecisionLogFile(path, maxSize, 10)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if err := log.Record(evidence.Decision{Time: time.Now(), Type: evidence.DecisionAction,
			Namespace: "payments", Kind: "ServiceAccount", Name: fmt.Sprintf("sa-%d", i), Action: "Revoke"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := log.Close(); err != nil {
		t.Fatal(err)
	}
}

func runVerifyLog(files ...string) (string, error) {
	root := NewRootCommand()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(append([]string{"verify-log"}, files...))
	err := root.Execute()
	return out.String(), err
}

func TestVerifyLogCommand(t *testing.T) {
	tests := []struct {
		name   string
		mutate func([]string) []string
		want   string // in the error; empty: verifies
	}{
		{"intact", func(l []string) []string { return l }, ""},
		{"edited line 4", func(l []string) []string {
			l[3] = strings.Replace(l[3], "Revoke", "Hold", 1)
			return l
		}, ":4: edited"},
		{"deleted line 4", func(l []string) []string { return append(l[:3], l[4:]...) }, ":4: deleted"},
		{"swapped lines 4 and 5", func(l []string) []string { l[3], l[4] = l[4], l[3]; return l }, ":4: reordered"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "decisions.jsonl")
			writeRealLog(t, path, 8, 0)
			raw, _ := os.ReadFile(path)
			lines := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
			_ = os.WriteFile(path, []byte(strings.Join(tt.mutate(lines), "\n")+"\n"), 0o600)
			out, err := runVerifyLog(path)
			if tt.want == "" {
				if err != nil || !strings.HasPrefix(out, "OK: 9 lines in 1 files, 1 chain starts") {
					t.Fatalf("want OK, got %v: %s", err, out)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), path+tt.want) {
				t.Fatalf("want %s%s, got %v", path, tt.want, err)
			}
		})
	}
}

func TestVerifyLogRotatedAndCompressed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "decisions.jsonl")
	writeRealLog(t, path, 30, 2000)
	writeRealLog(t, path, 5, 2000) // a restart continues the chain
	// Compress the oldest rotated file, as a log shipper might.
	files, _ := filepath.Glob(path + ".*")
	if len(files) < 2 {
		t.Fatalf("want rotated files, got %v", files)
	}
	oldest := path + fmt.Sprintf(".%d", len(files))
	raw, _ := os.ReadFile(oldest)
	var z bytes.Buffer
	gz := gzip.NewWriter(&z)
	_, _ = gz.Write(raw)
	_ = gz.Close()
	_ = os.WriteFile(oldest+".gz", z.Bytes(), 0o600)
	_ = os.Remove(oldest)
	args := append([]string{path}, files[:len(files)-1]...)
	args = append(args, oldest+".gz")
	out, err := runVerifyLog(args...)
	if err != nil || !strings.Contains(out, fmt.Sprintf("OK: 37 lines in %d files, 1 chain starts", len(files)+1)) {
		t.Fatalf("%v: %s", err, out)
	}
}
