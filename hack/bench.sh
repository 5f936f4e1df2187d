#!/usr/bin/env bash
# make bench: measures Steward against the local control plane and writes the
# figures to docs/benchmarks.md, with the command that produced each section.
# Every goal is a ratio against a baseline measured in the same run, or an
# absolute bound from the design. Not part of make test: it takes 25 to 40
# minutes on 2 cores (about 7 to 12 per shape, the floor measured twice, plus
# 4 for the deadline and idle runs); --large about 30 on its own (17 to 27
# with --floor-after=false).
#
# Each shape of data set runs on a fresh control plane: the floor (a plain,
# unthrottled client-go program), Steward with default flags, then Steward at
# the floor's settings; on the hot shape a minute of churn; after the last
# shape the deadline and idle runs; then the floor again, the convergence
# ratios being against the mean of its two runs.
#
#   hack/bench.sh                      # hot, skewed and spread at 20,000 identities -> docs/benchmarks.md
#   hack/bench.sh --shape hot          # one shape (or a comma-separated list), with the deadline and
#                                      # idle runs; printed, or written with --out FILE
#   hack/bench.sh --large              # 100,000 identities over 1,000 namespaces -> docs/benchmarks-large.md
#   hack/bench.sh --shape hot --identities 2000 --idle 5s   # a quick look
#
# Other arguments go to the bench program (go run ./test/bench --help).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${REPO_ROOT}"

SHAPES=(hot skewed spread)
LARGE=0
OUT_FILE=""
SHAPE_GIVEN=0
ARGS=()
while (($#)); do
  case "$1" in
    --shape) IFS=, read -r -a SHAPES <<<"${2:?--shape needs a value}"; SHAPE_GIVEN=1; shift 2 ;;
    --shape=*) IFS=, read -r -a SHAPES <<<"${1#--shape=}"; SHAPE_GIVEN=1; shift ;;
    --large) LARGE=1; shift ;;
    --out) OUT_FILE="${2:?--out needs a file}"; shift 2 ;;
    --out=*) OUT_FILE="${1#--out=}"; shift ;;
    *) ARGS+=("$1"); shift ;;
  esac
done
# What the report names as its command: the arguments as given.
GIVEN_ARGS=("${ARGS[@]}")
if ((LARGE)); then
  ((SHAPE_GIVEN)) && { echo "bench: --large measures the spread shape only" >&2; exit 2; }
  SHAPES=(spread)
  # The floor-settings run only, then memory and deadlines; an hour at most
  # to converge. Seeding 150,000 objects is not timed.
  ARGS=(--identities 100000 --namespaces 1000 --default-run=false --idle 0 --goals large --timeout 60m
    "${ARGS[@]}")
  OUT_FILE="${OUT_FILE:-docs/benchmarks-large.md}"
elif ((!SHAPE_GIVEN)); then
  OUT_FILE="${OUT_FILE:-docs/benchmarks.md}"
fi

export STEWARD_CLUSTER_DIR="${STEWARD_CLUSTER_DIR:-${REPO_ROOT}/.local-cluster-bench}"
# etcd is compacted by bin/bench before each timed run (--etcd-url), never
# by the API server inside one (test/bench/compact.go says why).
export STEWARD_ETCD_COMPACTION_INTERVAL=0
BIN_DIR="$(hack/envtest-bins.sh | tail -n 1)"
export KUBECTL="${BIN_DIR}/kubectl"
OUT="$(mktemp -d)"
trap 'hack/local-cluster.sh down >/dev/null 2>&1 || true; rm -rf "${OUT}"' EXIT

step() { echo "[bench.sh $(date +%H:%M:%S)] ==> $*"; }

# MANAGER names a manager binary built elsewhere; by default bin/manager is
# built from this tree, so that the figures are of the code at hand.
MANAGER="${MANAGER:-}"
if [[ -z "${MANAGER}" ]]; then
  step "building bin/manager"
  go build -o bin/manager ./cmd
  MANAGER=bin/manager
fi
step "building bin/bench"
go build -o bin/bench ./test/bench
START=${SECONDS}

if ((!SHAPE_GIVEN && !LARGE)); then
  step "engine: the pure evaluator on 100,000 identities and 1,000 ownerships"
  go test ./internal/governance/ -run '^$' -bench BenchmarkEvaluate100kIdentities1kOwnerships -benchtime 20x \
    -cpu 1 -count 3 -benchmem | tee "${OUT}/engine.txt"
fi

for i in "${!SHAPES[@]}"; do
  shape="${SHAPES[$i]}"
  phase_args=()
  if ((i < ${#SHAPES[@]} - 1)); then
    # The deadline and idle runs follow the last shape only, whatever the
    # arguments say (they come last, and the last of a flag wins).
    phase_args=(--deadlines 0 --idle 0)
  fi
  if ((LARGE)); then
    command="hack/bench.sh --large${GIVEN_ARGS[*]:+ ${GIVEN_ARGS[*]}}"
  else
    command="hack/bench.sh --shape ${shape}${ARGS[*]:+ ${ARGS[*]}}${phase_args[*]:+ ${phase_args[*]}}"
  fi
  step "shape ${shape} ($((i + 1))/${#SHAPES[@]}): a fresh local control plane"
  hack/local-cluster.sh down >/dev/null 2>&1 || true
  cluster_env="$(hack/local-cluster.sh up)" # fails the script if the control plane does not start
  eval "$(tail -n 1 <<<"${cluster_env}")"
  export KUBECONFIG
  "${KUBECTL}" apply --server-side -k config/crd >/dev/null
  "${KUBECTL}" wait --for=condition=Established --timeout=60s crd --all >/dev/null
  step "shape ${shape}: seed, floor, memory baseline, Steward (${command})"
  bin/bench --kubeconfig "${KUBECONFIG}" --etcd-url "$(cat "${STEWARD_CLUSTER_DIR}/etcd-url")" \
    --manager "${MANAGER}" --shape "${shape}" "${ARGS[@]}" "${phase_args[@]}" \
    --command "${command}" --report "${OUT}/${shape}.md" | tee "${OUT}/${shape}.txt"
  step "shape ${shape} done ($(((SECONDS - START) / 60)) min so far)"
done

{
  echo "# Benchmarks"
  echo
  if ((LARGE)); then
    echo "Large clusters, opt-in: measured by \`hack/bench.sh --large\` on $(date -u +%Y-%m-%d),"
  else
    echo "Measured by \`make bench\` (\`hack/bench.sh${ARGS[*]:+ ${ARGS[*]}}\`) on $(date -u +%Y-%m-%d),"
  fi
  echo "on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), against a local"
  echo "control plane (kube-apiserver $("${BIN_DIR}/kube-apiserver" --version | cut -d' ' -f2), etcd"
  echo "$("${BIN_DIR}/etcd" --version | sed -n 's/^etcd Version: //p')) on the same machine, started afresh for each shape;"
  echo "$(((SECONDS - START) / 60)) minutes in all. Absolute times drift on a shared machine; the goals are"
  echo "ratios against baselines measured in the same run, or bounds from the design."
  echo
  echo "How the figures are taken:"
  echo
  echo "- **Floor**: a plain client-go program with no client-side rate limit and"
  echo "  as many workers as Steward's \`--max-concurrent-reconciles\` (\`--concurrency\`,"
  echo "  4 as the manager's default) lists the identities and issues exactly one"
  echo "  metadata patch per identity. It is what any controller must at least do."
  echo "  Its time runs from its list until a watch of its own sees every identity"
  echo "  carry what it wrote, as Steward's does: both runs are observed at the same"
  echo "  cost to the API server. It runs twice, before Steward's runs and after them"
  echo "  (their manager stopped; what the churn and deadline runs added deleted, and"
  echo "  Steward's keys and its own removed first), and the ratios are against the"
  echo "  mean of the two: the host's speed drifts within a run."
  if [[ " ${ARGS[*]} " == *" --floor-after=false "* ]]; then
    echo "  In this run it ran once (\`--floor-after=false\`), before Steward's."
  fi
  echo "- **Steward at the floor's settings**: \`bin/manager --kube-api-qps=-1"
  echo "  --max-concurrent-reconciles=<concurrency>\` (a negative QPS gives client-go no"
  echo "  rate limiter). **With default flags**: no QPS, burst or concurrency flags."
  echo "  Both run on the same seeded data set, one after the other (default flags"
  echo "  first); in between the bench removes Steward's traces: its Ledgers, any"
  echo "  reports, and every \`steward.dev/\` label and annotation on the identities."
  echo "  Both have \`--decision-log=none\` and a plain-HTTP metrics endpoint. Time runs"
  echo "  from the manager's start (cache sync included) until a watch sees every"
  echo "  identity carry its correct \`steward.dev/state\`."
  echo "- **etcd's history** is compacted before each timed run (floor,"
  echo "  Steward's convergence, churn, deadlines), and the API server's own"
  echo "  compaction every five minutes is off (\`--etcd-compaction-interval=0\`):"
  echo "  otherwise a compaction falls inside one run or another, and that run"
  echo "  pays for the revisions the runs before it wrote."
  echo "- **Writes** are the manager's own mutating requests"
  echo "  (\`steward_api_writes_total\`) up to convergence and until they stop."
  echo "  Identity patches are PATCHes of ServiceAccounts and Secrets themselves;"
  echo "  necessary patches are the identities whose Steward metadata had to"
  echo "  change (on convergence, every identity of the data set)."
  echo "- **Memory**: peak RSS is the kernel's VmHWM of the floor-settings manager"
  echo "  over every phase of its invocation; the baseline is a separate process"
  echo "  holding a plain informer of the full Secrets, measured once per shape."
  echo "- **Churn** (hot shape): after convergence at the floor's settings, the"
  echo "  bench creates identities at a steady rate and renames those an ownership"
  echo "  lists. Latency runs from just before each Create (or update) to a watch"
  echo "  seeing the identity's correct \`steward.dev/state\` annotation and"
  echo "  \`steward.dev/finding\` label. CPU is the manager's"
  echo "  \`process_cpu_seconds_total\` over the churn and until its writes stop,"
  echo "  per change (creations plus ownership updates)."
  echo "- **Engine**: \`go test ./internal/governance/ -run '^\$' -bench"
  echo "  BenchmarkEvaluate100kIdentities1kOwnerships -benchtime 20x -cpu 1 -count 3"
  echo "  -benchmem\`: three runs of 20 evaluations on one core (\`-cpu 1\`), so"
  echo "  ns/op includes the collector's work; cpu-ns/op is the process's CPU time."
  echo "- **Deadline latency** runs from an ownership's \`expiresAt\` to a watch"
  echo "  seeing the \`steward.dev/finding=expired\` label; **idle writes** are"
  echo "  counted over a quiet period after it."
  echo
  echo "[performance.md](performance.md) records earlier runs and what they changed."
  echo
  for shape in "${SHAPES[@]}"; do
    cat "${OUT}/${shape}.md"
    echo
  done
  if [[ -f "${OUT}/engine.txt" ]]; then
    echo "## Engine"
    echo
    echo '```'
    grep -E '^(Benchmark|goos|goarch|cpu)' "${OUT}/engine.txt"
    echo '```'
  fi
} > "${OUT}/benchmarks.md"

if [[ -n "${OUT_FILE}" ]]; then
  cp "${OUT}/benchmarks.md" "${OUT_FILE}"
  step "wrote ${OUT_FILE} ($(((SECONDS - START) / 60)) min)"
else
  cat "${OUT}/benchmarks.md"
  step "done ($(((SECONDS - START) / 60)) min; --out FILE keeps the Markdown)"
fi
