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
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/nhi-steward/steward/internal/evidence"
)

// newVerifyLogCommand is `kubectl steward verify-log FILE...`: it checks
// the hash chain of decision-log files, locally; it needs no cluster.
func newVerifyLogCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "verify-log FILE...",
		Short: "Check that decision-log files have no edited, deleted or reordered line",
		Long: "Checks the hash chain of decision-log files: the current file and its rotated files " +
			"(decisions.jsonl, decisions.jsonl.1, …, gzip-compressed or not) in any order, or lines shipped " +
			"from several manager processes. Prints the counts and each chain start, or exits non-zero naming " +
			"the first line that breaks the chain.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, files []string) error {
			v, err := evidence.VerifyDecisionLog(files...)
			if err != nil {
				return fmt.Errorf("decision log broken: %w", err)
			}
			printVerification(cmd.OutOrStdout(), v)
			return nil
		},
	}
}

func printVerification(w io.Writer, v evidence.LogVerification) {
	_, _ = fmt.Fprintf(w, "OK: %d lines in %d files, %d chain starts, from %s to %s\n",
		v.Lines, len(v.Files), len(v.Chains), v.First.Format(time.RFC3339), v.Last.Format(time.RFC3339))
	if v.Lines > 0 && v.FirstSeq != 1 {
		_, _ = fmt.Fprintf(w, "the first line is seq %d: the %d lines before it are not in these files "+
			"(rotated away, or not given)\n", v.FirstSeq, v.FirstSeq-1)
	}
	for _, c := range v.Chains {
		_, _ = fmt.Fprintf(w, "chain starts at %s:%d, %s, written by %s\n", c.File, c.Line,
			c.Time.Format(time.RFC3339), c.Writer)
	}
	if v.Unchained > 0 {
		_, _ = fmt.Fprintf(w, "%d lines at the start were written before the log was chained and are not checked\n",
			v.Unchained)
	}
	if v.Torn > 0 {
		_, _ = fmt.Fprintf(w, "%d incomplete lines (writes cut short by a crash) are marked and skipped\n", v.Torn)
	}
	_, _ = fmt.Fprintln(w, "the newest lines are checked only against a copy kept elsewhere: "+
		"removing them from the end leaves no trace in the files")
}
