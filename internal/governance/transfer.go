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
	"fmt"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

// OwnerTransfer describes a change of owner (a mover: the team or the
// contacts changed) between the owner last recorded and the current one. It
// returns false when nothing changed, or when there is no previous record.
func OwnerTransfer(recorded *nhi.Owner, current nhi.Owner) (string, bool) {
	if recorded == nil || sameOwner(*recorded, current) {
		return "", false
	}
	return fmt.Sprintf("ownership transferred from team %s (%s) to team %s (%s)",
		recorded.Team, JoinPeople(recorded.Contacts), current.Team, JoinPeople(current.Contacts)), true
}

func sameOwner(a, b nhi.Owner) bool {
	if a.Team != b.Team || len(a.Contacts) != len(b.Contacts) {
		return false
	}
	for _, c := range a.Contacts {
		if !IsOneOf(b.Contacts, c) {
			return false
		}
	}
	return true
}

// JoinPeople lists people comma-separated.
func JoinPeople(people []nhi.Person) string {
	names := make([]string, len(people))
	for i, p := range people {
		names[i] = string(p)
	}
	return strings.Join(names, ", ")
}

// NextDeparture is the departure record after an evaluation: first seen
// when a contact goes missing, all-departed when the last one does, cleared
// when every contact is present again. Times already recorded are kept.
func NextDeparture(recorded *nhi.OwnerDeparture, res *OwnershipResult, now time.Time) *nhi.OwnerDeparture {
	if res.DepartureFrozen {
		return recorded
	}
	if len(res.DepartedContacts) == 0 {
		return nil
	}
	stamp := metav1.NewTime(now.Truncate(time.Second))
	next := &nhi.OwnerDeparture{FirstSeen: stamp}
	if recorded != nil {
		next.FirstSeen, next.AllDepartedAt = recorded.FirstSeen, recorded.AllDepartedAt
	}
	for _, c := range res.DepartedContacts {
		next.DepartedContacts = append(next.DepartedContacts, nhi.Person(c))
	}
	switch {
	case res.AllDeparted && next.AllDepartedAt == nil:
		next.AllDepartedAt = &stamp
	case !res.AllDeparted:
		next.AllDepartedAt = nil
	}
	return next
}
