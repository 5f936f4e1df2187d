#!/usr/bin/env bash
# Builds (or reuses) the control-plane binaries that envtest, the e2e suite and
# `make demo` run: etcd, kube-apiserver, kube-controller-manager and kubectl.
#
# envtest's usual download needs the internet; these binaries build from the
# Go module proxy instead. They are cached outside the repository, keyed by
# version, so clean clones and CI runs on the same machine reuse them.
#
# The last line of output is the directory holding the four binaries.
# With --print-dir it only prints that directory, building nothing.
set -euo pipefail

K8S_VERSION="${K8S_VERSION:-1.37.2}"
ETCD_VERSION="${ETCD_VERSION:-3.6.16}"
CACHE_ROOT="${STEWARD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/steward}"
BIN_DIR="${CACHE_ROOT}/envtest/k8s-v${K8S_VERSION}-etcd-v${ETCD_VERSION}-$(go env GOOS)-$(go env GOARCH)"
WORK_DIR="${CACHE_ROOT}/envtest/src"
BINARIES=(etcd kube-apiserver kube-controller-manager kubectl)

if [[ "${1:-}" == "--print-dir" ]]; then
  echo "${BIN_DIR}"
  exit 0
fi

log() { echo "[envtest-bins $(date +%H:%M:%S)] $*" >&2; }

all_present() {
  local b
  for b in "${BINARIES[@]}"; do [[ -x "${BIN_DIR}/${b}" ]] || return 1; done
}

# shellcheck source=lib/heartbeat.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/heartbeat.sh"

if all_present; then
  echo "${BIN_DIR}"
  exit 0
fi

# Serialise concurrent builds (two clones building at once share the cache).
mkdir -p "${CACHE_ROOT}/envtest"
exec 9>"${CACHE_ROOT}/envtest/.lock"
flock 9
if all_present; then
  echo "${BIN_DIR}"
  exit 0
fi

log "building control-plane binaries k8s v${K8S_VERSION}, etcd v${ETCD_VERSION} into ${BIN_DIR}"
log "a cold build takes about 12 minutes on 2 cores; later runs reuse the cache"
mkdir -p "${BIN_DIR}" "${WORK_DIR}"
export GOFLAGS="-mod=mod" CGO_ENABLED=0

# --- kube-apiserver, kube-controller-manager, kubectl ---------------------
K8S_SRC="${WORK_DIR}/k8s-v${K8S_VERSION}"
mkdir -p "${K8S_SRC}/kube-apiserver" "${K8S_SRC}/kube-controller-manager" "${K8S_SRC}/kubectl"
cat >"${K8S_SRC}/kube-apiserver/main.go" <<'GO'
package main

import (
	"os"

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() { os.Exit(cli.Run(app.NewAPIServerCommand())) }
GO
cat >"${K8S_SRC}/kube-controller-manager/main.go" <<'GO'
package main

import (
	"os"

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	"k8s.io/kubernetes/cmd/kube-controller-manager/app"
)

func main() { os.Exit(cli.Run(app.NewControllerManagerCommand())) }
GO
cat >"${K8S_SRC}/kubectl/main.go" <<'GO'
package main

import (
	"k8s.io/component-base/cli"
	"k8s.io/kubectl/pkg/cmd"
	"k8s.io/kubectl/pkg/cmd/util"
)

func main() {
	if err := cli.RunNoErrOutput(cmd.NewDefaultKubectlCommand()); err != nil {
		util.CheckErr(err)
	}
}
GO

if [[ ! -f "${K8S_SRC}/go.sum" ]]; then
  log "resolving k8s.io/kubernetes v${K8S_VERSION} and its staging modules"
  (
    cd "${K8S_SRC}"
    rm -f go.mod
    go mod init steward.dev/envtest-bins >/dev/null 2>&1
    k8s_gomod="$(go mod download -json "k8s.io/kubernetes@v${K8S_VERSION}" | sed -n 's/.*"GoMod": "\(.*\)",*/\1/p')"
    # k8s.io/kubernetes replaces its staging modules with local paths; point
    # each at the published module of the matching v0 version instead.
    staging_version="v0.${K8S_VERSION#1.}"
    grep -oE '^[[:space:]]*k8s.io/[a-z0-9-]+ => \./staging' "${k8s_gomod}" | awk '{print $1}' | sort -u |
      while read -r mod; do
        go mod edit -replace "${mod}=${mod}@${staging_version}"
      done
    go mod edit -require "k8s.io/kubernetes@v${K8S_VERSION}"
    go mod tidy >&2
  )
fi

major="${K8S_VERSION%%.*}"; rest="${K8S_VERSION#*.}"; minor="${rest%%.*}"
K8S_LDFLAGS="-s -w \
 -X k8s.io/component-base/version.gitVersion=v${K8S_VERSION} \
 -X k8s.io/component-base/version.gitMajor=${major} \
 -X k8s.io/component-base/version.gitMinor=${minor} \
 -X k8s.io/component-base/version.gitTreeState=clean \
 -X k8s.io/client-go/pkg/version.gitVersion=v${K8S_VERSION} \
 -X k8s.io/client-go/pkg/version.gitMajor=${major} \
 -X k8s.io/client-go/pkg/version.gitMinor=${minor}"

for b in kube-apiserver kube-controller-manager kubectl; do
  if [[ ! -x "${BIN_DIR}/${b}" ]]; then
    log "building ${b} v${K8S_VERSION}"
    (cd "${K8S_SRC}" && run_with_heartbeat "${b}" go build -trimpath -ldflags "${K8S_LDFLAGS}" -o "${BIN_DIR}/${b}.tmp" "./${b}")
    mv "${BIN_DIR}/${b}.tmp" "${BIN_DIR}/${b}"
  fi
done

# --- etcd --------------------------------------------------------------------
if [[ ! -x "${BIN_DIR}/etcd" ]]; then
  ETCD_SRC="${WORK_DIR}/etcd-v${ETCD_VERSION}"
  mkdir -p "${ETCD_SRC}"
  cat >"${ETCD_SRC}/main.go" <<'GO'
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
  if [[ ! -f "${ETCD_SRC}/go.sum" ]]; then
    log "resolving etcd v${ETCD_VERSION}"
    (cd "${ETCD_SRC}" && rm -f go.mod && go mod init steward.dev/envtest-etcd >/dev/null 2>&1 &&
      go mod edit -require "go.etcd.io/etcd/server/v3@v${ETCD_VERSION}" && go mod tidy >&2)
  fi
  log "building etcd v${ETCD_VERSION}"
  (cd "${ETCD_SRC}" && run_with_heartbeat etcd go build -trimpath -ldflags "-s -w" -o "${BIN_DIR}/etcd.tmp" .)
  mv "${BIN_DIR}/etcd.tmp" "${BIN_DIR}/etcd"
fi

all_present || { log "some binaries are missing from ${BIN_DIR}"; exit 1; }
log "control-plane binaries ready"
echo "${BIN_DIR}"
