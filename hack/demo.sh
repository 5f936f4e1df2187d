#!/usr/bin/env bash
# The Steward demo: starts a local control plane, installs the CRDs, applies
# the payments-team samples, shows what Steward sees, and stops everything it
# started, whatever the outcome.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${REPO_ROOT}"

export STEWARD_CLUSTER_DIR="${STEWARD_CLUSTER_DIR:-${REPO_ROOT}/.local-cluster-demo}"
BIN_DIR="$(hack/envtest-bins.sh | tail -n 1)"
KUBECTL="${BIN_DIR}/kubectl"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

cleanup() {
  step "Stopping everything the demo started"
  hack/local-cluster.sh down
}
trap cleanup EXIT

step "Starting a local control plane (etcd, kube-apiserver, kube-controller-manager)"
eval "$(hack/local-cluster.sh up | tail -n 1)"
export KUBECONFIG

step "Installing Steward's CRDs"
"${KUBECTL}" apply --server-side -k config/crd
"${KUBECTL}" wait --for=condition=Established --timeout=60s \
  crd/identityownerships.nhi.steward.dev crd/ownershippolicies.nhi.steward.dev \
  crd/ownershipexceptions.nhi.steward.dev crd/ownershipreviews.nhi.steward.dev

step "Applying the payments-team samples (config/samples)"
"${KUBECTL}" apply -k config/samples

step "Every Steward object: kubectl get steward -A"
"${KUBECTL}" get steward -A

step "A bad manifest is refused with a message naming the field"
"${KUBECTL}" apply -f - <<'YAML' || true
apiVersion: nhi.steward.dev/v1alpha1
kind: IdentityOwnership
metadata: {name: self-approved, namespace: payments}
spec:
  identities: [{kind: ServiceAccount, name: payments-api}]
  owner: {team: payments, contacts: [alice.nguyen@example.com]}
  purpose: Checkout
  approval: {approvedBy: alice.nguyen@example.com, approvedAt: "2026-09-01T00:00:00Z", reference: SEC-1}
  expiresAt: "2027-01-01T00:00:00Z"
YAML
