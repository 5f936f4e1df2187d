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

	"github.com/nhi-steward/steward/internal/governance"
)

func TestWriteLedger(t *testing.T) {
	read := func(version, state string) governance.Identity {
		return governance.Identity{Name: "reporter", UID: "uid-1", ResourceVersion: version,
			Annotations: map[string]string{"steward.dev/state": state}}
	}
	set := func(state string) map[string]*string { return map[string]*string{"steward.dev/state": new(state)} }
	stateSeen := func(l *writeLedger, cached governance.Identity) string {
		ids := []governance.Identity{cached}
		l.overlayAll("payments", ids)
		return ids[0].Annotations["steward.dev/state"]
	}

	t.Run("a stale cache sees the patched values until it holds the patched version", func(t *testing.T) {
		var l writeLedger
		l.record("payments", read("10", "Unowned"), "11", nil, set("Owned"))
		l.observed("uid-1", "10")
		if got := stateSeen(&l, read("10", "Unowned")); got != "Owned" {
			t.Errorf("state = %q, want the patched Owned", got)
		}
		l.observed("uid-1", "11")
		if len(l.entries) != 0 {
			t.Errorf("%d entries after the cache saw version 11, want 0", len(l.entries))
		}
	})

	// Reconcile N patches 10→11; before its watch event arrives, reconcile
	// N+1 reads 10 (with the overlay) and patches 11→12. Version 11 lacks
	// the second patch: seeing it must not drop the entry.
	t.Run("a version between two patches is still stale", func(t *testing.T) {
		var l writeLedger
		l.record("payments", read("10", "Unowned"), "11", nil, set("Expired"))
		l.record("payments", read("10", "Unowned"), "12", nil, set("Revoked"))
		l.observed("uid-1", "11")
		if got := stateSeen(&l, read("11", "Expired")); got != "Revoked" {
			t.Errorf("state = %q at version 11, want the second patch's Revoked", got)
		}
		l.observed("uid-1", "12")
		if len(l.entries) != 0 {
			t.Errorf("%d entries after the cache saw version 12, want 0", len(l.entries))
		}
	})

	t.Run("a later version, after a relist skipped ours, has seen the patch", func(t *testing.T) {
		var l writeLedger
		l.record("payments", read("10", "Unowned"), "11", nil, set("Owned"))
		l.observed("uid-1", "15")
		if len(l.entries) != 0 {
			t.Errorf("%d entries after the cache saw version 15, want 0", len(l.entries))
		}
	})

	t.Run("versions that are not integers fall back to the versions patched", func(t *testing.T) {
		var l writeLedger
		l.record("payments", read("a", "Unowned"), "b", nil, set("Owned"))
		if got := stateSeen(&l, read("a", "Unowned")); got != "Owned" {
			t.Errorf("state = %q, want the patched Owned", got)
		}
		l.observed("uid-1", "b")
		if len(l.entries) != 0 {
			t.Errorf("%d entries after the cache saw the patched version, want 0", len(l.entries))
		}
	})

	t.Run("identities gone from the namespace are forgotten", func(t *testing.T) {
		var l writeLedger
		l.record("payments", read("10", "Unowned"), "11", nil, set("Owned"))
		l.overlayAll("payments", nil)
		if len(l.entries) != 0 {
			t.Errorf("%d entries, want 0", len(l.entries))
		}
	})
}
