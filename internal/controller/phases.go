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

package controller

import "time"

// phases times the steps of one reconcile for its debug log line
// (--zap-log-level=debug): where a large namespace's pass spends its wall
// time. It reads the wall clock, not the reconciler's injected clock: the
// figures describe the process, and decide nothing.
type phases struct {
	last   time.Time
	fields []any
}

func startPhases() *phases { return &phases{last: time.Now()} }

// within records, under name, the time since the previous step without
// ending it: a step that waits for work running beside it (the identity
// patches, the ledger) says when each part was done. It returns the time
// it read.
func (p *phases) within(name string) time.Time {
	now := time.Now()
	p.fields = append(p.fields, name, now.Sub(p.last).Round(time.Millisecond).String())
	return now
}

// done records the time since the previous step under name, and ends it.
func (p *phases) done(name string) { p.last = p.within(name) }
