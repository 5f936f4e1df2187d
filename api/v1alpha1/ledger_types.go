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

package v1alpha1

import (
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// Ledger names. A namespace's ledger is named LedgerPrefixNamespace + the
// namespace; a policy's revocation budget LedgerPrefixPolicy + the policy.
// A namespace with more identities than one ledger holds (LedgerCapacity)
// continues in shards named after its ledger: ns.NAMESPACE.1, .2, and so on.
const (
	LedgerPrefixNamespace = "ns."
	LedgerPrefixPolicy    = "policy."
)

// LedgerCapacity is how many identity entries one Ledger object holds: at
// most about 130 bytes each, so a full ledger stays well under etcd's 1.5 MiB
// limit on an object, with room for the revocation records.
const LedgerCapacity = 6000

// LedgerStatus holds Steward's own records: the facts it acts on. Only
// Steward writes it (the status subresource, in Steward's own namespace);
// labels and annotations on identities are copies for people and are never
// read back. See docs/security.md. Its maps are atomic to the API server's
// field tracking: Steward, their only writer, changes single entries by merge
// patch, and maps tracked key by key made a ledger's managedFields as large
// as its records, written again with every patch.
type LedgerStatus struct {
	// identities maps the UID of each governed identity of the namespace to
	// its recorded state and the instant it entered it, as
	// "State@unixSeconds". Grace periods count from that instant.
	// +optional
	// +mapType=atomic
	// +kubebuilder:validation:MaxProperties=30000
	Identities map[string]string `json:"identities,omitempty"`
	// shards is, on a namespace's first ledger, how many more ledgers hold
	// the rest of the namespace's identities: NAME.1 to NAME.shards. Shards
	// are never removed, so that no record is ever lost from view.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=1000
	Shards int32 `json:"shards,omitempty"`
	// revocations maps the UID of each identity Steward is revoking or has
	// revoked to the record of that revocation.
	// +optional
	// +mapType=atomic
	// +kubebuilder:validation:MaxProperties=10000
	Revocations map[string]RevocationRecord `json:"revocations,omitempty"`
	// budget lists the revocations counted against a policy's blast-radius
	// cap in the last hour (policy ledgers only).
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=20000
	Budget []BudgetEntry `json:"budget,omitempty"`
}

// RevocationRecord is one revocation as Steward carried it out.
type RevocationRecord struct {
	// kind of the identity.
	// +required
	Kind IdentityKind `json:"kind"`
	// name of the identity.
	// +required
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`
	// id identifies the revocation in Events and the decision log.
	// +required
	// +kubebuilder:validation:MaxLength=128
	ID string `json:"id"`
	// policy under which it was revoked.
	// +required
	// +kubebuilder:validation:MaxLength=253
	Policy string `json:"policy"`
	// reason is the finding (or review) the revocation answers.
	// +optional
	// +kubebuilder:validation:MaxLength=64
	Reason string `json:"reason,omitempty"`
	// reservedAt is when the revocation was counted against the cap.
	// +required
	ReservedAt metav1.Time `json:"reservedAt"`
	// revokedAt is when the revocation was committed; unset while it is in
	// progress.
	// +optional
	RevokedAt *metav1.Time `json:"revokedAt,omitempty"`
	// removedBindings are the binding subjects RemoveBindings removed, so
	// that access can be restored after re-approval.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=1024
	RemovedBindings []RemovedBinding `json:"removedBindings,omitempty"`
	// residualAccess lists access that revocation could not remove: bindings
	// that reach the identity through a group.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=256
	ResidualAccess []string `json:"residualAccess,omitempty"`
}

// RemovedBinding is one subject removed from one binding.
type RemovedBinding struct {
	// kind is RoleBinding or ClusterRoleBinding.
	// +required
	// +kubebuilder:validation:Enum=RoleBinding;ClusterRoleBinding
	Kind string `json:"kind"`
	// namespace of a RoleBinding; empty for a ClusterRoleBinding.
	// +optional
	Namespace string `json:"namespace,omitempty"`
	// name of the binding.
	// +required
	Name string `json:"name"`
	// uid of the binding: a restore re-adds the subject only to this very
	// object, never to a namesake created later.
	// +required
	UID types.UID `json:"uid"`
	// roleRef of the binding when the subject was removed.
	// +required
	RoleRef rbacv1.RoleRef `json:"roleRef"`
	// subject removed (a ServiceAccount, or the User
	// system:serviceaccount:NAMESPACE:NAME).
	// +required
	Subject rbacv1.Subject `json:"subject"`
}

// BudgetEntry is one revocation counted against a policy's cap.
type BudgetEntry struct {
	// namespace of the revoked identity.
	// +required
	Namespace string `json:"namespace"`
	// uid of the revoked identity.
	// +required
	UID types.UID `json:"uid"`
	// at is when it was counted.
	// +required
	At metav1.Time `json:"at"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=sled
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`

// Ledger is Steward's own record of the facts it acts on: each identity's
// state and grace clock, each revocation and what it removed, each policy's
// revocation budget. Ledgers live only in Steward's namespace, only Steward
// writes them, and Steward reads them from nowhere else.
type Ledger struct {
	metav1.TypeMeta `json:",inline"`
	// metadata is a standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitzero"`
	// status holds the records.
	// +optional
	Status LedgerStatus `json:"status,omitzero"`
}

// +kubebuilder:object:root=true

// LedgerList contains a list of Ledger.
type LedgerList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitzero"`
	Items           []Ledger `json:"items"`
}

func init() {
	register(&Ledger{}, &LedgerList{})
}
