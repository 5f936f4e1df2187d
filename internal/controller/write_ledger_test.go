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

import (
	"testing"

	"k8s.io/utils/ptr"

	"github.com/nhi-steward/steward/internal/governance"
)

func TestWriteLedger(t *testing.T) {
	patched := governance.Identity{Name: "reporter", UID: "uid-1", ResourceVersion: "10",
		Annotations: map[string]string{"steward.dev/state": "Unowned"}}
	record := func(l *writeLedger) {
		l.record("payments", patched, nil, map[string]*string{"steward.dev/state": ptr.To("Owned")})
	}
	stale := func() governance.Identity {
		id := patched
		id.Annotations = map[string]string{"steward.dev/state": "Unowned"}
		return id
	}

	t.Run("a stale cache sees the patched values", func(t *testing.T) {
		var l writeLedger
		record(&l)
		l.observed("uid-1", "10") // the cache still holds the patched-over version
		ids := []governance.Identity{stale()}
		l.overlayAll("payments", ids)
		if got := ids[0].Annotations["steward.dev/state"]; got != "Owned" {
			t.Errorf("state = %q, want the patched Owned", got)
		}
		if len(l.entries) != 1 {
			t.Errorf("%d entries, want 1 until the cache catches up", len(l.entries))
		}
	})

	t.Run("the cache catching up forgets the patch", func(t *testing.T) {
		var l writeLedger
		record(&l)
		l.observed("uid-1", "11")
		if len(l.entries) != 0 {
			t.Errorf("%d entries after the cache saw version 11, want 0", len(l.entries))
		}
	})

	// applyIdentities asks the cache after recording, because the watch
	// event may come first: observed then finds nothing, and the entry
	// would wait for the namespace's next evaluation.
	t.Run("a cache that caught up before the record", func(t *testing.T) {
		var l writeLedger
		l.observed("uid-1", "11")
		record(&l)
		if len(l.entries) != 1 {
			t.Fatalf("%d entries, want 1", len(l.entries))
		}
		l.observed("uid-1", "11") // what applyIdentities does with the cached version
		if len(l.entries) != 0 {
			t.Errorf("%d entries, want 0", len(l.entries))
		}
	})

	t.Run("identities gone from the namespace are forgotten", func(t *testing.T) {
		var l writeLedger
		record(&l)
		l.overlayAll("payments", nil)
		if len(l.entries) != 0 {
			t.Errorf("%d entries, want 0", len(l.entries))
		}
	})
}
