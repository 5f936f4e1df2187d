#!/usr/bin/env bash
# Builds the kubectl-steward release archives and renders the krew plugin
# manifest from .krew.yaml, as krew-release-bot does on a release:
#
#   hack/krew-manifest.sh VERSION OUT_DIR
#
# OUT_DIR receives kubectl-steward_VERSION_OS_ARCH.tar.gz for every
# platform .krew.yaml lists (the binary and LICENSE) and steward.yaml, the
# manifest with each archive's address and SHA-256. The addresses are the
# release's; `kubectl krew install --manifest OUT_DIR/steward.yaml
# --archive OUT_DIR/<archive>` installs from the local archive.
#
# KREW_PLATFORMS="linux_amd64 ..." builds and lists only those platforms:
# the tests use the host's alone, as cross-compiling every platform from
# a cold build cache takes minutes each.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VERSION="${1:?usage: hack/krew-manifest.sh VERSION OUT_DIR}"
OUT_DIR="${2:?usage: hack/krew-manifest.sh VERSION OUT_DIR}"
TEMPLATE="${REPO_ROOT}/.krew.yaml"
log() { echo "[krew-manifest $(date +%H:%M:%S)] $*" >&2; }

mkdir -p "${OUT_DIR}"
OUT_DIR="$(cd "${OUT_DIR}" && pwd)"

# The platforms are the template's: each addURIAndSha names an archive
# ending in _OS_ARCH.tar.gz.
mapfile -t platforms < <(grep -oE '_[a-z0-9]+_[a-z0-9]+\.tar\.gz' "${TEMPLATE}" | sed -E 's/^_//; s/\.tar\.gz$//' | sort -u)
[[ ${#platforms[@]} -gt 0 ]] || { echo "no platforms in ${TEMPLATE}" >&2; exit 1; }
if [[ -n "${KREW_PLATFORMS:-}" ]]; then
  for p in ${KREW_PLATFORMS}; do
    printf '%s\n' "${platforms[@]}" | grep -qx "${p}" || { echo "${TEMPLATE} has no platform ${p}" >&2; exit 1; }
  done
  read -r -a platforms <<<"${KREW_PLATFORMS}"
fi

for platform in "${platforms[@]}"; do
  os="${platform%_*}" arch="${platform#*_}"
  stage="$(mktemp -d)"
  binary="kubectl-steward"
  [[ "${os}" == windows ]] && binary="kubectl-steward.exe"
  log "building ${binary} for ${os}/${arch}"
  (cd "${REPO_ROOT}" && CGO_ENABLED=0 GOOS="${os}" GOARCH="${arch}" go build -trimpath -ldflags "-s -w" \
    -o "${stage}/${binary}" ./cmd/kubectl-steward)
  cp "${REPO_ROOT}/LICENSE" "${stage}/LICENSE"
  # A reproducible archive: fixed order, owner and time.
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "${stage}" -cf - "${binary}" LICENSE |
    gzip -n >"${OUT_DIR}/kubectl-steward_${VERSION}_${platform}.tar.gz"
  rm -rf "${stage}"
done

# Render the template: {{ .TagName }} is the version, and each
# {{addURIAndSha "URL" .TagName }} becomes uri and sha256 lines at its indent.
# A platform entry (from one "- selector:" to the next) whose archive was
# not built is left out.
sed "s/{{ \.TagName }}/${VERSION}/g" "${TEMPLATE}" | awk -v outdir="${OUT_DIR}" '
  function flush() { if (keep) printf "%s", block; block = ""; keep = 1 }
  BEGIN { keep = 1 }
  /^#/ { next }
  /^[[:space:]]*platforms:[[:space:]]*$/ { flush(); print; in_platforms = 1; next }
  in_platforms && /^[[:space:]]*- selector:/ { flush() }
  /\{\{addURIAndSha "/ {
    indent = $0; sub(/[^[:space:]].*/, "", indent)
    uri = $0; sub(/^[^"]*"/, "", uri); sub(/".*/, "", uri)
    archive = outdir "/" uri; sub(/.*\//, "", archive); archive = outdir "/" archive
    if ((getline ignored < archive) < 0) { keep = 0; next }
    close(archive)
    cmd = "sha256sum \"" archive "\""; cmd | getline sum; close(cmd); split(sum, parts, " ")
    block = block indent "uri: " uri "\n" indent "sha256: " parts[1] "\n"
    next
  }
  { block = block $0 "\n" }
  END { flush() }
' >"${OUT_DIR}/steward.yaml"
log "wrote ${OUT_DIR}/steward.yaml"
