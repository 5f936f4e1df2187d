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

import (
	"fmt"
	"strings"
)

// DefaultTeamKeys are the label and annotation keys a team is read from
// when none are configured.
var DefaultTeamKeys = []string{"team", "owner", "app.kubernetes.io/team"}

// inferTeam finds the team of a group: from a team key that the group's
// identities carry (all of those carrying it agreeing), else from the
// namespace's labels, then its annotations. It returns the team and where it
// was read; "" when nothing names one.
func inferTeam(members []*Identity, ns *Namespace, keys []string) (team, from string) {
	for _, key := range keys {
		if team, ok := agreedLabel(members, key); ok {
			return team, fmt.Sprintf("label %s on the identities", key)
		}
	}
	for _, key := range keys {
		if team, ok := teamName(ns.Labels[key]); ok {
			return team, fmt.Sprintf("label %s of namespace %s", key, ns.Name)
		}
	}
	for _, key := range keys {
		if team, ok := teamName(ns.Annotations[key]); ok {
			return team, fmt.Sprintf("annotation %s of namespace %s", key, ns.Name)
		}
	}
	return "", ""
}

// agreedLabel is the team that every member carrying the key names; false
// when none carries it or two disagree.
func agreedLabel(members []*Identity, key string) (string, bool) {
	agreed := ""
	for _, m := range members {
		team, ok := teamName(m.Labels[key])
		switch {
		case !ok:
		case agreed == "":
			agreed = team
		case agreed != team:
			return "", false
		}
	}
	return agreed, agreed != ""
}

// teamName turns a label or annotation value into a team name that
// spec.owner.team accepts (a DNS-1123 label). A value naming a person (an
// e-mail address) is no team: people are for contacts, which a person
// fills in.
func teamName(value string) (string, bool) {
	value = strings.TrimSpace(value)
	if value == "" || strings.Contains(value, "@") {
		return "", false
	}
	team := sanitize(value)
	return team, team != ""
}
