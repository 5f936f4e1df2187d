#!/usr/bin/env bash
# Builds (or reuses) a development tool from the Go module proxy and prints
# its path as the last line of output:
#
#   hack/tools.sh golangci-lint            # golangci-lint with the logcheck plugin
#   hack/tools.sh helm                     # helm, for the chart's tests
#   hack/tools.sh krew                     # krew, to install the plugin manifest in tests
#   hack/tools.sh validate-krew-manifest   # krew's own manifest validator
#   hack/tools.sh --print-path TOOL        # the path only, building nothing
#
# Tools are cached outside the repository, named after their versions, so
# clean clones and CI runs on the same machine reuse them and a version
# change rebuilds them.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_ROOT="${STEWARD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/steward}"
TOOLS_DIR="${CACHE_ROOT}/tools"
GOLANGCI_MODULE="${REPO_ROOT}/hack/tools/golangci-lint"
KREW_VERSION="v0.4.3"
HELM_VERSION="${HELM_VERSION:-v4.3.2}"

print_only=false
if [[ "${1:-}" == "--print-path" ]]; then
  print_only=true
  shift
fi
tool="${1:?usage: hack/tools.sh [--print-path] golangci-lint|helm|krew|validate-krew-manifest}"

log() { echo "[tools $(date +%H:%M:%S)] $*" >&2; }

# module_version is the version hack/tools/golangci-lint/go.mod requires.
module_version() { awk -v m="$1" '$1 == m { print $2 }' "${GOLANGCI_MODULE}/go.mod"; }

case "${tool}" in
  golangci-lint)
    version="$(module_version github.com/golangci/golangci-lint/v2)-logcheck-$(module_version sigs.k8s.io/logtools)" ;;
  helm)
    version="${HELM_VERSION}" ;;
  krew | validate-krew-manifest)
    version="${KREW_VERSION}" ;;
  *)
    echo "unknown tool ${tool}" >&2; exit 2 ;;
esac
binary="${TOOLS_DIR}/${tool}-${version}"

if ${print_only} || [[ -x "${binary}" ]]; then
  echo "${binary}"
  exit 0
fi

# shellcheck source=lib/heartbeat.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/heartbeat.sh"

mkdir -p "${TOOLS_DIR}"
exec 9>"${TOOLS_DIR}/.lock-${tool}"
flock 9
if [[ -x "${binary}" ]]; then
  echo "${binary}"
  exit 0
fi

build_golangci_lint() {
  # golangci-lint's main package plus a blank import of the logcheck
  # plugin, built the way `golangci-lint custom` builds it but from the
  # module proxy rather than a git clone.
  cd "${GOLANGCI_MODULE}"
  GOWORK=off go build -trimpath \
    -ldflags "-s -w -X 'main.version=${version}' -X 'main.date=$(date -u +%Y-%m-%dT%H:%M:%SZ)'" \
    -o "${binary}.tmp" .
}

# go_install_tool builds a main package at a version with go install, as
# its own module (its go.mod, not Steward's, picks the dependencies).
go_install_tool() {
  local package="$1" ldflags="$2" gobin
  gobin="$(mktemp -d)"
  GOBIN="${gobin}" GOFLAGS=-mod=mod CGO_ENABLED=0 go install -trimpath -ldflags "${ldflags}" "${package}"
  mv "${gobin}/${tool}" "${binary}.tmp"
  rm -rf "${gobin}"
}

build_helm() {
  # The version variables are the ones helm's own Makefile sets, so that
  # `helm version` names the release.
  go_install_tool "helm.sh/helm/v4/cmd/helm@${HELM_VERSION}" "-s -w \
    -X helm.sh/helm/v4/internal/version.version=${HELM_VERSION} \
    -X helm.sh/helm/v4/internal/version.gitTreeState=clean"
}

build_krew_tool() { go_install_tool "sigs.k8s.io/krew/cmd/${tool}@${KREW_VERSION}" "-s -w"; }

log "building ${tool} ${version} into ${TOOLS_DIR}; the first build takes a few minutes"
case "${tool}" in
  golangci-lint) run_with_heartbeat "${tool} ${version}" build_golangci_lint ;;
  helm) run_with_heartbeat "${tool} ${version}" build_helm ;;
  *) run_with_heartbeat "${tool} ${version}" build_krew_tool ;;
esac
mv "${binary}.tmp" "${binary}"
echo "${binary}"
