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

package governance

import (
	"strings"
	"testing"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

func set(entries ...string) map[string]bool {
	m := map[string]bool{}
	for _, e := range entries {
		m[e] = true
	}
	return m
}

func TestParseDirectory(t *testing.T) {
	cases := []struct {
		name string
		text string
		want map[string]bool
	}{
		{"empty", "", set()},
		{"only blank lines and comments", "\n   \n# people\n  # indented comment\n\t\n", set()},
		{"one per line", "alice@example.com\nbob@example.com\n", set("alice@example.com", "bob@example.com")},
		{"lower-cased and trimmed", "  Alice@Example.COM  \n\tTEAM-Payments\t", set("alice@example.com", "team-payments")},
		{"CRLF line endings", "alice@example.com\r\nbob@example.com\r\n", set("alice@example.com", "bob@example.com")},
		{"duplicates collapse", "alice@example.com\nALICE@example.com\n", set("alice@example.com")},
		{"comments mixed with entries", "# HR sync 2026-11-01\nalice@example.com\n\n# contractors\ncarol@example.com",
			set("alice@example.com", "carol@example.com")},
		{"a hash inside a line is part of the entry", "team#1\n", set("team#1")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { equal(t, "ParseDirectory", ParseDirectory(tc.text), tc.want) })
	}
}

func TestCheckDirectory(t *testing.T) {
	entries := func(n int) map[string]bool {
		m := map[string]bool{}
		for i := range n {
			m[strings.Repeat("x", i+1)+"@example.com"] = true
		}
		return m
	}
	cases := []struct {
		name             string
		entries          map[string]bool
		lastAccepted     int32
		maxShrinkPercent int32
		available        bool
		reason           string
		message          string
	}{
		{"empty directory is unavailable", set(), 0, 20, false, nhi.ReasonDirectoryEmpty, "lists nobody"},
		{"empty after a good one is unavailable", set(), 100, 20, false, nhi.ReasonDirectoryEmpty, "lists nobody"},
		{"first read is accepted", entries(3), 0, 20, true, nhi.ReasonDirectoryReadable, "lists 3 entries"},
		{"growth is accepted", entries(120), 100, 20, true, nhi.ReasonDirectoryReadable, "lists 120 entries"},
		{"unchanged is accepted", entries(100), 100, 20, true, nhi.ReasonDirectoryReadable, "lists 100 entries"},
		{"shrinking exactly maxShrinkPercent is accepted", entries(80), 100, 20, true, nhi.ReasonDirectoryReadable, "lists 80 entries"},
		{"shrinking one entry more is refused", entries(79), 100, 20, false, nhi.ReasonDirectoryShrankTooFast,
			"shrank from 100 to 79 entries, more than the 20% allowed"},
		{"threshold on a non-round count: 10 -> 8 at 20% accepted", entries(8), 10, 20, true, nhi.ReasonDirectoryReadable, ""},
		{"threshold on a non-round count: 7 -> 5 at 25% refused (28.6%)", entries(5), 7, 25, false, nhi.ReasonDirectoryShrankTooFast, "from 7 to 5"},
		{"100% allows any shrink to one entry", entries(1), 1000, 100, true, nhi.ReasonDirectoryReadable, ""},
		{"no shrink guard when maxShrinkPercent is 0", entries(1), 1000, 0, true, nhi.ReasonDirectoryReadable, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := CheckDirectory(tc.entries, tc.lastAccepted, tc.maxShrinkPercent)
			if got.Directory == nil {
				t.Fatal("Directory is nil")
			}
			equal(t, "Available", got.Directory.Available, tc.available)
			equal(t, "Reason", got.Reason, tc.reason)
			if !strings.Contains(got.Message, tc.message) {
				t.Errorf("Message %q does not contain %q", got.Message, tc.message)
			}
			if tc.available {
				equal(t, "Entries", got.Directory.Entries, tc.entries)
			} else {
				equal(t, "Entries", len(got.Directory.Entries), 0)
			}
		})
	}
}

func TestDirectoryHas(t *testing.T) {
	d := &Directory{Available: true, Entries: ParseDirectory("alice@example.com\nTeam-Payments\n")}
	cases := []struct {
		entry string
		want  bool
	}{
		{"alice@example.com", true},
		{"ALICE@EXAMPLE.COM", true},
		{" alice@example.com ", true},
		{"team-payments", true},
		{"bob@example.com", false},
		{"", false},
	}
	for _, tc := range cases {
		t.Run(tc.entry, func(t *testing.T) { equal(t, "Has", d.Has(tc.entry), tc.want) })
	}
}

// TestDirectoryDrivesDeparture: a directory refused by CheckDirectory
// departs nobody, an accepted one does.
func TestDirectoryDrivesDeparture(t *testing.T) {
	cases := []struct {
		name  string
		text  string
		last  int32
		state nhi.IdentityState
	}{
		{"accepted directory without the contact", "# staff\ncarol@example.com\n", 1, nhi.StateOwnerDeparted},
		{"accepted directory with the contact", "carol@example.com\nAlice@example.com\n", 2, nhi.StateOwned},
		{"empty directory", "# nobody\n", 5, nhi.StateOwned},
		{"directory that shrank too fast", "carol@example.com\n", 5, nhi.StateOwned},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			check := CheckDirectory(ParseDirectory(tc.text), tc.last, 20)
			res := evaluate(t, build(dir(check.Directory), ids(sa("api")), owns(payments(covers(saRef("api"))))))
			equal(t, "State", res.Identities[0].State, tc.state)
		})
	}
}
