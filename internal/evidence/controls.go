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

package evidence

import (
	"slices"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

// Control is one requirement of a compliance framework.
type Control = nhi.Control

// ControlIDs lists "Framework ID" for a set of findings, without
// duplicates, from the finding registry.
func ControlIDs(findings []nhi.Finding) []string {
	var ids []string
	for _, f := range findings {
		info, _ := nhi.FindingInfoOf(f)
		ids = appendControlIDs(ids, info.Controls)
	}
	return ids
}

func appendControlIDs(ids []string, controls []nhi.Control) []string {
	for _, c := range controls {
		if id := c.Framework + " " + c.ID; !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids
}
