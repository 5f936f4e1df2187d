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

package metricsauth

import (
	"sync"
	"time"

	"k8s.io/utils/clock"
)

// expiringCache remembers answers until they expire, holding at most max of
// them: when full, expired answers are dropped, and if none has expired the
// new answer is simply not remembered.
type expiringCache[V any] struct {
	clock   clock.PassiveClock
	max     int
	mu      sync.Mutex
	entries map[string]expiringEntry[V]
}

type expiringEntry[V any] struct {
	value   V
	expires time.Time
}

func newExpiringCache[V any](clk clock.PassiveClock, maxEntries int) *expiringCache[V] {
	return &expiringCache[V]{clock: clk, max: maxEntries, entries: map[string]expiringEntry[V]{}}
}

func (c *expiringCache[V]) get(key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	entry, found := c.entries[key]
	if !found || !c.clock.Now().Before(entry.expires) {
		var zero V
		return zero, false
	}
	return entry.value, true
}

func (c *expiringCache[V]) put(key string, value V, ttl time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.clock.Now()
	if _, found := c.entries[key]; !found && len(c.entries) >= c.max {
		for k, entry := range c.entries {
			if !now.Before(entry.expires) {
				delete(c.entries, k)
			}
		}
		if len(c.entries) >= c.max {
			return
		}
	}
	c.entries[key] = expiringEntry[V]{value: value, expires: now.Add(ttl)}
}
