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
	// Users are the workloads that use the identity (run as the
	// ServiceAccount, or reference the Secret), deduplicated and sorted;
	// nil when none does. Read from Steward's cache of Pods, workload
	// templates and ServiceAccounts.
	Users []nhi.WorkloadReference
	// Access is what a ServiceAccount can do through RBAC; nil for a
	// Secret, or a ServiceAccount no binding reaches.
	Access *nhi.AccessSummary
	// CloudIdentities are the cloud identities a ServiceAccount's
	// workload-identity annotations link it to. Context for people only:
	// tenants write these annotations, and no decision depends on them.
	CloudIdentities []nhi.CloudIdentityLink
	// Recorded is Steward's own record of the identity, from its ledger;
	// the zero Record when there is none. Steward never derives a state, a
	// grace clock or a revocation from the identity's labels or
	// annotations: tenants can write those (docs/security.md).
	Recorded Record
}

// Record is what Steward last recorded about an identity, where only
// Steward writes. Its flags are kept together, as IdentityResult's are.
type Record struct {
	// State is the state last recorded; empty when none is.
	State nhi.IdentityState
	// Since is when the identity entered State.
	Since time.Time
	// WouldRevoke is true once a due revocation was reported without being
	// carried out (DryRun, or the blast-radius cap), so it is reported once.
	WouldRevoke bool
	// Halted is true once a due revocation was reported as held back by
	// the blast-radius cap (an enforcing policy), so it is reported once,
	// and again if the policy was in DryRun when WouldRevoke was reported.
	Halted bool
	// Revoked is true once a revocation of the identity was committed.
	Revoked bool
	// Held is true once a due revocation was held because workloads use
	// the identity, so the hold is reported once.
	Held bool
	// RevocationInProgress is true when a revocation of the identity was
	// reserved against the budget and not yet committed: finishing it
	// needs no new slot.
	RevocationInProgress bool
	// RevokedAt and RemovedBindings describe that revocation for people
	// (they are copied into annotations).
	RevokedAt       time.Time
	RemovedBindings string
	// UnusedSince is when Steward first saw the identity without a user
	// after it last saw one; zero while a workload uses it.
	UnusedSince time.Time
	// WarnedFor is the deadline of the identity's own that Steward last
	// warned about (a rotation, a scheduled revocation), so each deadline
	// is warned about once.
	WarnedFor time.Time
	// UsageDigest is a short digest of the workloads last seen using the
	// identity; empty when none did. A change is recorded in the decision
	// log.
	UsageDigest string
}

// Ref is the identity's kind and name.
func (i Identity) Ref() nhi.IdentityReference {
	return nhi.IdentityReference{Kind: i.Kind, Name: i.Name}
}

// Snapshot is everything Evaluate needs about one namespace.
//
// Its ownerships, exceptions and reviews may be a cache's own objects, read
// without copying: Evaluate never writes to them, and its Result shares no
// memory with them (TestEvaluateLeavesTheSnapshotAlone), so that a status
// patch built from a Result and decoded into cannot change the cache.
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
	// Budget is what the policy's blast-radius cap still allows in this
	// namespace; only read when the policy enforces.
	Budget Budget
	Now    time.Time
}

// Budget is the part of a policy's revocation budget one namespace may
// still spend now.
type Budget struct {
	// Remaining is how many new revocations may start now: the smaller of
	// the policy's and the namespace's remaining slots.
	Remaining int
	// FreesAt is when a slot frees up; zero when none is in use.
	FreesAt time.Time
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
