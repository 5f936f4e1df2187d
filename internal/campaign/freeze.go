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

// Package campaign decides an AccessReviewCampaign: which ownerships its
// scope holds when it starts (Freeze), and which OwnershipReviews decided
// them since (Track). It reads nothing and writes nothing; the controller
// gives it what the cache holds and the time, and writes what it returns.
package campaign

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/governance"
)

// Inputs are the objects a scope is frozen from: everything the cache
// holds, read in one pass.
type Inputs struct {
	// Policies are every OwnershipPolicy.
	Policies []nhi.OwnershipPolicy
	// Namespaces are every namespace, with its labels.
	Namespaces []metav1.PartialObjectMetadata
	// Ownerships are every IdentityOwnership.
	Ownerships []nhi.IdentityOwnership
	// StewardNamespace is never governed, like the protected namespaces.
	StewardNamespace string
	// WaitOver: the campaign has waited long enough for Steward to evaluate
	// its ownerships (FreezeWait). Those still not evaluated at their
	// current generation are frozen from their last evaluation, so that a
	// tenant editing its ownership in a loop cannot hold the campaign back.
	WaitOver bool
}

// FreezeWait is how long a campaign waits, from its creation, for the
// ownerships in its scope to be evaluated at their current generation.
const FreezeWait = 2 * time.Minute

// Frozen is a campaign's scope as it was when the campaign started.
type Frozen struct {
	// Items are the in-scope ownerships, sorted by namespace and name, with
	// the first MaxCampaignItemIdentities identities of each.
	Items []nhi.CampaignItem
	// Identities are every identity of each item (same index as Items), for
	// the decision log.
	Identities [][]nhi.IdentityReference
}

// Refusal is why a scope was not frozen: the campaign is Stalled with its
// reason until the inputs change.
type Refusal struct {
	Reason  string
	Message string
}

// Pending lists the in-scope ownerships whose status does not yet describe
// their current generation: their identities are not known, so the scope
// is not frozen until Steward has evaluated them.
type Pending []string

// Freeze selects the ownerships in a campaign's scope. It returns the
// frozen scope, or a refusal (a policy not found, a scope too large), or
// the ownerships to wait for.
func Freeze(spec *nhi.AccessReviewCampaignSpec, in Inputs) (*Frozen, *Refusal, Pending) {
	scope := spec.Scope
	var governed map[string]bool
	if scope.Policy != "" {
		idx := slices.IndexFunc(in.Policies, func(p nhi.OwnershipPolicy) bool { return p.Name == scope.Policy })
		if idx < 0 || in.Policies[idx].DeletionTimestamp != nil {
			return nil, &Refusal{Reason: nhi.ReasonPolicyNotFound,
				Message: fmt.Sprintf("spec.scope.policy names OwnershipPolicy %q, which does not exist; the scope is frozen once it does", scope.Policy)}, nil
		}
		governed = governedBy(scope.Policy, in)
	}

	var inScope []*nhi.IdentityOwnership
	for i := range in.Ownerships {
		o := &in.Ownerships[i]
		switch {
		case o.DeletionTimestamp != nil:
		case governed != nil && !governed[o.Namespace]:
		case len(scope.Namespaces) > 0 && !slices.Contains(scope.Namespaces, o.Namespace):
		case len(scope.Teams) > 0 && !slices.Contains(scope.Teams, o.Spec.Owner.Team):
		default:
			inScope = append(inScope, o)
		}
	}
	if len(inScope) > nhi.MaxCampaignItems {
		return nil, &Refusal{Reason: nhi.ReasonScopeTooLarge,
			Message: fmt.Sprintf("the scope holds %d ownerships, more than the %d one campaign can record; split it by team or namespace",
				len(inScope), nhi.MaxCampaignItems)}, nil
	}
	slices.SortFunc(inScope, func(a, b *nhi.IdentityOwnership) int {
		return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name))
	})

	var pending Pending
	frozen := &Frozen{Items: make([]nhi.CampaignItem, 0, len(inScope)), Identities: make([][]nhi.IdentityReference, 0, len(inScope))}
	for _, o := range inScope {
		if o.Status.ObservedGeneration != o.Generation && !in.WaitOver {
			pending = append(pending, o.Namespace+"/"+o.Name)
			continue
		}
		identities := make([]nhi.IdentityReference, 0, len(o.Status.Identities))
		for _, id := range o.Status.Identities {
			identities = append(identities, nhi.IdentityReference{Kind: id.Kind, Name: id.Name})
		}
		item := nhi.CampaignItem{
			Namespace: o.Namespace, Ownership: o.Name, OwnershipUID: string(o.UID), OwnershipGeneration: o.Generation,
			Team: o.Spec.Owner.Team, Contacts: slices.Clone(o.Spec.Owner.Contacts),
			IdentityCount: max(o.Status.IdentityCount, int32(len(identities))),
			Identities:    slices.Clone(identities[:min(len(identities), nhi.MaxCampaignItemIdentities)]),
		}
		if len(item.Contacts) > maxContacts {
			item.Contacts = item.Contacts[:maxContacts]
		}
		frozen.Items = append(frozen.Items, item)
		frozen.Identities = append(frozen.Identities, identities)
	}
	if len(pending) > 0 {
		return nil, nil, pending
	}
	if !fit(frozen.Items) {
		return nil, &Refusal{Reason: nhi.ReasonScopeTooLarge,
			Message: fmt.Sprintf("the scope's %d ownerships and their contacts take more than the %d KiB a campaign's status can hold; split it by team or namespace",
				len(frozen.Items), MaxItemsBytes>>10)}, nil
	}
	return frozen, nil, nil
}

// MaxItemsBytes bounds the frozen items in the campaign's status, as JSON:
// with the remediations and conditions, the object stays under etcd's
// 1.5 MiB request limit.
const MaxItemsBytes = 900 << 10

// fit keeps items within MaxItemsBytes by listing fewer identities per
// item (identityCount keeps the number, the decision log every name). It
// says false when even items listing none are too large.
func fit(items []nhi.CampaignItem) bool {
	for _, keep := range []int{nhi.MaxCampaignItemIdentities, 10, 5, 1, 0} {
		for i := range items {
			items[i].Identities = items[i].Identities[:min(len(items[i].Identities), keep)]
		}
		if size, err := json.Marshal(items); err == nil && len(size) <= MaxItemsBytes {
			return true
		}
	}
	return false
}

// maxContacts is the most contacts an item records (the CRD's bound).
const maxContacts = 32

// governedBy lists the namespaces a policy governs: those it selects, not
// protected, where no older policy wins (governance.GoverningPolicy, the
// rule the namespace controller applies).
func governedBy(policy string, in Inputs) map[string]bool {
	governed := map[string]bool{}
	for i := range in.Namespaces {
		ns := &in.Namespaces[i]
		winner, _ := governance.GoverningPolicy(in.Policies, ns.Name, ns.Labels, in.StewardNamespace)
		if winner != nil && winner.Name == policy {
			governed[ns.Name] = true
		}
	}
	return governed
}

// Start is the status of a campaign whose scope was just frozen at now.
func Start(frozen *Frozen, now time.Time) nhi.AccessReviewCampaignStatus {
	started := metav1.NewTime(now.Truncate(time.Second))
	return nhi.AccessReviewCampaignStatus{StartedAt: &started, Items: frozen.Items}
}
