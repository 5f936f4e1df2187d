#!/usr/bin/env bash
# make bench: measures Steward against the local control plane and writes the
# figures to docs/benchmarks.md, with the command that produced them. Every
# goal is a ratio against a baseline measured in the same run, or an absolute
# bound from the design. Not part of make test: it takes about 10 minutes.
#
# Extra arguments go to the bench program (test/bench), e.g.
#   hack/bench.sh --namespaces 10 --idle 10s     # a quick look
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${REPO_ROOT}"

export STEWARD_CLUSTER_DIR="${STEWARD_CLUSTER_DIR:-${REPO_ROOT}/.local-cluster-bench}"
BIN_DIR="$(hack/envtest-bins.sh | tail -n 1)"
export KUBECTL="${BIN_DIR}/kubectl"
OUT="$(mktemp -d)"
trap 'hack/local-cluster.sh down; rm -rf "${OUT}"' EXIT

go build -o bin/bench ./test/bench

echo "==> engine: the pure evaluator on 100,000 identities and 1,000 ownerships"
go test ./internal/governance/ -run '^$' -bench BenchmarkEvaluate100kIdentities1kOwnerships -benchtime 5x -benchmem \
  | tee "${OUT}/engine.txt"

echo "==> a fresh local control plane"
cluster_env="$(hack/local-cluster.sh up)"   # fails the script if the control plane does not start
eval "$(tail -n 1 <<<"${cluster_env}")"
export KUBECONFIG
"${KUBECTL}" apply --server-side -k config/crd >/dev/null
"${KUBECTL}" wait --for=condition=Established --timeout=60s crd --all >/dev/null

echo "==> convergence, memory, deadlines, idle"
bin/bench --kubeconfig "${KUBECONFIG}" --manager bin/manager --report "${OUT}/figures.md" "$@" | tee "${OUT}/figures.txt"

{
  echo "# Benchmarks"
  echo
  echo "Measured by \`make bench\` (\`hack/bench.sh${*:+ $*}\`) on $(date -u +%Y-%m-%d),"
  echo "on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), against a local"
  echo "control plane (kube-apiserver $("${BIN_DIR}/kube-apiserver" --version | cut -d' ' -f2), etcd) on the same machine."
  echo "Absolute times drift on a shared machine; the goals are ratios against baselines"
  echo "measured in the same run, or bounds from the design."
  echo
  echo "## Figures"
  echo
  cat "${OUT}/figures.md"
  echo
  echo "The baseline is a plain client-go program that lists the identities and issues"
  echo "exactly one metadata patch per identity, at the same QPS, burst and concurrency"
  echo "as Steward's defaults. Steward's time runs from the manager's start (cache sync"
  echo "included) until every identity carries its correct state. Writes are the"
  echo "manager's own mutating requests (client-go's \`rest_client_requests_total\`)."
  echo "Peak RSS is the kernel's VmHWM. Deadline latency runs from an ownership's"
  echo "\`expiresAt\` to a watch seeing the \`steward.dev/finding=expired\` label."
  echo
  echo "[performance.md](performance.md) records earlier runs and what they changed."
  echo
  echo "## Engine"
  echo
  echo '```'
  grep -E '^(Benchmark|goos|goarch|cpu)' "${OUT}/engine.txt"
  echo '```'
} > docs/benchmarks.md
echo "==> wrote docs/benchmarks.md"
