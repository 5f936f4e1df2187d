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
	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

// Governs reports whether a policy governs an identity of a namespace it
// selects: its kinds, Secret types and excluded identities, as Evaluate
// applies them.
func Governs(policy *nhi.OwnershipPolicy, identity Identity) bool {
	return policy != nil && governs(policy, &identity)
}

// Coverage answers which of a set of ownerships cover an identity, with the
// same index Evaluate uses, so that a tool outside the controller (such as
// `kubectl steward suggest`) agrees with Steward on what is Unowned.
type Coverage struct {
	ownerships []*nhi.IdentityOwnership
	index      *coverageIndex
}

// NewCoverage indexes ownerships of one namespace. Ownerships being deleted
// cover nothing, as in Evaluate.
func NewCoverage(ownerships []nhi.IdentityOwnership) *Coverage {
	c := &Coverage{}
	var targets []target
	for i := range ownerships {
		if ownerships[i].DeletionTimestamp != nil {
			continue
		}
		c.ownerships = append(c.ownerships, &ownerships[i])
		targets = append(targets, target{identities: ownerships[i].Spec.Identities, selector: ownerships[i].Spec.Selector})
	}
	c.index = newCoverageIndex(targets)
	return c
}

// Covering returns the names of the ownerships covering an identity, in the
// order they were given; none when the identity is not covered.
func (c *Coverage) Covering(identity *Identity) []string {
	claims := c.index.covering(identity)
	if len(claims) == 0 {
		return nil
	}
	names := make([]string, len(claims))
	for i, claim := range claims {
		names[i] = c.ownerships[claim].Name
	}
	return names
}

// Covers reports whether any of the ownerships covers an identity.
func (c *Coverage) Covers(identity *Identity) bool {
	return len(c.index.covering(identity)) > 0
}
