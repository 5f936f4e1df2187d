#!/usr/bin/env bash
# The Steward demo: a throwaway local control plane, Steward's manager running
# under its own ServiceAccount and RBAC, and a payments team whose identities
# are owned, unowned, expired, overdue for review, excepted and revoked by a
# review (reported as WouldRevoke: the policy is in DryRun). It stops
# everything it started, whatever the outcome.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${REPO_ROOT}"

export STEWARD_CLUSTER_DIR="${STEWARD_CLUSTER_DIR:-${REPO_ROOT}/.local-cluster-demo}"
BIN_DIR="$(hack/envtest-bins.sh | tail -n 1)"
export KUBECTL="${BIN_DIR}/kubectl"
WORK="$(mktemp -d)"
MANAGER_PID=""

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
k() { "${KUBECTL}" "$@"; }
at() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }

cleanup() {
  step "Stopping everything the demo started"
  if [[ -n "${MANAGER_PID}" ]] && kill -0 "${MANAGER_PID}" 2>/dev/null; then
    kill "${MANAGER_PID}" && wait "${MANAGER_PID}" 2>/dev/null || true
    echo "manager stopped"
  fi
  hack/local-cluster.sh down
  rm -rf "${WORK}"
}
trap cleanup EXIT

step "Starting a local control plane (etcd, kube-apiserver, kube-controller-manager)"
cluster_env="$(hack/local-cluster.sh up)"   # fails the script if the control plane does not start
eval "$(tail -n 1 <<<"${cluster_env}")"
export KUBECONFIG

step "Installing the CRDs, Steward's namespace, ServiceAccount, RBAC and admission policy (config/local)"
k apply --server-side -k config/local >/dev/null
k apply --server-side -k config/policyreport >/dev/null   # so that Steward also writes PolicyReports
k wait --for=condition=Established --timeout=60s crd -l '!nonexistent' >/dev/null
echo "installed"

step "Running bin/manager as steward-system/steward-controller-manager (not as an administrator)"
hack/manager-kubeconfig.sh "${WORK}/manager.kubeconfig" >/dev/null
bin/manager --kubeconfig "${WORK}/manager.kubeconfig" --metrics-bind-address=0 --health-probe-bind-address=0 \
  >"${WORK}/decisions.jsonl" 2>"${WORK}/manager.log" &
MANAGER_PID=$!
echo "manager pid ${MANAGER_PID}; decision log: JSON lines on its stdout"

# Approval is an authenticated act: the admission policies (config/admission)
# let only the person an approval, a risk acceptance or a review names submit
# it, cluster administrators included. The demo's administrator impersonates
# each of them (--as); system:masters gives the impersonated person the
# rights, the username is what admission checks.
as_approver() { k --as carol.smith@example.com --as-group system:masters "$@"; }
as_reviewer() { k --as dave.kim@example.com --as-group system:masters "$@"; }

step "Applying the payments-team samples (config/samples), each as the person it names"
echo "the platform team installs the namespace and the DryRun baseline policy:"
k apply -f config/samples/payments_namespace.yaml -f config/samples/nhi_v1alpha1_ownershippolicy.yaml
echo "the approver, carol.smith@example.com, records her approval of payments-api and accepts the Stripe key's risk:"
as_approver apply -f config/samples/nhi_v1alpha1_identityownership.yaml \
  -f config/samples/nhi_v1alpha1_ownershipexception.yaml
echo "the reviewer, dave.kim@example.com, files the quarterly review:"
as_reviewer apply -f config/samples/nhi_v1alpha1_ownershipreview.yaml

step "Adding the rest of the payments team's story"
echo "the approver, carol.smith, records the approvals she gave, in her own name (nobody else may record them):"
as_approver apply -f - <<YAML
apiVersion: nhi.steward.dev/v1alpha1
kind: IdentityOwnership
metadata: {name: legacy-reporting, namespace: payments}
spec:
  identities: [{kind: ServiceAccount, name: legacy-reporting}]
  owner: {team: payments, contacts: [alice.nguyen@example.com]}
  purpose: Monthly revenue export to the finance data warehouse.
  approval: {approvedBy: carol.smith@example.com, approvedAt: "$(at '-60 days')", reference: SEC-877}
  expiresAt: "$(at '-1 day')"
---
apiVersion: nhi.steward.dev/v1alpha1
kind: IdentityOwnership
metadata: {name: fraud-scorer, namespace: payments}
spec:
  identities: [{kind: ServiceAccount, name: fraud-scorer}]
  owner: {team: payments, contacts: [bob.osei@example.com]}
  purpose: Scores card transactions for fraud before capture.
  approval: {approvedBy: carol.smith@example.com, approvedAt: "$(at '-120 days')", reference: SEC-901}
  expiresAt: "$(at '+200 days')"
  reviewInterval: 2160h
---
apiVersion: nhi.steward.dev/v1alpha1
kind: IdentityOwnership
metadata: {name: csv-export, namespace: payments}
spec:
  identities: [{kind: ServiceAccount, name: csv-export}]
  owner: {team: payments, contacts: [alice.nguyen@example.com]}
  purpose: Ad-hoc CSV exports for the finance team.
  approval: {approvedBy: carol.smith@example.com, approvedAt: "$(at '-30 days')", reference: SEC-1001}
  expiresAt: "$(at '+300 days')"
---
apiVersion: nhi.steward.dev/v1alpha1
kind: IdentityOwnership
metadata: {name: settlement-batch, namespace: payments}
spec:
  identities: [{kind: ServiceAccount, name: settlement-batch}]
  owner: {team: payments, contacts: [alice.nguyen@example.com]}
  purpose: Nightly settlement with the acquiring bank.
  approval: {approvedBy: carol.smith@example.com, approvedAt: "$(at '-1 day')", reference: SEC-1300}
  expiresAt: "$(at '+6 seconds')"
YAML

echo "vendor-sftp's approval is still pending; she accepts the risk meanwhile, again in her own name:"
as_approver apply -f - <<YAML
apiVersion: nhi.steward.dev/v1alpha1
kind: OwnershipException
metadata: {name: vendor-sftp-approval-pending, namespace: payments}
spec:
  identities: [{kind: Secret, name: vendor-sftp}]
  findings: [Unapproved]
  riskAcceptedBy: carol.smith@example.com
  justification: Approval SEC-1200 is with the bank; the key only reaches their SFTP host.
  compensatingControls: [Egress restricted to the bank's SFTP host]
  expiresAt: "$(at '+14 days')"
YAML

echo "the payments team creates its identities, and files the vendor key's ownership, still awaiting approval:"
k apply -f - <<YAML
# Unowned: nobody declared this one.
apiVersion: v1
kind: ServiceAccount
metadata: {name: orphan-bot, namespace: payments}
---
# Expired: its ownership lapsed yesterday.
apiVersion: v1
kind: ServiceAccount
metadata: {name: legacy-reporting, namespace: payments}
---
# ReviewOverdue: the quarterly review was due a month ago.
apiVersion: v1
kind: ServiceAccount
metadata: {name: fraud-scorer, namespace: payments}
---
# Excepted: an unapproved vendor key, its risk accepted until the ticket lands.
apiVersion: v1
kind: Secret
metadata: {name: vendor-sftp, namespace: payments}
type: kubernetes.io/ssh-auth
stringData: {ssh-privatekey: not-a-real-key}
---
apiVersion: nhi.steward.dev/v1alpha1
kind: IdentityOwnership
metadata: {name: vendor-sftp, namespace: payments}
spec:
  identities: [{kind: Secret, name: vendor-sftp}]
  owner: {team: payments, contacts: [bob.osei@example.com]}
  purpose: Uploads settlement files to the acquiring bank's SFTP server.
  expiresAt: "$(at '+90 days')"
---
# Withdrawn by a review (below): DryRun reports WouldRevoke.
apiVersion: v1
kind: ServiceAccount
metadata: {name: csv-export, namespace: payments}
---
# A deadline in a few seconds: watch Steward act on it when it passes.
apiVersion: v1
kind: ServiceAccount
metadata: {name: settlement-batch, namespace: payments}
YAML

echo "the reviewer withdraws csv-export:"
as_reviewer apply -f - <<YAML
# Revoked by review: the export job was retired; DryRun reports WouldRevoke.
apiVersion: nhi.steward.dev/v1alpha1
kind: OwnershipReview
metadata: {name: csv-export-retired, namespace: payments}
spec:
  ownershipRef: {name: csv-export}
  reviewer: dave.kim@example.com
  decision: Revoke
  notes: The finance team moved to the warehouse; nobody uses the CSV export any more.
YAML

step "Waiting for Steward to evaluate everything"
k wait --for=condition=Ready --timeout=60s -n payments identityownership/payments-api
k wait --for=jsonpath='{.metadata.labels.steward\.dev/would-revoke}'=true --timeout=60s -n payments serviceaccount/csv-export
echo "settlement-batch expires at $(k get iown settlement-batch -n payments -o jsonpath='{.spec.expiresAt}'); waiting for Steward to flag it"
k wait --for=jsonpath='{.metadata.labels.steward\.dev/finding}'=expired --timeout=60s -n payments serviceaccount/settlement-batch
echo "flagged at $(date -u +%H:%M:%S) — no polling interval, the reconcile was scheduled for the deadline"

step "Enforce mode: a second team's namespace under a policy that revokes unowned ServiceAccounts"
k apply -f - <<YAML
apiVersion: v1
kind: Namespace
metadata: {name: payments-ci, labels: {steward.dev/tier: restricted}}
---
apiVersion: nhi.steward.dev/v1alpha1
kind: OwnershipPolicy
metadata: {name: restricted}
spec:
  namespaceSelector: {matchLabels: {steward.dev/tier: restricted}}
  kinds: [ServiceAccount]
  enforcement: Enforce
  rules: [{finding: Unowned, action: Revoke}]
  revocation: {serviceAccountStrategies: [DeleteTokens, RemoveBindings], maxRevocationsPerHour: 5}
YAML
echo "the approver records her approval of the CI deployer before it exists (an unowned one would be revoked at once):"
as_approver apply -f - <<YAML
apiVersion: nhi.steward.dev/v1alpha1
kind: IdentityOwnership
metadata: {name: deployer, namespace: payments-ci}
spec:
  identities: [{kind: ServiceAccount, name: deployer}]
  owner: {team: payments, contacts: [bob.osei@example.com]}
  purpose: Deploys the payments services from CI.
  approval: {approvedBy: carol.smith@example.com, approvedAt: "$(at '-7 days')", reference: SEC-1400}
  expiresAt: "$(at '+90 days')"
YAML
k apply -f - <<YAML
apiVersion: v1
kind: ServiceAccount
metadata: {name: deployer, namespace: payments-ci}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: read-configmaps, namespace: payments-ci}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: deployer, namespace: payments-ci}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: read-configmaps}
subjects: [{kind: ServiceAccount, name: deployer, namespace: payments-ci}]
YAML
k wait --for=jsonpath='{.metadata.annotations.steward\.dev/state}'=Owned --timeout=60s -n payments-ci serviceaccount/deployer
server="$(k config view --minify -o jsonpath='{.clusters[0].cluster.server}')"
ca="$(k config view --minify -o jsonpath='{.clusters[0].cluster.certificate-authority}')"
token="$(k create token deployer -n payments-ci)"
as_deployer() { "${KUBECTL}" --kubeconfig=/dev/null --server="${server}" --certificate-authority="${ca}" --token="${token}" "$@"; }
echo "a TokenRequest token of payments-ci/deployer lists ConfigMaps:"
as_deployer get configmaps -n payments-ci
echo "now the ownership is deleted: the ServiceAccount is Unowned, and the policy enforces"
k delete identityownership deployer -n payments-ci
k wait --for=jsonpath='{.metadata.labels.steward\.dev/finding}'=revoked --timeout=60s -n payments-ci serviceaccount/deployer
for _ in $(seq 20); do as_deployer get configmaps -n payments-ci >/dev/null 2>&1 || break; sleep 0.5; done
echo "the same token now:"
as_deployer get configmaps -n payments-ci || true
echo "what Steward removed, in its own record (the Ledger ns.payments-ci in steward-system), so that access can be restored after re-approval:"
k get ledger ns.payments-ci -n steward-system -o jsonpath='{range .status.revocations.*}{.kind}/{.name} revoked ({.reason}) at {.revokedAt}, id {.id}{"\n"}{range .removedBindings[*]}  removed {.subject.kind} {.subject.name} from {.kind} {.namespace}/{.name} ({.roleRef.kind} {.roleRef.name}){"\n"}{end}{end}'
echo "and its copy for people, on the ServiceAccount:"
k get sa deployer -n payments-ci -o jsonpath='{.metadata.annotations.steward\.dev/removed-bindings}'; echo
k get events.v1.events.k8s.io -n payments-ci --field-selector reason=Revoked -o custom-columns='REASON:.reason,NAME:.regarding.name,NOTE:.note'

step "Every Steward object: kubectl get steward -A"
k get steward -A

step "Flagged identities: kubectl get sa,secrets -A -l steward.dev/finding"
k get sa,secrets -A -l steward.dev/finding -L steward.dev/finding,steward.dev/would-revoke

step "Every identity's state, as Steward annotated it"
k get sa,secrets -n payments \
  -o custom-columns='KIND:.kind,NAME:.metadata.name,STATE:.metadata.annotations.steward\.dev/state,FINDINGS:.metadata.annotations.steward\.dev/findings,OWNERSHIP:.metadata.annotations.steward\.dev/ownership,EXCEPTED-BY:.metadata.annotations.steward\.dev/excepted-by'

step "The DryRun policy's aggregate status"
k get ownershippolicy baseline -o jsonpath='{range .status.totals[*]}{.kind}{"\t"}{.state}{"\t"}{.count}{"\n"}{end}'

step "Events Steward recorded"
k get events.v1.events.k8s.io -n payments --sort-by=.metadata.creationTimestamp \
  -o custom-columns='TYPE:.type,REASON:.reason,KIND:.regarding.kind,NAME:.regarding.name,NOTE:.note'

step "PolicyReports (wgpolicyk8s.io), one per governed namespace"
k get policyreports -A

step "The decision log (one JSON line per transition and action), last 3 lines"
tail -n 3 "${WORK}/decisions.jsonl"

step "The evidence an auditor exports: kubectl steward evidence -A"
export PATH="${REPO_ROOT}/bin:${PATH}"
k steward evidence -A

step "Why csv-export is in that state: kubectl steward explain sa/csv-export -n payments"
k steward explain sa/csv-export -n payments

step "Summary"
rows="$(k steward evidence -A -o csv | tail -n +2)"
printf '%s identities governed; by state:\n' "$(printf '%s\n' "${rows}" | grep -c .)"
printf '%s\n' "${rows}" | cut -d, -f4 | sort | uniq -c | sort -rn
printf 'revocations: %s in Enforce (payments-ci), %s reported as WouldRevoke in DryRun (payments)\n' \
  "$(grep -c '"action":"Revoke"' "${WORK}/decisions.jsonl")" "$(grep -c '"action":"WouldRevoke"' "${WORK}/decisions.jsonl")"

step "A bad manifest is refused with a message naming the field"
echo "an owner approving her own ownership (the CRD's separation-of-duties rule):"
k --as alice.nguyen@example.com --as-group system:masters apply -f - <<'YAML' || true
apiVersion: nhi.steward.dev/v1alpha1
kind: IdentityOwnership
metadata: {name: self-approved, namespace: payments}
spec:
  identities: [{kind: ServiceAccount, name: payments-api}]
  owner: {team: payments, contacts: [alice.nguyen@example.com]}
  purpose: Checkout
  approval: {approvedBy: alice.nguyen@example.com, approvedAt: "2026-09-01T00:00:00Z", reference: SEC-1}
  expiresAt: "2027-01-01T00:00:00Z"
YAML
echo "the cluster administrator recording an approval in carol.smith's name (admission: only she may):"
k apply -f - <<YAML || true
apiVersion: nhi.steward.dev/v1alpha1
kind: IdentityOwnership
metadata: {name: orphan-bot, namespace: payments}
spec:
  identities: [{kind: ServiceAccount, name: orphan-bot}]
  owner: {team: payments, contacts: [alice.nguyen@example.com]}
  purpose: Claimed after the fact.
  approval: {approvedBy: carol.smith@example.com, approvedAt: "$(at '-1 hour')", reference: SEC-1500}
  expiresAt: "$(at '+30 days')"
YAML

if grep -qi forbidden "${WORK}/manager.log"; then
  echo "the manager hit an RBAC error:" >&2
  grep -i forbidden "${WORK}/manager.log" >&2
  exit 1
fi
