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

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

func normalizeEntry(entry string) string { return strings.ToLower(strings.TrimSpace(entry)) }

// ParseDirectory reads an owner directory: one person or team per line;
// blank lines and lines starting with # are ignored.
func ParseDirectory(text string) map[string]bool {
	entries := map[string]bool{}
	for line := range strings.SplitSeq(text, "\n") {
		line = normalizeEntry(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		entries[line] = true
	}
	return entries
}

// DirectoryCheck is the verdict on a directory just read.
type DirectoryCheck struct {
	Directory *Directory
	// Reason is a ConditionDirectoryUnavailable reason; Message explains it.
	Reason  string
	Message string
}

// CheckDirectory decides whether a directory read from its ConfigMap can be
// trusted. An empty directory, or one that lost more than maxShrinkPercent
// of the entries last accepted, is treated as unavailable: a sync gone wrong
// must not make half the organisation "departed".
func CheckDirectory(entries map[string]bool, lastAccepted int32, maxShrinkPercent int32) DirectoryCheck {
	if len(entries) == 0 {
		return DirectoryCheck{
			Directory: &Directory{},
			Reason:    nhi.ReasonDirectoryEmpty,
			Message:   "the owner directory lists nobody; departures are not evaluated until it does",
		}
	}
	if lastAccepted > 0 && maxShrinkPercent > 0 {
		lost := int64(lastAccepted) - int64(len(entries))
		if lost*100 > int64(lastAccepted)*int64(maxShrinkPercent) {
			return DirectoryCheck{
				Directory: &Directory{},
				Reason:    nhi.ReasonDirectoryShrankTooFast,
				Message: fmt.Sprintf("the owner directory shrank from %d to %d entries, more than the %d%% allowed by "+
					"spec.ownerDirectory.maxShrinkPercent; departures are not evaluated until it recovers or the "+
					"threshold is raised", lastAccepted, len(entries), maxShrinkPercent),
			}
		}
	}
	return DirectoryCheck{
		Directory: &Directory{Available: true, Entries: entries},
		Reason:    nhi.ReasonDirectoryReadable,
		Message:   fmt.Sprintf("the owner directory lists %d entries", len(entries)),
	}
}
