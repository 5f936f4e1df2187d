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
ca_file="$("${KUBECTL}" config view --minify --raw -o jsonpath='{.clusters[0].cluster.certificate-authority}')"
token="$("${KUBECTL}" create token "${account}" --namespace "${namespace}" --duration 24h)"

umask 077
cat >"${out}" <<KCFG
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: ${server}
    certificate-authority: ${ca_file}
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
