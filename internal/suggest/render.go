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
	"bytes"
	"fmt"
	"io"
	"strings"

	"sigs.k8s.io/yaml"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

// maxListedMembers is how many covered identities a draft's comment names.
const maxListedMembers = 20

// Totals sums the coverage of several namespaces.
type Totals struct {
	Namespaces, Drafts, Unowned, Covered, NoSignal int
}

// Add counts one namespace's suggestion.
func (t *Totals) Add(s *Suggestion) {
	if len(s.Unowned) > 0 {
		t.Namespaces++
	}
	t.Drafts += len(s.Drafts)
	t.Unowned += len(s.Unowned)
	t.Covered += s.Covered
	t.NoSignal += len(s.NoSignal)
}

// String is the totals in one sentence.
func (t Totals) String() string {
	return fmt.Sprintf("%s in %s; %s would cover %d of them, %d with no signal",
		Count(t.Unowned, "Unowned identity", "Unowned identities"), Count(t.Namespaces, "namespace", "namespaces"),
		Count(t.Drafts, "draft", "drafts"), t.Covered, t.NoSignal)
}

// Count is n and the noun, singular or plural.
func Count(n int, singular, plural string) string {
	if n == 1 {
		return "1 " + singular
	}
	return fmt.Sprintf("%d %s", n, plural)
}

// Write renders one namespace's drafts as YAML documents ready to commit,
// each preceded by comments saying where it came from and what a person must
// add, and ends with the namespace's coverage as comments.
func Write(w io.Writer, s *Suggestion) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# IdentityOwnership drafts for namespace %s, from kubectl steward suggest.\n", s.Namespace)
	fmt.Fprintf(&b, "# Replace every value starting with %q: the API server rejects a draft that still holds one.\n",
		nhi.Placeholder)
	b.WriteString("# No draft approves anything: the approver, who must not be one of the contacts, adds spec.approval.\n")
	for i := range s.Drafts {
		if err := writeDraft(&b, &s.Drafts[i]); err != nil {
			return err
		}
	}
	writeCoverage(&b, s)
	_, err := w.Write(b.Bytes())
	return err
}

func writeDraft(b *bytes.Buffer, d *Draft) error {
	body, err := yaml.Marshal(d.Ownership)
	if err != nil {
		return fmt.Errorf("rendering draft %s/%s: %w", d.Ownership.Namespace, d.Ownership.Name, err)
	}
	b.WriteString("---\n")
	fmt.Fprintf(b, "# %s: %s.\n", d.Ownership.Name, d.Signal)
	switch {
	case d.BySelector():
		b.WriteString("# Covers by selector: identities created later with the same labels are covered too.\n")
	case d.NamesWhy != "":
		fmt.Fprintf(b, "# Lists identities by name: %s.\n", d.NamesWhy)
	default:
		b.WriteString("# Lists identities by name: the signal is not a label a selector can match.\n")
	}
	fmt.Fprintf(b, "# Covers now (%d): %s\n", len(d.Members), refList(d.Members, maxListedMembers))
	if d.TeamFrom != "" {
		fmt.Fprintf(b, "# spec.owner.team is from the %s: check it.\n", d.TeamFrom)
	} else {
		b.WriteString("# spec.owner.team: nothing names the team; write it.\n")
	}
	b.WriteString("# spec.owner.contacts and spec.purpose: write them. spec.expiresAt: check it.\n")
	b.Write(body)
	return nil
}

func writeCoverage(b *bytes.Buffer, s *Suggestion) {
	fmt.Fprintf(b, "# Coverage of namespace %s: %s; %s would cover %d.\n", s.Namespace,
		Count(len(s.Unowned), "Unowned identity", "Unowned identities"), Count(len(s.Drafts), "draft", "drafts"), s.Covered)
	if len(s.NoSignal) == 0 {
		return
	}
	fmt.Fprintf(b, "# No signal (%d): nothing groups these; draft their ownership by hand.\n", len(s.NoSignal))
	for _, ref := range s.NoSignal {
		fmt.Fprintf(b, "#   %s/%s\n", ref.Kind, ref.Name)
	}
}

// refList is kind/name, comma-separated, the first limit of them.
func refList(refs []nhi.IdentityReference, limit int) string {
	shown := make([]string, 0, min(len(refs), limit))
	for i, ref := range refs {
		if i == limit {
			break
		}
		shown = append(shown, string(ref.Kind)+"/"+ref.Name)
	}
	text := strings.Join(shown, ", ")
	if len(refs) > limit {
		text += fmt.Sprintf(", and %d more", len(refs)-limit)
	}
	return text
}
