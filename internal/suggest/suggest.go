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
	"cmp"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/governance"
)

// The placeholders a draft holds where a person must write. The API server
// rejects each of them (nhi.Placeholder), naming the field.
const (
	PurposePlaceholder = nhi.Placeholder + " describe the business need these identities serve"
	ContactPlaceholder = nhi.Placeholder + "person@example.com"
	TeamPlaceholder    = nhi.Placeholder + "team"
)

// maxNamedIdentities is the most identities one ownership may list by name
// (the MaxItems of spec.identities); a larger group is split.
const maxNamedIdentities = 256

// Identity is the metadata of one ServiceAccount or Secret, with the owner
// references suggest reads. Never Secret data.
type Identity struct {
	governance.Identity
	OwnerReferences []metav1.OwnerReference
}

// Namespace is what suggest reads about one namespace.
type Namespace struct {
	Name        string
	Labels      map[string]string
	Annotations map[string]string
	// Policy is the policy governing the namespace; nil when none does, and
	// then nothing there is Unowned.
	Policy *nhi.OwnershipPolicy
	// Identities are the namespace's ServiceAccounts and the Secrets of the
	// types the policy governs, governed or not.
	Identities []Identity
	// Ownerships are the IdentityOwnerships that exist in the namespace.
	Ownerships []nhi.IdentityOwnership
}

// Options shape the drafts.
type Options struct {
	// TeamKeys are the label and annotation keys a team is read from, in
	// order; DefaultTeamKeys when empty.
	TeamKeys []string
	// ExpiresAt is the spec.expiresAt every draft proposes.
	ExpiresAt time.Time
}

// Draft is one suggested IdentityOwnership.
type Draft struct {
	Ownership nhi.IdentityOwnership
	// Signal is what grouped its identities.
	Signal Signal
	// Members are the Unowned identities it covers now, sorted.
	Members []nhi.IdentityReference
	// TeamFrom says where spec.owner.team was read; "" when it is a
	// placeholder.
	TeamFrom string
	// NamesWhy says why the draft lists identities by name although its
	// signal is a label; "" when it uses the selector or the signal has none.
	NamesWhy string
}

// BySelector reports whether the draft covers by selector, and so also
// covers identities of the application created later.
func (d *Draft) BySelector() bool { return d.Ownership.Spec.Selector != nil }

// Suggestion is the drafts for one namespace and what they would cover.
type Suggestion struct {
	Namespace string
	// Governed is false when no policy governs the namespace.
	Governed bool
	// Drafts are sorted by name.
	Drafts []Draft
	// Unowned are the namespace's Unowned identities, sorted.
	Unowned []nhi.IdentityReference
	// Covered is how many of them the drafts cover.
	Covered int
	// NoSignal are the Unowned identities no draft covers, sorted: they
	// carry nothing suggest can group them by.
	NoSignal []nhi.IdentityReference
}

// group is the Unowned identities that share a signal.
type group struct {
	signal  Signal
	members []*Identity
}

// Suggest drafts ownerships for the Unowned identities of one namespace.
// Unowned means governed by the namespace's policy and covered by no
// existing ownership, as governance decides it.
func Suggest(ns Namespace, opts Options) Suggestion {
	out := Suggestion{Namespace: ns.Name, Governed: ns.Policy != nil}
	if ns.Policy == nil {
		return out
	}
	keys := opts.TeamKeys
	if len(keys) == 0 {
		keys = DefaultTeamKeys
	}
	identities := slices.Clone(ns.Identities)
	slices.SortFunc(identities, func(a, b Identity) int {
		return cmp.Or(strings.Compare(string(a.Kind), string(b.Kind)), strings.Compare(a.Name, b.Name))
	})

	existing := governance.NewCoverage(ns.Ownerships)
	var governed, unowned []*Identity
	groups := map[string]*group{}
	for i := range identities {
		id := &identities[i]
		if !governance.Governs(ns.Policy, id.Identity) {
			continue
		}
		governed = append(governed, id)
		if existing.Covers(&id.Identity) {
			continue
		}
		unowned = append(unowned, id)
		out.Unowned = append(out.Unowned, id.Ref())
		if signal, ok := detect(id); ok {
			// Members of a group share their signal's key, and so its
			// selector, if the first has one; members whose signal is an
			// annotation are caught by selectorMismatch.
			g := groups[signal.key]
			if g == nil {
				g = &group{signal: signal}
				groups[signal.key] = g
			}
			g.members = append(g.members, id)
		}
	}

	existingNames := make([]string, len(ns.Ownerships))
	for i := range ns.Ownerships {
		existingNames[i] = ns.Ownerships[i].Name
	}
	taken := newNames(existingNames)
	for _, key := range slices.Sorted(maps.Keys(groups)) {
		out.Drafts = append(out.Drafts, drafts(&ns, groups[key], governed, taken, keys, opts.ExpiresAt)...)
	}
	slices.SortFunc(out.Drafts, func(a, b Draft) int { return strings.Compare(a.Ownership.Name, b.Ownership.Name) })

	// Coverage is measured, not assumed: the drafts go through the index
	// the controller uses.
	ownerships := make([]nhi.IdentityOwnership, len(out.Drafts))
	for i := range out.Drafts {
		ownerships[i] = out.Drafts[i].Ownership
	}
	suggested := governance.NewCoverage(ownerships)
	for _, id := range unowned {
		if suggested.Covers(&id.Identity) {
			out.Covered++
		} else {
			out.NoSignal = append(out.NoSignal, id.Ref())
		}
	}
	return out
}

// drafts turns one group into its draft, or several when it must list more
// identities by name than one ownership may hold.
func drafts(ns *Namespace, g *group, governed []*Identity, taken *names, teamKeys []string, expiresAt time.Time) []Draft {
	team, teamFrom := inferTeam(g.members, ns, teamKeys)
	base := Draft{Signal: g.signal, TeamFrom: teamFrom}
	if team == "" {
		team = TeamPlaceholder
	}
	spec := func() nhi.IdentityOwnershipSpec {
		return nhi.IdentityOwnershipSpec{
			Owner:     nhi.Owner{Team: team, Contacts: []nhi.Person{ContactPlaceholder}},
			Purpose:   PurposePlaceholder,
			ExpiresAt: metav1.NewTime(expiresAt.UTC()),
		}
	}
	members := make([]nhi.IdentityReference, len(g.members))
	for i, m := range g.members {
		members[i] = m.Ref()
	}
	name := dnsLabel(g.signal.App)

	if g.signal.Selector != nil {
		selector := &nhi.IdentitySelector{MatchLabels: g.signal.Selector}
		base.NamesWhy = selectorMismatch(ns.Name, selector, g, governed)
		if base.NamesWhy == "" {
			d := base
			d.Members = members
			d.Ownership = ownership(ns.Name, taken.claim(name, g.signal.key), spec())
			d.Ownership.Spec.Selector = selector
			return []Draft{d}
		}
	}

	var out []Draft
	for start := 0; start < len(members); start += maxNamedIdentities {
		chunk := members[start:min(start+maxNamedIdentities, len(members))]
		chunkName, chunkKey := name, g.signal.key
		if start > 0 {
			part := strconv.Itoa(start/maxNamedIdentities + 1)
			chunkName, chunkKey = withSuffix(name, part), chunkKey+"/"+part
		}
		d := base
		d.Members = chunk
		d.Ownership = ownership(ns.Name, taken.claim(chunkName, chunkKey), spec())
		d.Ownership.Spec.Identities = chunk
		out = append(out, d)
	}
	return out
}

// selectorMismatch says why a group's selector cannot stand for it: it must
// match exactly the group's members among the namespace's governed
// identities. A selector that also matched an owned identity would make
// the new ownership conflict with the existing one; one that matched a
// member of another group would cover it twice; one that missed a member
// would leave it Unowned. "" when the selector is exact.
func selectorMismatch(namespace string, selector *nhi.IdentitySelector, g *group, governed []*Identity) string {
	probe := governance.NewCoverage([]nhi.IdentityOwnership{{
		ObjectMeta: metav1.ObjectMeta{Name: "probe", Namespace: namespace},
		Spec:       nhi.IdentityOwnershipSpec{Selector: selector},
	}})
	for _, id := range governed {
		member := slices.Contains(g.members, id)
		switch covered := probe.Covers(&id.Identity); {
		case covered && !member:
			return "the labels also match " + string(id.Kind) + "/" + id.Name + ", which this group does not hold"
		case !covered && member:
			return "not every identity of the group carries the labels (" + string(id.Kind) + "/" + id.Name + " does not)"
		}
	}
	return ""
}

func ownership(namespace, name string, spec nhi.IdentityOwnershipSpec) nhi.IdentityOwnership {
	return nhi.IdentityOwnership{
		TypeMeta:   metav1.TypeMeta{APIVersion: nhi.GroupVersion.String(), Kind: "IdentityOwnership"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Spec:       spec,
	}
}
