#!/usr/bin/env bash
# Runs the e2e suite (test/e2e) against a local control plane started for it
# and stopped afterwards, whatever the outcome.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${REPO_ROOT}"

export STEWARD_CLUSTER_DIR="${STEWARD_CLUSTER_DIR:-${REPO_ROOT}/.local-cluster-e2e}"
BIN_DIR="$(hack/envtest-bins.sh | tail -n 1)"
trap 'hack/local-cluster.sh down' EXIT
cluster_env="$(hack/local-cluster.sh up)"   # fails the script if the control plane does not start
eval "$(tail -n 1 <<<"${cluster_env}")"

export KUBECTL="${BIN_DIR}/kubectl" KUBECONFIG
go test -tags e2e -count=1 -timeout 30m ./test/e2e/ -v -ginkgo.v "$@"
