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
	"time"

	"k8s.io/apimachinery/pkg/types"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

// Identity is the metadata of one ServiceAccount or Secret. Secret data is
// never part of it.
type Identity struct {
	Kind nhi.IdentityKind
	Name string
	UID  types.UID
	// ResourceVersion is the version this metadata was read at.
	ResourceVersion string
	Labels          map[string]string
	Annotations     map[string]string
	// SecretType is the type of a Secret; empty for a ServiceAccount.
	SecretType string
	Created    time.Time
	// Recorded is Steward's own record of the identity, from its ledger;
	// the zero Record when there is none. Steward never derives a state, a
	// grace clock or a revocation from the identity's labels or
	// annotations: tenants can write those (docs/security.md).
	Recorded Record
}

// Record is what Steward last recorded about an identity, where only
// Steward writes.
type Record struct {
	// State is the state last recorded; empty when none is.
	State nhi.IdentityState
	// Since is when the identity entered State.
	Since time.Time
	// WouldRevoke is true once a due revocation was reported without being
	// carried out (DryRun, or the blast-radius cap), so it is reported once.
	WouldRevoke bool
	// Revoked is true once a revocation of the identity was committed.
	Revoked bool
	// RevokedAt and RemovedBindings describe that revocation for people
	// (they are copied into annotations).
	RevokedAt       time.Time
	RemovedBindings string
}

// Ref is the identity's kind and name.
func (i Identity) Ref() nhi.IdentityReference {
	return nhi.IdentityReference{Kind: i.Kind, Name: i.Name}
}

// Snapshot is everything Evaluate needs about one namespace.
type Snapshot struct {
	Namespace string
	// Policy governs the namespace; nil when no policy does.
	Policy *nhi.OwnershipPolicy
	// Directory is the policy's owner directory; nil when the policy has none.
	Directory  *Directory
	Identities []Identity
	Ownerships []nhi.IdentityOwnership
	Exceptions []nhi.OwnershipException
	Reviews    []nhi.OwnershipReview
	Now        time.Time
}

// Directory is the set of active people and teams. When Available is false
// nobody is considered departed.
type Directory struct {
	Available bool
	Entries   map[string]bool
}

// Has reports whether a person or team is in the directory, ignoring case.
func (d *Directory) Has(entry string) bool {
	return d.Entries[normalizeEntry(entry)]
}
