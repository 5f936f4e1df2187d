#!/usr/bin/env bash
# Tests the krew plugin manifest: renders .krew.yaml from an archive built
# for this machine's platform (hack/krew-manifest.sh), validates it with
# krew's own validator, installs it with krew from the local archive, and
# runs the installed plugin through kubectl. Both krew tools are built from
# the Go module proxy by hack/tools.sh.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${REPO_ROOT}"
log() { echo "[test-krew $(date +%H:%M:%S)] $*" >&2; }

KREW="$(hack/tools.sh krew | tail -n 1)"
VALIDATE="$(hack/tools.sh validate-krew-manifest | tail -n 1)"
KUBECTL="$(hack/envtest-bins.sh | tail -n 1)/kubectl"
platform="$(go env GOOS)_$(go env GOARCH)"
version="v0.0.0-test"

work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT
mkdir -p "${work}/out" "${work}/krew-root" "${work}/bin"

KREW_PLATFORMS="${platform}" hack/krew-manifest.sh "${version}" "${work}/out"
manifest="${work}/out/steward.yaml"
archive="${work}/out/kubectl-steward_${version}_${platform}.tar.gz"

log "validating ${manifest} with krew's validator"
# -skip-install: the validator's install step downloads every platform's
# archive from its release address; the install below uses the local one.
"${VALIDATE}" -manifest "${manifest}" -skip-install

log "installing the plugin with krew from ${archive}"
ln -s "${KUBECTL}" "${work}/bin/kubectl"
ln -s "${KREW}" "${work}/bin/kubectl-krew"
export KREW_ROOT="${work}/krew-root" PATH="${work}/krew-root/bin:${work}/bin:${PATH}"
kubectl krew install --manifest="${manifest}" --archive="${archive}"

installed="${KREW_ROOT}/store/steward/${version}"
[[ -f "${installed}/LICENSE" ]] || { echo "krew installed no LICENSE in ${installed}" >&2; exit 1; }
help="$(kubectl steward --help)"
for sub in evidence explain who-owns; do
  grep -q "^  ${sub} " <<<"${help}" || { echo "the installed plugin has no ${sub} command:" >&2; echo "${help}" >&2; exit 1; }
done
[[ "$(command -v kubectl-steward)" == "${KREW_ROOT}/bin/kubectl-steward" ]] ||
  { echo "kubectl-steward on PATH is not krew's: $(command -v kubectl-steward)" >&2; exit 1; }

log "a manifest whose archive does not match its sha256 is refused"
sed -E 's/(sha256: )[0-9a-f]{64}/\10000000000000000000000000000000000000000000000000000000000000000/' "${manifest}" \
  >"${work}/tampered.yaml"
mkdir -p "${work}/tampered" && mv "${work}/tampered.yaml" "${work}/tampered/steward.yaml"
if KREW_ROOT="${work}/krew-root-2" kubectl krew install --manifest="${work}/tampered/steward.yaml" \
  --archive="${archive}" >"${work}/tampered.log" 2>&1; then
  echo "krew installed an archive whose checksum does not match the manifest" >&2; exit 1
fi
grep -qi 'checksum\|sha256' "${work}/tampered.log" ||
  { echo "krew refused the tampered manifest for another reason:" >&2; cat "${work}/tampered.log" >&2; exit 1; }
log "ok: the manifest validates, installs, runs, and krew refuses a tampered archive"
