#!/usr/bin/env bash
# Tests `kubectl steward report -o html` as a person would: the real
# command reads a scenario on a real API server (envtest), and headless
# Chromium renders its HTML to a PNG and a PDF; the test checks the page is
# drawn (pixel variety) and the PDF's text (pdftotext) holds every section
# and the key figures. Installs Debian's chromium and poppler-utils when
# missing (needs root and the Debian mirror). REPORT_OUT=DIR keeps
# report.html, report.png and report.pdf there (default: a temporary dir).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${REPO_ROOT}"
log() { echo "[test-report $(date +%H:%M:%S)] $*" >&2; }

if ! command -v chromium >/dev/null || ! command -v pdftotext >/dev/null; then
  if [[ "$(id -u)" != 0 ]]; then
    log "chromium and pdftotext are needed: run as root, or: sudo apt-get install -y chromium poppler-utils"
    exit 1
  fi
  log "installing chromium and poppler-utils"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium poppler-utils
fi

KUBEBUILDER_ASSETS="$(hack/envtest-bins.sh | tail -n 1)"
export KUBEBUILDER_ASSETS
out="${REPORT_OUT:-$(mktemp -d)}"
mkdir -p "${out}"
log "rendering the report of an envtest scenario into ${out}"
REPORT_OUT="${out}" go test -tags chromium -count=1 ./internal/plugin/ -run '^TestReportRendersInChromium$' -v
log "ok: ${out}/report.html, report.png, report.pdf"
