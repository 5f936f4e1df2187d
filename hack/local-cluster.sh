#!/usr/bin/env bash
# Starts or stops a real Kubernetes control plane on loopback: etcd,
# kube-apiserver (RBAC, service-account token signing, TokenRequest) and
# kube-controller-manager (garbage collection, namespace deletion, token
# controllers). No container runtime, no nodes, no internet.
#
#   hack/local-cluster.sh up     # idempotent; last line: export KUBECONFIG=<path>
#   hack/local-cluster.sh down   # stops what `up` started and removes its state
#   hack/local-cluster.sh status
#   hack/local-cluster.sh restart-apiserver   # for reliability tests
#
# State lives in $STEWARD_CLUSTER_DIR (default: .local-cluster in the
# repository). Ports are picked free at random unless given as
# ETCD_PORT, APISERVER_PORT or CONTROLLER_MANAGER_PORT.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE_DIR="${STEWARD_CLUSTER_DIR:-${REPO_ROOT}/.local-cluster}"
KUBECONFIG_PATH="${STATE_DIR}/admin.kubeconfig"
COMPONENTS=(etcd kube-apiserver kube-controller-manager)

log() { echo "[local-cluster] $*" >&2; }
die() { log "error: $*"; exit 1; }

pid_of() { cat "${STATE_DIR}/$1.pid" 2>/dev/null || true; }

# running COMPONENT succeeds when the process recorded for it is alive and is
# still that component (the pid was not recycled by something else).
running() {
  local pid; pid="$(pid_of "$1")"
  [[ -n "${pid}" ]] && [[ -r "/proc/${pid}/cmdline" ]] && tr '\0' ' ' <"/proc/${pid}/cmdline" | grep -q -- "$1"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

declare -a TAKEN_PORTS=()
pick_port() {
  local wanted="${1:-}" p
  if [[ -n "${wanted}" ]]; then
    port_in_use "${wanted}" && die "port ${wanted} is already in use; unset it to pick a free port"
    echo "${wanted}"; return
  fi
  for _ in $(seq 100); do
    p=$((20000 + RANDOM % 12000)) # below the ephemeral range (32768+) outgoing connections use
    [[ " ${TAKEN_PORTS[*]} " == *" ${p} "* ]] && continue
    port_in_use "${p}" || { echo "${p}"; return; }
  done
  die "could not find a free port on 127.0.0.1 after 100 tries"
}

kubectl_() { "${BIN_DIR}/kubectl" --kubeconfig "${KUBECONFIG_PATH}" "$@"; }

write_pki() {
  local pki="${STATE_DIR}/pki"
  mkdir -p "${pki}"
  (
    cd "${pki}"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=steward-local-ca" \
      -keyout ca.key -out ca.crt 2>/dev/null
    cert() { # name subject [san]
      openssl req -newkey rsa:2048 -nodes -subj "$2" -keyout "$1.key" -out "$1.csr" 2>/dev/null
      if [[ -n "${3:-}" ]]; then
        printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth,clientAuth\n' "$3" >"$1.ext"
      else
        printf 'extendedKeyUsage=clientAuth\n' >"$1.ext"
      fi
      openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
        -extfile "$1.ext" -out "$1.crt" 2>/dev/null
    }
    cert apiserver "/CN=kube-apiserver" "IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc"
    cert admin "/O=system:masters/CN=steward-admin"
    cert controller-manager "/CN=system:kube-controller-manager"
    openssl genrsa -out sa.key 2048 2>/dev/null
    openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
  )
}

write_kubeconfig() { # path user
  local pki="${STATE_DIR}/pki"
  cat >"$1" <<KCFG
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: https://127.0.0.1:${APISERVER_PORT}
    certificate-authority: ${pki}/ca.crt
users:
- name: $2
  user:
    client-certificate: ${pki}/$2.crt
    client-key: ${pki}/$2.key
contexts:
- name: local
  context: {cluster: local, user: $2, namespace: default}
current-context: local
KCFG
}

start() { # component args...
  local name="$1"; shift
  printf '%s\n' "$@" >"${STATE_DIR}/${name}.args"
  setsid nohup "${BIN_DIR}/${name}" "$@" >"${STATE_DIR}/logs/${name}.log" 2>&1 </dev/null &
  echo $! >"${STATE_DIR}/${name}.pid"
}

wait_for() { # component description timeout-seconds command...
  local component="$1" what="$2" timeout="$3"; shift 3
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if ! running "${component}"; then
      log "${component} exited while waiting for ${what}; last log lines:"
      tail -n 20 "${STATE_DIR}/logs/${component}.log" >&2 || true
      return 1
    fi
    if ((SECONDS > deadline)); then
      log "timed out after ${timeout}s waiting for ${what}; last log lines:"
      tail -n 20 "${STATE_DIR}"/logs/*.log >&2 || true
      return 1
    fi
    sleep 0.5
  done
}

up() {
  local attempt
  for attempt in 1 2 3; do
    if start_cluster; then
      return 0
    fi
    down_quietly
    log "start attempt ${attempt} failed; retrying with other ports"
    TAKEN_PORTS=()
    unset ETCD_PORT APISERVER_PORT CONTROLLER_MANAGER_PORT
  done
  die "could not start a control plane; see the log lines above"
}

# start_cluster starts the three components once; it returns non-zero, with
# nothing left running, when any of them does not come up. (It runs where
# set -e does not apply, so every step checks its own result.)
start_cluster() (
  BIN_DIR="$("${REPO_ROOT}/hack/envtest-bins.sh" | tail -n 1)"
  local all=1 c
  for c in "${COMPONENTS[@]}"; do running "$c" || all=0; done
  if ((all)) && kubectl_ get --raw /readyz >/dev/null 2>&1; then
    log "already running (state in ${STATE_DIR})"
    echo "export KUBECONFIG=${KUBECONFIG_PATH}"
    return
  fi
  # A half-started or crashed cluster is torn down and started afresh, and a
  # start that fails leaves nothing running behind it.
  down_quietly
  mkdir -p "${STATE_DIR}/logs"
  log "starting a control plane from ${BIN_DIR}"

  ETCD_PORT="$(pick_port "${ETCD_PORT:-}")"; TAKEN_PORTS+=("${ETCD_PORT}")
  local etcd_peer_port; etcd_peer_port="$(pick_port)"; TAKEN_PORTS+=("${etcd_peer_port}")
  APISERVER_PORT="$(pick_port "${APISERVER_PORT:-}")"; TAKEN_PORTS+=("${APISERVER_PORT}")
  CONTROLLER_MANAGER_PORT="$(pick_port "${CONTROLLER_MANAGER_PORT:-}")"; TAKEN_PORTS+=("${CONTROLLER_MANAGER_PORT}")

  write_pki || { log "openssl failed to write the certificates"; return 1; }
  write_kubeconfig "${KUBECONFIG_PATH}" admin
  write_kubeconfig "${STATE_DIR}/controller-manager.kubeconfig" controller-manager
  local pki="${STATE_DIR}/pki"

  # etcd's backend quota is raised from its 2 GiB default to 8 GiB: each pass
  # over the large bench's 50,000 Secrets of 32 KiB writes 1.6 GB of revisions.
  start etcd --name local --data-dir "${STATE_DIR}/etcd" --quota-backend-bytes 8589934592 \
    --listen-client-urls "http://127.0.0.1:${ETCD_PORT}" --advertise-client-urls "http://127.0.0.1:${ETCD_PORT}" \
    --listen-peer-urls "http://127.0.0.1:${etcd_peer_port}" --initial-advertise-peer-urls "http://127.0.0.1:${etcd_peer_port}" \
    --initial-cluster "local=http://127.0.0.1:${etcd_peer_port}" --unsafe-no-fsync --log-level warn
  wait_for etcd "etcd on port ${ETCD_PORT}" 30 port_in_use "${ETCD_PORT}" || return 1
  echo "http://127.0.0.1:${ETCD_PORT}" >"${STATE_DIR}/etcd-url"

  # STEWARD_ETCD_COMPACTION_INTERVAL, when set, replaces the API server's
  # --etcd-compaction-interval (5m); the bench sets 0 and compacts etcd
  # itself between its timed runs.
  local compaction=()
  if [[ -n "${STEWARD_ETCD_COMPACTION_INTERVAL:-}" ]]; then
    compaction=(--etcd-compaction-interval "${STEWARD_ETCD_COMPACTION_INTERVAL}")
  fi

  start kube-apiserver --etcd-servers "http://127.0.0.1:${ETCD_PORT}" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "${APISERVER_PORT}" \
    --tls-cert-file "${pki}/apiserver.crt" --tls-private-key-file "${pki}/apiserver.key" \
    --client-ca-file "${pki}/ca.crt" --authorization-mode RBAC \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "${pki}/sa.pub" --service-account-signing-key-file "${pki}/sa.key" \
    --service-cluster-ip-range 10.96.0.0/16 --allow-privileged=true \
    --endpoint-reconciler-type none "${compaction[@]}"
  wait_for kube-apiserver "kube-apiserver on port ${APISERVER_PORT}" 90 kubectl_ get --raw /readyz || return 1

  local kcm_kubeconfig="${STATE_DIR}/controller-manager.kubeconfig"
  start kube-controller-manager --kubeconfig "${kcm_kubeconfig}" \
    --authentication-kubeconfig "${kcm_kubeconfig}" --authorization-kubeconfig "${kcm_kubeconfig}" \
    --bind-address 127.0.0.1 --secure-port "${CONTROLLER_MANAGER_PORT}" \
    --service-account-private-key-file "${pki}/sa.key" --root-ca-file "${pki}/ca.crt" \
    --use-service-account-credentials=true --leader-elect=false --controllers '*'
  # The service-account controller creating `default` proves the controller
  # manager is up and acting.
  wait_for kube-controller-manager "kube-controller-manager to create the default ServiceAccount" 90 \
    kubectl_ get serviceaccount default --namespace default || return 1

  log "control plane ready: apiserver https://127.0.0.1:${APISERVER_PORT}, logs in ${STATE_DIR}/logs"
  echo "export KUBECONFIG=${KUBECONFIG_PATH}"
)

down_quietly() {
  local c pid
  [[ -d "${STATE_DIR}" ]] || return 0
  for c in kube-controller-manager kube-apiserver etcd; do
    if running "$c"; then
      pid="$(pid_of "$c")"
      kill "${pid}" 2>/dev/null || true
      for _ in $(seq 50); do running "$c" || break; sleep 0.2; done
      running "$c" && kill -9 "${pid}" 2>/dev/null || true
    fi
  done
  rm -rf "${STATE_DIR}"
}

down() {
  if [[ ! -d "${STATE_DIR}" ]]; then
    log "nothing to stop (${STATE_DIR} does not exist)"
    return
  fi
  down_quietly
  log "stopped and removed ${STATE_DIR}"
}

# restart_apiserver kills kube-apiserver and starts it again with the same
# flags, for tests of how clients recover from an API server restart.
restart_apiserver() {
  [[ -f "${STATE_DIR}/kube-apiserver.args" ]] || die "no local control plane in ${STATE_DIR}"
  BIN_DIR="$("${REPO_ROOT}/hack/envtest-bins.sh" --print-dir)"
  local pid; pid="$(pid_of kube-apiserver)"
  if running kube-apiserver; then
    kill "${pid}"
    for _ in $(seq 100); do running kube-apiserver || break; sleep 0.1; done
  fi
  local args=()
  mapfile -t args <"${STATE_DIR}/kube-apiserver.args"
  start kube-apiserver "${args[@]}"
  wait_for kube-apiserver "kube-apiserver to come back" 90 kubectl_ get --raw /readyz
  log "kube-apiserver restarted"
}

status() {
  local c
  for c in "${COMPONENTS[@]}"; do
    if running "$c"; then echo "$c: running (pid $(pid_of "$c"))"; else echo "$c: stopped"; fi
  done
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  restart-apiserver) restart_apiserver ;;
  *) echo "usage: $0 up|down|status|restart-apiserver" >&2; exit 2 ;;
esac
