#!/usr/bin/env bash
# The reliability runs (test/reliability) on a fresh local control plane of
# their own: kill -9 during revocations, leader failover, API server restart.
#
#   hack/reliability.sh           # full scale (500 revocations); writes docs/reliability.md
#   hack/reliability.sh --quick   # the quick scale make test runs; prints the figures only
set -euo pipefail

SCALE=full
case "${1:-}" in
  "") ;;
  --quick) SCALE=quick ;;
  *) echo "usage: hack/reliability.sh [--quick]" >&2; exit 2 ;;
esac

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${REPO_ROOT}"

export STEWARD_CLUSTER_DIR="${STEWARD_CLUSTER_DIR:-${REPO_ROOT}/.local-cluster-reliability}"
BIN_DIR="$(hack/envtest-bins.sh | tail -n 1)"
OUT="$(mktemp -d)"
trap 'hack/local-cluster.sh down; rm -rf "${OUT}"' EXIT
cluster_env="$(hack/local-cluster.sh up)"   # fails the script if the control plane does not start
eval "$(tail -n 1 <<<"${cluster_env}")"
export KUBECTL="${BIN_DIR}/kubectl" KUBECONFIG RELIABILITY_SCALE="${SCALE}" RELIABILITY_REPORT="${OUT}/figures.md"
"${KUBECTL}" apply --server-side -k config/crd >/dev/null
"${KUBECTL}" wait --for=condition=Established --timeout=60s crd --all >/dev/null

go test -tags e2e -count=1 -timeout 30m ./test/reliability/ -v -ginkgo.v
if [[ "${SCALE}" != full ]]; then
  cat "${OUT}/figures.md"
  exit 0
fi

{
  echo "# Reliability"
  echo
  echo "Measured by \`hack/reliability.sh\` on $(date -u +%Y-%m-%d), on $(nproc) cores, against a"
  echo "local control plane on the same machine. \`make test\` runs the same scenarios"
  echo "at a smaller scale (test/reliability, RELIABILITY_SCALE=quick)."
  echo
  echo "- **crash**: an Enforce policy revokes (RemoveBindings) ServiceAccounts; the"
  echo "  manager is killed with \`kill -9\` five times at random points mid-run, then"
  echo "  restarted to finish. Checked: every identity revoked, every binding emptied,"
  echo "  exactly one Revoke line per identity across all the runs' decision logs."
  echo "- **failover**: two managers with leader election; the leader is killed with"
  echo "  \`kill -9\` mid-run. Checked: the other takes the lease and finishes, and no"
  echo "  revocation is recorded twice across both."
  echo "- **apiserver restart**: kube-apiserver is stopped and started again mid-run;"
  echo "  identities created after it returns must be evaluated by the same manager."
  echo
  cat "${OUT}/figures.md"
  echo
  echo "Events are sent asynchronously, from Steward's Event queue, so a \`kill -9\`"
  echo "can drop Events not yet sent; the decision log (written synchronously, just before the"
  echo "patch that commits a revocation) and the identity's \`steward.dev/revoked-at\`"
  echo "annotation are the records that survive a crash."
} > docs/reliability.md
echo "wrote docs/reliability.md"
