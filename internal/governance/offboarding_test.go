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
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

func TestOwnerTransfer(t *testing.T) {
	payments := nhi.Owner{Team: "payments", Contacts: []nhi.Person{"alice@example.com", "bob@example.com"}}
	tests := []struct {
		name     string
		recorded *nhi.Owner
		current  nhi.Owner
		want     string
	}{
		{"no record yet", nil, payments, ""},
		{"unchanged", &payments, payments, ""},
		{"same contacts in another order and case", &payments,
			nhi.Owner{Team: "payments", Contacts: []nhi.Person{"Bob@example.com", "alice@example.com"}}, ""},
		{"new team", &payments, nhi.Owner{Team: "platform", Contacts: payments.Contacts},
			"ownership transferred from team payments (alice@example.com, bob@example.com) to team platform (alice@example.com, bob@example.com)"},
		{"a contact replaced", &payments, nhi.Owner{Team: "payments", Contacts: []nhi.Person{"alice@example.com", "carol@example.com"}},
			"ownership transferred from team payments (alice@example.com, bob@example.com) to team payments (alice@example.com, carol@example.com)"},
		{"a contact added", &payments, nhi.Owner{Team: "payments", Contacts: []nhi.Person{"alice@example.com", "bob@example.com", "carol@example.com"}},
			"ownership transferred from team payments (alice@example.com, bob@example.com) to team payments (alice@example.com, bob@example.com, carol@example.com)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, transferred := OwnerTransfer(tt.recorded, tt.current)
			if got != tt.want || transferred != (tt.want != "") {
				t.Errorf("OwnerTransfer() = %q, %v; want %q", got, transferred, tt.want)
			}
		})
	}
}

func TestNextDeparture(t *testing.T) {
	now := ref
	earlier := metav1.NewTime(ref.Add(-time.Hour))
	tests := []struct {
		name          string
		recorded      *nhi.OwnerDeparture
		res           OwnershipResult
		wantNil       bool
		wantFirstSeen time.Time
		wantAllAt     *time.Time
	}{
		{name: "nobody left", res: OwnershipResult{}, wantNil: true},
		{name: "first contact leaves: first seen now", res: OwnershipResult{DepartedContacts: []string{"bob@example.com"}},
			wantFirstSeen: now},
		{name: "the last one leaves: first seen kept, all departed now",
			recorded:      &nhi.OwnerDeparture{DepartedContacts: []nhi.Person{"bob@example.com"}, FirstSeen: earlier},
			res:           OwnershipResult{DepartedContacts: []string{"alice@example.com", "bob@example.com"}, AllDeparted: true},
			wantFirstSeen: earlier.Time, wantAllAt: &now},
		{name: "still all departed: both times kept",
			recorded:      &nhi.OwnerDeparture{DepartedContacts: []nhi.Person{"bob@example.com"}, FirstSeen: earlier, AllDepartedAt: &earlier},
			res:           OwnershipResult{DepartedContacts: []string{"bob@example.com"}, AllDeparted: true},
			wantFirstSeen: earlier.Time, wantAllAt: &earlier.Time},
		{name: "someone returns to the directory: all-departed cleared",
			recorded:      &nhi.OwnerDeparture{DepartedContacts: []nhi.Person{"a@example.com", "b@example.com"}, FirstSeen: earlier, AllDepartedAt: &earlier},
			res:           OwnershipResult{DepartedContacts: []string{"b@example.com"}},
			wantFirstSeen: earlier.Time},
		{name: "everyone back: record cleared",
			recorded: &nhi.OwnerDeparture{DepartedContacts: []nhi.Person{"b@example.com"}, FirstSeen: earlier},
			res:      OwnershipResult{}, wantNil: true},
		{name: "directory unavailable: the record stands as it was",
			recorded:      &nhi.OwnerDeparture{DepartedContacts: []nhi.Person{"b@example.com"}, FirstSeen: earlier, AllDepartedAt: &earlier},
			res:           OwnershipResult{DepartureFrozen: true},
			wantFirstSeen: earlier.Time, wantAllAt: &earlier.Time},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NextDeparture(tt.recorded, &tt.res, now)
			if tt.wantNil {
				if got != nil {
					t.Fatalf("NextDeparture() = %+v, want nil", got)
				}
				return
			}
			if got == nil || !got.FirstSeen.Time.Equal(tt.wantFirstSeen) {
				t.Fatalf("NextDeparture() = %+v, want first seen %s", got, tt.wantFirstSeen)
			}
			switch {
			case tt.wantAllAt == nil && got.AllDepartedAt != nil:
				t.Errorf("allDepartedAt = %s, want none", got.AllDepartedAt)
			case tt.wantAllAt != nil && (got.AllDepartedAt == nil || !got.AllDepartedAt.Time.Equal(*tt.wantAllAt)):
				t.Errorf("allDepartedAt = %v, want %s", got.AllDepartedAt, tt.wantAllAt)
			}
		})
	}
}

// An unavailable directory must not change anybody's state: departures
// recorded before stand, and nobody new departs.
func TestUnavailableDirectoryFreezesDepartures(t *testing.T) {
	departed := metav1.NewTime(ref.Add(-time.Hour))
	for _, tt := range []struct {
		name      string
		recorded  *nhi.OwnerDeparture
		wantState nhi.IdentityState
	}{
		{"recorded as all departed: stays OwnerDeparted", &nhi.OwnerDeparture{
			DepartedContacts: []nhi.Person{"alice@example.com"}, FirstSeen: departed, AllDepartedAt: &departed}, nhi.StateOwnerDeparted},
		{"recorded as partly departed: stays Owned", &nhi.OwnerDeparture{
			DepartedContacts: []nhi.Person{"alice@example.com"}, FirstSeen: departed}, nhi.StateOwned},
		{"nothing recorded: stays Owned", nil, nhi.StateOwned},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := newOwnership("api", covers(saRef("api")))
			o.Status.Departure = tt.recorded
			snap := Snapshot{
				Namespace: testNamespace, Now: ref, Policy: newPolicy(),
				Directory:  &Directory{Available: false},
				Identities: []Identity{sa("api")},
				Ownerships: []nhi.IdentityOwnership{o},
			}
			result := Evaluate(snap)
			if got := result.Identities[0].State; got != tt.wantState {
				t.Errorf("state = %s, want %s", got, tt.wantState)
			}
			if res := result.Ownerships["api"]; !res.DepartureFrozen && tt.recorded != nil {
				t.Errorf("DepartureFrozen = false, want true")
			}
		})
	}
}
