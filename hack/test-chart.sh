#!/usr/bin/env bash
# Tests the Helm chart (charts/steward) with the real helm and kubectl: the
# suite in test/chart lints it, compares it with config/default (the drift
# test), and installs it on a local control plane started for it and
# stopped afterwards, whatever the outcome.
#
# Arguments are passed to the suite, e.g. -ginkgo.label-filter='!cluster'
# runs only the specs that need no cluster (the drift test).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${REPO_ROOT}"

export STEWARD_CLUSTER_DIR="${STEWARD_CLUSTER_DIR:-${REPO_ROOT}/.local-cluster-chart}"
BIN_DIR="$(hack/envtest-bins.sh | tail -n 1)"
HELM="$(hack/tools.sh helm | tail -n 1)"
export HELM KUBECTL="${BIN_DIR}/kubectl"

trap 'hack/local-cluster.sh down' EXIT
cluster_env="$(hack/local-cluster.sh up)"   # fails the script if the control plane does not start
eval "$(tail -n 1 <<<"${cluster_env}")"
export KUBECONFIG

go test -tags chart -count=1 -timeout 15m ./test/chart/ -v -ginkgo.v "$@"
