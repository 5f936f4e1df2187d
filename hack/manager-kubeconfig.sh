#!/usr/bin/env bash
# Writes a kubeconfig that authenticates as the manager's own ServiceAccount
# (steward-system/steward-controller-manager, from config/local), so that a
# manager run as a local process has exactly the RBAC config/rbac grants it
# in a cluster, never cluster-admin. Prints the kubeconfig's path.
#
#   hack/manager-kubeconfig.sh <output-path>
# Needs KUBECONFIG pointing at an admin of the cluster.
set -euo pipefail

out="${1:?usage: $0 <output-path>}"
KUBECTL="${KUBECTL:-kubectl}"
namespace=steward-system
account=steward-controller-manager

server="$("${KUBECTL}" config view --minify -o jsonpath='{.clusters[0].cluster.server}')"
# The admin kubeconfig gives its CA as a file or inline; the manager's gets
# it inline either way, so that it does not depend on that file.
ca_data="$("${KUBECTL}" config view --minify --raw -o jsonpath='{.clusters[0].cluster.certificate-authority-data}')"
if [[ -z "${ca_data}" ]]; then
  ca_file="$("${KUBECTL}" config view --minify --raw -o jsonpath='{.clusters[0].cluster.certificate-authority}')"
  [[ -n "${ca_file}" ]] || { echo "manager-kubeconfig: the admin kubeconfig names no CA" >&2; exit 1; }
  ca_data="$(base64 -w0 <"${ca_file}")"
fi
token="$("${KUBECTL}" create token "${account}" --namespace "${namespace}" --duration 24h)"

umask 077
cat >"${out}" <<KCFG
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: ${server}
    certificate-authority-data: ${ca_data}
users:
- name: ${namespace}:${account}
  user:
    token: ${token}
contexts:
- name: manager
  context: {cluster: local, user: "${namespace}:${account}", namespace: ${namespace}}
current-context: manager
KCFG
echo "${out}"
