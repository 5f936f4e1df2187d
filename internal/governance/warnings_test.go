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

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

func TestWarnings(t *testing.T) {
	day := 24 * time.Hour
	window := policy(warnTwoWeeks())
	type warned struct {
		deadline nhi.DeadlineKind
		at       time.Time
	}
	cases := []struct {
		name      string
		snapshot  Snapshot
		want      []warned
		wantEvent *warned // the identity's own deadline warned about now
		wantNext  time.Time
		wantSoon  string // the ownership's ExpiringSoon reason; "" for none
	}{
		{name: "expiry 1s outside the window: no warning, wake when it opens",
			snapshot: build(window, ids(sa("api")), owns(payments(covers(saRef("api")), expires(ref.Add(14*day+time.Second))))),
			wantNext: ref.Add(time.Second)},
		{name: "expiry exactly at the window's start: warned",
			snapshot: build(window, ids(sa("api")), owns(payments(covers(saRef("api")), expires(ref.Add(14*day))))),
			want:     []warned{{nhi.DeadlineExpiry, ref.Add(14 * day)}}, wantNext: ref.Add(14 * day), wantSoon: nhi.ReasonExpiryApproaching},
		{name: "at the expiry itself: Expired, no warning",
			snapshot: build(window, ids(sa("api")), owns(payments(covers(saRef("api")), expires(ref)))),
			wantNext: time.Time{}},
		{name: "review due in 3 days",
			snapshot: build(window, ids(sa("api")),
				owns(payments(covers(saRef("api")), approved(ref.Add(-27*day)), reviewEvery("720h")))),
			want:     []warned{{nhi.DeadlineReview, ref.Add(3 * day)}},
			wantNext: ref.Add(3 * day), wantSoon: nhi.ReasonReviewApproaching},
		{name: "rotation due in a day: warned once, with an Event",
			snapshot: build(window, ids(opaque("db", createdAt(ref.Add(-29*day)))),
				owns(payments(covers(secretRef("db")), rotateEvery("720h")))),
			want: []warned{{nhi.DeadlineRotation, ref.Add(day)}}, wantEvent: &warned{nhi.DeadlineRotation, ref.Add(day)},
			wantNext: ref.Add(day)},
		{name: "rotation already warned about: no second Event",
			snapshot: build(window, ids(opaque("db", createdAt(ref.Add(-29*day)), func(i *Identity) { i.Recorded.WarnedFor = ref.Add(day) })),
				owns(payments(covers(secretRef("db")), rotateEvery("720h")))),
			want: []warned{{nhi.DeadlineRotation, ref.Add(day)}}, wantNext: ref.Add(day)},
		{name: "scheduled revocation: the Revoke rule's grace ends in 2 days",
			snapshot: build(policy(warnTwoWeeks(), enforce(), revokeRule(nhi.FindingUnowned, "72h")),
				ids(sa("api", recorded(nhi.StateUnowned, ref.Add(-day))))),
			want: []warned{{nhi.DeadlineRevocation, ref.Add(2 * day)}}, wantEvent: &warned{nhi.DeadlineRevocation, ref.Add(2 * day)},
			wantNext: ref.Add(2 * day)},
		{name: "scheduled revocation in DryRun: nothing is revoked then, no warning",
			snapshot: build(policy(warnTwoWeeks(), revokeRule(nhi.FindingUnowned, "72h")),
				ids(sa("api", recorded(nhi.StateUnowned, ref.Add(-day))))),
			wantNext: ref.Add(2 * day)},
		{name: "exception ending in 5 days",
			snapshot: build(window, ids(sa("api")),
				excepts(newException("x", []nhi.Finding{nhi.FindingUnowned}, ref.Add(-day), ref.Add(5*day), saRef("api")))),
			want: []warned{{nhi.DeadlineExceptionExpiry, ref.Add(5 * day)}}, wantNext: ref.Add(5 * day)},
		{name: "warnBefore 0s: no warnings",
			snapshot: build(ids(sa("api")), owns(payments(covers(saRef("api")), expires(ref.Add(day))))),
			wantNext: ref.Add(day)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := Evaluate(tc.snapshot)
			got := res.Identities[0]
			var warnings []warned
			for _, w := range got.Warnings {
				warnings = append(warnings, warned{w.Deadline, w.At.Time})
			}
			equal(t, "Warnings", warnings, tc.want)
			if tc.wantEvent == nil {
				equal(t, "Warning", got.Warning == nil, true)
			} else {
				equal(t, "Warning", got.Warning != nil, true)
				equal(t, "Warning", warned{got.Warning.Deadline, got.Warning.At.Time}, *tc.wantEvent)
				equalTime(t, "Record.WarnedFor", got.Record.WarnedFor, tc.wantEvent.at)
			}
			equalTime(t, "NextDeadline", res.NextDeadline, tc.wantNext)
			if o := res.Ownerships["payments"]; o != nil {
				soon := meta.FindStatusCondition(o.Conditions, nhi.ConditionExpiringSoon)
				if soon == nil {
					t.Fatal("no ExpiringSoon condition")
				}
				equal(t, "ExpiringSoon", soon.Status == metav1.ConditionTrue, tc.wantSoon != "")
				if tc.wantSoon != "" {
					equal(t, "ExpiringSoon reason", soon.Reason, tc.wantSoon)
				}
			}
			if len(tc.want) > 0 && got.Identity.Kind == nhi.KindServiceAccount && got.State == nhi.StateOwned {
				equal(t, "status row warnings", len(IdentityStatusOf(&got).Warnings), len(tc.want))
			}
		})
	}
}

func TestExceptionExpiringSoon(t *testing.T) {
	day := 24 * time.Hour
	for _, tc := range []struct {
		name    string
		expires time.Time
		want    bool
	}{
		{"ends in 13 days: ExpiringSoon", ref.Add(13 * day), true},
		{"ends in 15 days: not yet", ref.Add(15 * day), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := build(policy(warnTwoWeeks(), maxExceptionDuration("2160h")), ids(sa("api")),
				excepts(newException("x", []nhi.Finding{nhi.FindingUnowned}, ref.Add(-day), tc.expires, saRef("api"))))
			x := Evaluate(s).Exceptions["x"]
			equal(t, "ExpiringSoon", meta.IsStatusConditionTrue(x.Conditions, nhi.ConditionExpiringSoon), tc.want)
		})
	}
}
