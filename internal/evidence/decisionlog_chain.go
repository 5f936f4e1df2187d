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
	"crypto/sha256"
	"encoding/hex"

	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
)

// Reasons of a chain record (Type DecisionChain).
const (
	// ChainStarted: the first line of a chain (Seq 1, no Prev). Every
	// process writing to a stream starts one; a file starts one when it
	// has no chained line to continue from.
	ChainStarted = "ChainStarted"
	// ChainContinued: a process started and continues the chain of the
	// file it appends to.
	ChainContinued = "ChainContinued"
	// ChainTornLine: as ChainContinued, after an incomplete line (a write
	// cut short by a crash) that Torn identifies by its hash.
	ChainTornLine = "TornLine"
)

// chainRecordKind is the Kind of a chain record: it is about the log itself.
const chainRecordKind = "DecisionLog"

// lineHash is the hex SHA-256 of a line's bytes, without its newline: the
// value the next line carries as Prev.
func lineHash(line []byte) string {
	sum := sha256.Sum256(line)
	return hex.EncodeToString(sum[:])
}

// isChainStart tells whether a line starts a chain rather than continuing one.
func isChainStart(d Decision) bool {
	return d.Type == DecisionChain && d.Seq == 1 && d.Prev == ""
}

// decisionLogSequenceMetric publishes the Seq of the last line written. A
// monitoring system that keeps it off the host sees a truncated file: its
// last line's seq is lower than the highest value it scraped.
var decisionLogSequenceMetric = prometheus.NewGauge(prometheus.GaugeOpts{
	Name: "steward_decision_log_sequence",
	Help: "The seq of the last decision-log line written (it restarts at 1 when a chain starts).",
})

func init() {
	metrics.Registry.MustRegister(decisionLogSequenceMetric)
}
