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
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// maxNameLength is the longest name a draft gets: a DNS-1123 label, so the
// name also fits where Steward copies it into a label value.
const maxNameLength = 63

// hashLength is how many hex digits of a digest disambiguate a name.
const hashLength = 8

// fallbackName names a draft whose application name has no usable
// character.
const fallbackName = "identities"

// dnsLabel turns any text into a valid DNS-1123 label: lower case letters,
// digits and '-', starting and ending with a letter or digit, at most 63
// characters. A name cut to fit ends in a digest of the whole text, so two
// long names that share a prefix stay apart.
func dnsLabel(text string) string {
	if name := sanitize(text); name != "" {
		return name
	}
	return fallbackName
}

// sanitize is dnsLabel, but "" when the text has no usable character.
func sanitize(text string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(text) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	name := strings.TrimRight(b.String(), "-")
	if len(name) > maxNameLength {
		return withSuffix(name, digest(text))
	}
	return name
}

// withSuffix is name-suffix, with name cut so that the whole fits in a
// DNS-1123 label.
func withSuffix(name, suffix string) string {
	keep := maxNameLength - len(suffix) - 1
	if len(name) > keep {
		name = strings.TrimRight(name[:keep], "-")
	}
	return name + "-" + suffix
}

func digest(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])[:hashLength]
}

// names hands out draft names unique within a namespace: a name already
// taken (by an existing ownership, or an earlier draft) gets a digest of
// the group's key, which depends on nothing else, so a name does not move
// when other groups come or go.
type names struct {
	taken map[string]bool
}

func newNames(existing []string) *names {
	n := &names{taken: map[string]bool{}}
	for _, name := range existing {
		n.taken[name] = true
	}
	return n
}

func (n *names) claim(base, key string) string {
	name := base
	if n.taken[name] {
		name = withSuffix(base, digest(key))
	}
	for i := 2; n.taken[name]; i++ { // a digest collision: practically never
		name = withSuffix(base, digest(key)+"-"+strconv.Itoa(i))
	}
	n.taken[name] = true
	return name
}
