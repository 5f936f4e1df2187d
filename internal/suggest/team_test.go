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

package suggest

import "testing"

func TestInferTeam(t *testing.T) {
	cases := []struct {
		name        string
		members     []fixture
		nsLabels    map[string]string
		nsAnnots    map[string]string
		keys        []string
		want, wantF string
	}{
		{name: "nothing names a team", members: []fixture{sa("a", nil, nil)}},
		{name: "namespace label", members: []fixture{sa("a", nil, nil)}, nsLabels: kv("team", "payments"),
			want: "payments", wantF: "label team of namespace shop"},
		{name: "namespace annotation when no label", members: []fixture{sa("a", nil, nil)}, nsAnnots: kv("owner", "Payments Team"),
			want: "payments-team", wantF: "annotation owner of namespace shop"},
		{name: "a label of the namespace wins over an annotation", members: []fixture{sa("a", nil, nil)},
			nsLabels: kv("owner", "billing"), nsAnnots: kv("team", "payments"),
			want: "billing", wantF: "label owner of namespace shop"},
		{name: "keys are tried in order", members: []fixture{sa("a", nil, nil)},
			nsLabels: kv("owner", "billing", "team", "payments"),
			want:     "payments", wantF: "label team of namespace shop"},
		{name: "the identities' own label wins over the namespace", members: []fixture{
			sa("a", kv("app.kubernetes.io/team", "checkout"), nil), secret("b", nil, nil)},
			nsLabels: kv("team", "payments"), want: "checkout", wantF: "label app.kubernetes.io/team on the identities"},
		{name: "identities disagreeing: the namespace decides", members: []fixture{
			sa("a", kv("team", "checkout"), nil), sa("b", kv("team", "billing"), nil)},
			nsLabels: kv("team", "payments"), want: "payments", wantF: "label team of namespace shop"},
		{name: "an e-mail address names a person, not a team", members: []fixture{sa("a", nil, nil)},
			nsAnnots: kv("owner", "alice@example.com")},
		{name: "configured keys replace the defaults", members: []fixture{sa("a", nil, nil)},
			nsLabels: kv("team", "payments", "example.com/cost-center", "cc-42"), keys: []string{"example.com/cost-center"},
			want: "cc-42", wantF: "label example.com/cost-center of namespace shop"},
		{name: "a value with nothing usable is ignored", members: []fixture{sa("a", nil, nil)},
			nsLabels: kv("team", "__"), nsAnnots: kv("team", "payments"),
			want: "payments", wantF: "annotation team of namespace shop"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			members := make([]*Identity, len(tc.members))
			for i, f := range tc.members {
				id := f.identity()
				members[i] = &id
			}
			keys := tc.keys
			if keys == nil {
				keys = DefaultTeamKeys
			}
			ns := &Namespace{Name: "shop", Labels: tc.nsLabels, Annotations: tc.nsAnnots}
			got, from := inferTeam(members, ns, keys)
			if got != tc.want || from != tc.wantF {
				t.Errorf("inferTeam() = %q from %q, want %q from %q", got, from, tc.want, tc.wantF)
			}
		})
	}
}
