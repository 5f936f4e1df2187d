//go:build e2e

/*
Copyright 2026 The Steward Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/nhi-steward/steward/test/utils"
)

// Attacks by a namespace tenant (SPEC §3 Admission, §4 Trust, §5, §6: "No
// tenant action makes Steward grant, postpone or delete anything").
//
// The attacker is tenant@example.com, impersonated with --as only (no
// --as-group system:masters, unlike utils.KubectlAs: the tenant's own RBAC
// must apply). It holds ClusterRole admin and Steward's three editor roles in
// its own namespaces, and nothing elsewhere. Its colleagues are
// carol@example.com (an approver) and sec@example.com (risk acceptor,
// reviewer), each with only the roles their job needs, in the tenant's
// namespaces. Each attack checks what the tenant wanted — a grant, a
// postponement, a deletion — did not happen, and where admission refuses,
// the message it refuses with.
var _ = Describe("Attacks by a namespace tenant", Ordered, ContinueOnFailure, func() {
	const (
		tenant = "tenant@example.com"
		carol  = "carol@example.com"
		sec    = "sec@example.com"
		// dev is the owner contact of the tenant's team in most ownerships:
		// neither the tenant, nor its approver, nor its reviewer.
		dev = "dev@example.com"
		// managerUser is Steward's manager, whose token A19 "steals".
		managerUser = "system:serviceaccount:steward-system:steward-controller-manager"

		nsTenant       = "e2e-atk-tenant"        // DryRun policy e2e-atk-dryrun
		nsVictim       = "e2e-atk-victim"        // DryRun policy e2e-atk-dryrun, not the tenant's
		nsEnforce      = "e2e-atk-enforce"       // Enforce policy e2e-atk-enforce (Unowned revoked after 10 s)
		nsBudgetTenant = "e2e-atk-budget-tenant" // Enforce policy e2e-atk-budget (cap 4, share 2)
		nsBudgetOther  = "e2e-atk-budget-other"  // the same policy, not the tenant's
		nsDirectory    = "e2e-atk-directory"     // the owner directory, the organisation's, ungoverned

		policyDryRun  = "e2e-atk-dryrun"
		policyEnforce = "e2e-atk-enforce"
		policyBudget  = "e2e-atk-budget"

		grantCRB = "e2e-atk-grant" // a ClusterRoleBinding of cluster-admin the tenant covets
		harmless = "e2e-atk-nobody@example.com"

		mib = 1 << 20
	)
	tenantNamespaces := []string{nsTenant, nsEnforce, nsBudgetTenant}
	allNamespaces := []string{nsTenant, nsVictim, nsEnforce, nsBudgetTenant, nsBudgetOther, nsDirectory}
	policies := []string{policyDryRun, policyEnforce, policyBudget}

	// --- helpers -------------------------------------------------------

	kubectl := func(args ...string) utils.Result { return utils.Kubectl(args...) }
	// as submits a request as user, with that user's own RBAC.
	as := func(user string, args ...string) utils.Result {
		return utils.Kubectl(append([]string{"--as", user}, args...)...)
	}
	createAs := func(user, manifest string) utils.Result {
		return utils.KubectlWithInput(manifest, "--as", user, "create", "-f", "-")
	}
	// createAsDryRun sends a manifest through admission as user, creating nothing.
	createAsDryRun := func(user, manifest string) utils.Result {
		return utils.KubectlWithInput(manifest, "--as", user, "create", "--dry-run=server", "-f", "-")
	}
	admitted := func(result utils.Result) {
		GinkgoHelper()
		Expect(result.Err).NotTo(HaveOccurred(), result.String())
	}
	refusedWith := func(result utils.Result, messages ...string) {
		GinkgoHelper()
		Expect(result.Err).To(HaveOccurred(), "admitted, but it should have been refused with %q:\n%s", messages, result.String())
		for _, message := range messages {
			Expect(result.Stderr).To(ContainSubstring(message))
		}
	}
	apply := func(manifest string) {
		GinkgoHelper()
		admitted(utils.KubectlWithInput(manifest, "apply", "-f", "-"))
	}
	jsonpath := func(kind, namespace, name, path string) string {
		args := []string{"get", kind, name, "-o", "jsonpath=" + path}
		if namespace != "" {
			args = append(args, "-n", namespace)
		}
		return kubectl(args...).Stdout
	}
	escape := func(key string) string { return strings.ReplaceAll(key, ".", `\.`) }
	annotation := func(kind, namespace, name, key string) string {
		return jsonpath(kind, namespace, name, "{.metadata.annotations."+escape(key)+"}")
	}
	label := func(kind, namespace, name, key string) string {
		return jsonpath(kind, namespace, name, "{.metadata.labels."+escape(key)+"}")
	}
	state := func(kind, namespace, name string) func() string {
		return func() string { return annotation(kind, namespace, name, "steward.dev/state") }
	}
	finding := func(kind, namespace, name string) func() string {
		return func() string { return label(kind, namespace, name, "steward.dev/finding") }
	}
	// condition is "Status/Reason" of a condition of a Steward object.
	condition := func(kind, namespace, name, conditionType string) func() string {
		return func() string {
			c := `{.status.conditions[?(@.type=="` + conditionType + `")]`
			return jsonpath(kind, namespace, name, c+`.status}/`+c+`.reason}`)
		}
	}
	uid := func(kind, namespace, name string) string {
		GinkgoHelper()
		u := jsonpath(kind, namespace, name, "{.metadata.uid}")
		Expect(u).NotTo(BeEmpty(), "%s %s/%s does not exist", kind, namespace, name)
		return u
	}
	exists := func(kind, namespace, name string) bool {
		return kubectl("get", kind, name, "-n", namespace, "--ignore-not-found", "-o", "name").Stdout != ""
	}
	ledgerRevocations := func(namespace string) string {
		return jsonpath("ledger", "steward-system", "ns."+namespace, "{.status.revocations}")
	}
	names := func(kind, namespace, selector string) []string {
		out := strings.Fields(kubectl("get", kind, "-n", namespace, "-l", selector, "-o", "name").Stdout)
		slices.Sort(out)
		return out
	}
	crbSubjects := func() string { return jsonpath("clusterrolebinding", "", grantCRB, "{.subjects}") }
	canI := func(user string, args ...string) string {
		return strings.TrimSpace(kubectl(append([]string{"auth", "can-i", "--as", user}, args...)...).Stdout)
	}
	ts := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	toJSON := func(v any) string {
		GinkgoHelper()
		data, err := json.Marshal(v)
		Expect(err).NotTo(HaveOccurred())
		return string(data)
	}
	// object is a ServiceAccount (secretType "") or a Secret, as JSON.
	object := func(namespace, name, secretType string, labels, annotations map[string]string) string {
		meta := map[string]any{"name": name, "namespace": namespace}
		if len(labels) > 0 {
			meta["labels"] = labels
		}
		if len(annotations) > 0 {
			meta["annotations"] = annotations
		}
		if secretType == "" {
			return toJSON(map[string]any{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta})
		}
		return toJSON(map[string]any{"apiVersion": "v1", "kind": "Secret", "metadata": meta, "type": secretType,
			"stringData": map[string]string{"key": "not-a-real-key-" + name}})
	}
	serviceAccount := func(namespace, name string) string { return object(namespace, name, "", nil, nil) }
	// ownership is an IdentityOwnership without approval, as its filer
	// (the tenant) writes it; coverage is its identities and/or selector as
	// YAML lines indented by two spaces, extra its other fields likewise.
	ownership := func(namespace, name, contact, coverage, extra string) string {
		return `
apiVersion: nhi.steward.dev/v1alpha1
kind: IdentityOwnership
metadata: {name: ` + name + `, namespace: ` + namespace + `}
spec:
` + coverage + `
  owner: {team: tenant-team, contacts: [` + contact + `]}
  purpose: Attack scenario ` + name + `
  expiresAt: "2030-01-01T00:00:00Z"
` + extra
	}
	approvalPatch := func(approver string, at time.Time) string {
		return `{"spec":{"approval":{"approvedBy":"` + approver + `","approvedAt":"` + ts(at) + `","reference":"SEC-ATK"}}}`
	}
	// approve is carol recording her approval of an ownership herself.
	approve := func(namespace, name string, at time.Time) {
		GinkgoHelper()
		admitted(as(carol, "patch", "identityownership", name, "-n", namespace, "--type=merge", "-p", approvalPatch(carol, at)))
	}
	// review is an OwnershipReview in the tenant's own namespace.
	review := func(name, ownershipName, reviewer, decision, extra string) string {
		return `
apiVersion: nhi.steward.dev/v1alpha1
kind: OwnershipReview
metadata: {name: ` + name + `, namespace: ` + nsTenant + `}
spec:
  ownershipRef: {name: ` + ownershipName + `}
  reviewer: ` + reviewer + `
  decision: ` + decision + `
  notes: attack scenario
` + extra
	}
	exception := func(namespace, name, identity, findings, acceptedBy string) string {
		return `
apiVersion: nhi.steward.dev/v1alpha1
kind: OwnershipException
metadata: {name: ` + name + `, namespace: ` + namespace + `}
spec:
  identities: [{kind: ServiceAccount, name: ` + identity + `}]
  findings: [` + findings + `]
  riskAcceptedBy: ` + acceptedBy + `
  justification: The tenant says it is fine.
  expiresAt: "` + ts(time.Now().Add(24*time.Hour)) + `"
`
	}
	// mayNotApprove and mayNotAccept are separation-of-duties' refusals of
	// an approval by someone without the verb, or of a risk acceptance by
	// the tenant, which never holds it.
	mayNotApprove := func(user, namespace string) []string {
		return []string{"spec.approval: " + user + " may not approve IdentityOwnerships in namespace " + namespace,
			`that needs the verb "approve" on identityownerships.nhi.steward.dev there`}
	}
	mayNotAccept := func(namespace string) []string {
		return []string{"spec.riskAcceptedBy: " + tenant + " may not accept risks in namespace " + namespace,
			`that needs the verb "accept" on ownershipexceptions.nhi.steward.dev there`}
	}
	// withToken runs kubectl authenticated only by a bearer token.
	withToken := func(token string, args ...string) utils.Result {
		server := kubectl("config", "view", "--minify", "-o", "jsonpath={.clusters[0].cluster.server}").Stdout
		ca := kubectl("config", "view", "--minify", "-o", "jsonpath={.clusters[0].cluster.certificate-authority}").Stdout
		base := []string{"--kubeconfig=/dev/null", "--server=" + server, "--token=" + token}
		if ca != "" {
			base = append(base, "--certificate-authority="+ca)
		} else {
			base = append(base, "--insecure-skip-tls-verify=true")
		}
		return utils.Kubectl(append(base, args...)...)
	}
	tokenFor := func(namespace, account string) string {
		GinkgoHelper()
		result := kubectl("create", "token", account, "-n", namespace, "--duration", "1h")
		Expect(result.Err).NotTo(HaveOccurred(), result.String())
		return strings.TrimSpace(result.Stdout)
	}
	tokenRefused := func(result utils.Result) bool {
		return result.Err != nil &&
			(strings.Contains(result.Stderr, "Unauthorized") || strings.Contains(result.Stderr, "Forbidden"))
	}
	// rss is the manager's resident set size, in bytes (VmRSS).
	rss := func() int64 {
		GinkgoHelper()
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", manager.PID()))
		Expect(err).NotTo(HaveOccurred())
		for line := range strings.SplitSeq(string(data), "\n") {
			if fields := strings.Fields(line); len(fields) >= 2 && fields[0] == "VmRSS:" {
				kb, err := strconv.ParseInt(fields[1], 10, 64)
				Expect(err).NotTo(HaveOccurred())
				return kb * 1024
			}
		}
		Fail("no VmRSS in /proc/PID/status")
		return 0
	}
	inMiB := func(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/mib) }
	record := func(name, value string) {
		AddReportEntry(name, value)
		GinkgoWriter.Printf("%s: %s\n", name, value)
	}

	// --- the tenant's world ---------------------------------------------

	BeforeAll(func() {
		By("removing what an earlier run may have left")
		kubectl(append([]string{"delete", "ownershippolicy", "--ignore-not-found"}, policies...)...)
		kubectl("delete", "clusterrolebinding", grantCRB, "--ignore-not-found")
		kubectl(append([]string{"delete", "namespace", "--ignore-not-found", "--timeout=120s"}, allNamespaces...)...)
		for _, p := range policies {
			kubectl("delete", "ledger", "policy."+p, "-n", "steward-system", "--ignore-not-found")
		}

		By("creating the namespaces, the owner directory and three policies")
		apply(`
apiVersion: v1
kind: Namespace
metadata: {name: ` + nsTenant + `, labels: {e2e-atk/policy: dryrun}}
---
apiVersion: v1
kind: Namespace
metadata: {name: ` + nsVictim + `, labels: {e2e-atk/policy: dryrun}}
---
apiVersion: v1
kind: Namespace
metadata: {name: ` + nsEnforce + `, labels: {e2e-atk/policy: enforce}}
---
apiVersion: v1
kind: Namespace
metadata: {name: ` + nsBudgetTenant + `, labels: {e2e-atk/policy: budget}}
---
apiVersion: v1
kind: Namespace
metadata: {name: ` + nsBudgetOther + `, labels: {e2e-atk/policy: budget}}
---
apiVersion: v1
kind: Namespace
metadata: {name: ` + nsDirectory + `}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: people, namespace: ` + nsDirectory + `, labels: {steward.dev/owner-directory: "true"}}
data:
  people: |
    ` + tenant + `
    ` + carol + `
    ` + sec + `
    ` + dev + `
---
apiVersion: nhi.steward.dev/v1alpha1
kind: OwnershipPolicy
metadata: {name: ` + policyDryRun + `}
spec:
  namespaceSelector: {matchLabels: {e2e-atk/policy: dryrun}}
  ownerDirectory: {configMapRef: {namespace: ` + nsDirectory + `, name: people}, key: people}
  rules:
  - {finding: Unowned, action: Revoke}
  - {finding: Unapproved, action: Flag}
  - {finding: RotationOverdue, action: Flag}
---
apiVersion: nhi.steward.dev/v1alpha1
kind: OwnershipPolicy
metadata: {name: ` + policyEnforce + `}
spec:
  namespaceSelector: {matchLabels: {e2e-atk/policy: enforce}}
  kinds: [ServiceAccount]
  enforcement: Enforce
  rules: [{finding: Unowned, action: Revoke, revokeAfter: 10s}]
  revocation: {serviceAccountStrategies: [RemoveBindings]}
---
apiVersion: nhi.steward.dev/v1alpha1
kind: OwnershipPolicy
metadata: {name: ` + policyBudget + `}
spec:
  namespaceSelector: {matchLabels: {e2e-atk/policy: budget}}
  kinds: [ServiceAccount]
  enforcement: Enforce
  rules: [{finding: Unowned, action: Revoke}]
  revocation: {maxRevocationsPerHour: 4}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ` + grantCRB + `}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: User, apiGroup: rbac.authorization.k8s.io, name: ` + harmless + `}]
` + utils.ReaderRole(nsTenant) + utils.ReaderRole(nsEnforce))
		DeferCleanup(func() {
			kubectl(append([]string{"delete", "ownershippolicy", "--ignore-not-found"}, policies...)...)
			kubectl("delete", "clusterrolebinding", grantCRB, "--ignore-not-found")
			kubectl(append([]string{"delete", "namespace", "--ignore-not-found", "--wait=false"}, allNamespaces...)...)
			for _, p := range policies {
				kubectl("delete", "ledger", "policy."+p, "-n", "steward-system", "--ignore-not-found", "--wait=false")
			}
		})

		By("giving the tenant admin and Steward's editor roles in its own namespaces, and its colleagues their roles")
		for _, ns := range tenantNamespaces {
			for name, binding := range map[string][]string{
				"tenant-admin":      {"--clusterrole=admin", "--user=" + tenant},
				"tenant-ownerships": {"--clusterrole=steward-identityownership-editor-role", "--user=" + tenant, "--user=" + carol},
				"tenant-exceptions": {"--clusterrole=steward-ownershipexception-editor-role", "--user=" + tenant, "--user=" + sec},
				"tenant-reviews":    {"--clusterrole=steward-ownershipreview-editor-role", "--user=" + tenant, "--user=" + sec},
				// Approving and accepting a risk are privileges (verbs approve
				// and accept), held by carol and sec@ only.
				"approvers":      {"--clusterrole=steward-identityownership-approver", "--user=" + carol},
				"risk-acceptors": {"--clusterrole=steward-ownershipexception-acceptor", "--user=" + sec},
			} {
				admitted(kubectl(append([]string{"create", "rolebinding", name, "-n", ns}, binding...)...))
			}
		}
		Eventually(func() string { return canI(tenant, "create", "serviceaccounts", "-n", nsTenant) }).
			WithTimeout(30 * time.Second).Should(Equal("yes"))
		Expect(canI(tenant, "create", "serviceaccounts", "-n", nsVictim)).To(Equal("no"))
		Expect(canI(tenant, "list", "secrets", "-A")).To(Equal("no"))
		for _, ns := range tenantNamespaces {
			Eventually(func() string { return canI(carol, "approve", "identityownerships.nhi.steward.dev", "-n", ns) }).
				WithTimeout(30 * time.Second).Should(Equal("yes"))
			Eventually(func() string { return canI(sec, "accept", "ownershipexceptions.nhi.steward.dev", "-n", ns) }).
				WithTimeout(30 * time.Second).Should(Equal("yes"))
			Expect(canI(tenant, "approve", "identityownerships.nhi.steward.dev", "-n", ns)).To(Equal("no"))
			Expect(canI(tenant, "accept", "ownershipexceptions.nhi.steward.dev", "-n", ns)).To(Equal("no"))
		}
		Expect(canI(carol, "accept", "ownershipexceptions.nhi.steward.dev", "-n", nsTenant)).To(Equal("no"))
		Expect(canI(sec, "approve", "identityownerships.nhi.steward.dev", "-n", nsTenant)).To(Equal("no"))
		Expect(canI(carol, "approve", "identityownerships.nhi.steward.dev", "-n", nsVictim)).To(Equal("no"))

		By("waiting for the admission policies to be enforced")
		Eventually(func() string {
			return createAsDryRun(tenant, object(nsTenant, "probe", "", map[string]string{"steward.dev/finding": "owned"}, nil)).Stderr
		}).WithTimeout(30 * time.Second).Should(ContainSubstring("only Steward's manager may set, change or remove steward.dev/ keys"))
	})

	// --- attacks ---------------------------------------------------------

	It("A1: privilege escalation through a forged removed-bindings record grants nothing", func() {
		crbUID := uid("clusterrolebinding", "", grantCRB)
		subjectsBefore := crbSubjects()
		Expect(subjectsBefore).To(ContainSubstring(harmless))
		forged := func(subject map[string]string) map[string]string {
			return map[string]string{
				"steward.dev/revoked-at": "2026-01-01T00:00:00Z",
				"steward.dev/removed-bindings": toJSON([]map[string]any{{
					"kind": "ClusterRoleBinding", "name": grantCRB, "uid": crbUID,
					"roleRef": map[string]string{"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
					"subject": subject,
				}}),
			}
		}
		userRecord := forged(map[string]string{"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": tenant})
		saRecord := forged(map[string]string{"kind": "ServiceAccount", "namespace": nsTenant, "name": "a1-escalator"})

		By("forging the record on a new Opaque Secret and a new ServiceAccount")
		refusedWith(createAs(tenant, object(nsTenant, "a1-forged", "Opaque", nil, userRecord)),
			"only Steward's manager may set, change or remove steward.dev/ keys on Secret "+nsTenant+"/a1-forged",
			"tenant@example.com may not set", "annotation steward.dev/removed-bindings", "annotation steward.dev/revoked-at")
		refusedWith(createAs(tenant, object(nsTenant, "a1-escalator", "", nil, saRecord)),
			"only Steward's manager may set, change or remove steward.dev/ keys on ServiceAccount "+nsTenant+"/a1-escalator",
			"annotation steward.dev/removed-bindings", "annotation steward.dev/revoked-at")

		By("forging it on the same identities once they exist")
		admitted(createAs(tenant, object(nsTenant, "a1-forged", "Opaque", nil, nil)))
		admitted(createAs(tenant, serviceAccount(nsTenant, "a1-escalator")))
		for kind, rec := range map[string]map[string]string{"secret/a1-forged": userRecord, "serviceaccount/a1-escalator": saRecord} {
			patch := toJSON(map[string]any{"metadata": map[string]any{"annotations": rec}})
			refusedWith(as(tenant, "patch", kind, "-n", nsTenant, "--type=merge", "-p", patch),
				"may not change", "annotation steward.dev/removed-bindings", "annotation steward.dev/revoked-at")
		}

		By("getting both covered by an ownership that carol approves: the re-approval a restore would follow")
		admitted(createAs(tenant, ownership(nsTenant, "a1", dev,
			"  identities: [{kind: Secret, name: a1-forged}, {kind: ServiceAccount, name: a1-escalator}]", "")))
		approve(nsTenant, "a1", time.Now().Add(-time.Hour))
		Eventually(state("secret", nsTenant, "a1-forged")).WithTimeout(30 * time.Second).Should(Equal("Owned"))
		Eventually(state("serviceaccount", nsTenant, "a1-escalator")).WithTimeout(30 * time.Second).Should(Equal("Owned"))

		By("checking that nothing was granted")
		Consistently(crbSubjects).WithTimeout(3 * time.Second).WithPolling(time.Second).Should(Equal(subjectsBefore))
		Expect(crbSubjects()).NotTo(Or(ContainSubstring(tenant), ContainSubstring("a1-escalator")))
		Expect(canI(tenant, "list", "secrets", "-A")).To(Equal("no"))
		Expect(canI("system:serviceaccount:"+nsTenant+":a1-escalator", "list", "secrets", "-A")).To(Equal("no"))
		Expect(annotation("secret", nsTenant, "a1-forged", "steward.dev/removed-bindings")).To(BeEmpty())
		Expect(annotation("secret", nsTenant, "a1-forged", "steward.dev/revoked-at")).To(BeEmpty())
		revocations := ledgerRevocations(nsTenant)
		Expect(revocations).NotTo(ContainSubstring(uid("secret", nsTenant, "a1-forged")))
		Expect(revocations).NotTo(ContainSubstring(uid("serviceaccount", nsTenant, "a1-escalator")))
	})

	It("A2: a forged grace clock on an unowned ServiceAccount postpones nothing", func() {
		refusedWith(createAs(tenant, object(nsEnforce, "a2-postponed", "", nil, map[string]string{
			"steward.dev/state": "Unowned", "steward.dev/finding-since": "2999-01-01T00:00:00Z"})),
			"only Steward's manager may set, change or remove steward.dev/ keys on ServiceAccount "+nsEnforce+"/a2-postponed",
			"annotation steward.dev/finding-since", "annotation steward.dev/state")

		By("creating it without the forged keys, next to an honest twin, both bound to a Role")
		start := time.Now()
		admitted(createAs(tenant, utils.BoundServiceAccount(nsEnforce, "a2-postponed")))
		apply(utils.BoundServiceAccount(nsEnforce, "a2-twin"))
		// A third, which the tenant tries to cover with an exception accepted
		// in its own name: refused (verb accept, see A9), so it is revoked too.
		refusedWith(createAs(tenant, exception(nsEnforce, "a2-waiver", "a2-waived", "Unowned", tenant)),
			mayNotAccept(nsEnforce)...)
		admitted(createAs(tenant, utils.BoundServiceAccount(nsEnforce, "a2-waived")))
		token := tokenFor(nsEnforce, "a2-postponed")
		Expect(withToken(token, "get", "configmaps", "-n", nsEnforce).Err).NotTo(HaveOccurred(),
			"the attacker's token must work before revocation")

		By("forging the grace clock once Steward has flagged it")
		Eventually(finding("serviceaccount", nsEnforce, "a2-postponed")).WithTimeout(15 * time.Second).Should(Equal("unowned"))
		refusedWith(as(tenant, "annotate", "serviceaccount", "a2-postponed", "-n", nsEnforce, "--overwrite",
			"steward.dev/finding-since=2999-01-01T00:00:00Z"), "may not change annotation steward.dev/finding-since")

		By("waiting for both to be revoked")
		revokedAfter := map[string]time.Duration{}
		Eventually(func() int {
			for _, name := range []string{"a2-postponed", "a2-twin"} {
				if _, seen := revokedAfter[name]; !seen && finding("serviceaccount", nsEnforce, name)() == "revoked" {
					revokedAfter[name] = time.Since(start)
				}
			}
			return len(revokedAfter)
		}).WithTimeout(60*time.Second).WithPolling(250*time.Millisecond).Should(Equal(2), "revoked so far: %v", revokedAfter)
		record("A2 revoked after (grace 10 s)", fmt.Sprintf("attacker %s, twin %s",
			revokedAfter["a2-postponed"].Round(100*time.Millisecond), revokedAfter["a2-twin"].Round(100*time.Millisecond)))
		for name, after := range revokedAfter {
			Expect(after).To(BeNumerically(">=", 9*time.Second), "%s was revoked before its grace period ended", name)
			Expect(after).To(BeNumerically("<=", 35*time.Second), "%s was revoked late", name)
		}
		diff := revokedAfter["a2-postponed"] - revokedAfter["a2-twin"]
		Expect(diff.Abs()).To(BeNumerically("<", 10*time.Second), "the attacker's revocation lagged the twin's")
		Expect(exists("ownershipexception", nsEnforce, "a2-waiver")).To(BeFalse())
		Eventually(finding("serviceaccount", nsEnforce, "a2-waived")).WithTimeout(15*time.Second).Should(Equal("revoked"),
			"the ServiceAccount the tenant tried to waive was not revoked")
		Expect(annotation("serviceaccount", nsEnforce, "a2-waived", "steward.dev/excepted-by")).To(BeEmpty())
		Eventually(func() bool { return tokenRefused(withToken(token, "get", "configmaps", "-n", nsEnforce)) }).
			WithTimeout(10*time.Second).Should(BeTrue(), "the attacker's token still works")
		Expect(ledgerRevocations(nsEnforce)).To(And(
			ContainSubstring(uid("serviceaccount", nsEnforce, "a2-postponed")),
			ContainSubstring(uid("serviceaccount", nsEnforce, "a2-twin"))))
	})

	It("A3: a forged revoked-at on an unowned Secret under DryRun deletes nothing", func() {
		refusedWith(createAs(tenant, object(nsTenant, "a3-forged", "Opaque", nil,
			map[string]string{"steward.dev/revoked-at": ts(time.Now())})),
			"only Steward's manager may set, change or remove steward.dev/ keys on Secret "+nsTenant+"/a3-forged",
			"may not set annotation steward.dev/revoked-at")
		admitted(createAs(tenant, object(nsTenant, "a3-honest", "Opaque", nil, nil)))
		Eventually(finding("secret", nsTenant, "a3-honest")).WithTimeout(30 * time.Second).Should(Equal("unowned"))
		Expect(label("secret", nsTenant, "a3-honest", "steward.dev/would-revoke")).To(Equal("true"))
		refusedWith(as(tenant, "annotate", "secret", "a3-honest", "-n", nsTenant, "steward.dev/revoked-at="+ts(time.Now())),
			"may not change annotation steward.dev/revoked-at")
		Consistently(func() bool { return exists("secret", nsTenant, "a3-honest") }).
			WithTimeout(8*time.Second).WithPolling(time.Second).Should(BeTrue(), "DryRun deleted a Secret")
		Expect(ledgerRevocations(nsTenant)).NotTo(ContainSubstring(uid("secret", nsTenant, "a3-honest")))
	})

	It("A4: every steward.dev/ key is refused on create and on update of a ServiceAccount", func() {
		removed := toJSON([]map[string]any{{"kind": "ClusterRoleBinding", "name": grantCRB,
			"subject": map[string]string{"kind": "User", "name": tenant}}})
		annotations := map[string]string{
			"steward.dev/state": "Owned", "steward.dev/findings": "Owned", "steward.dev/finding-since": "2999-01-01T00:00:00Z",
			"steward.dev/ownership": "a4", "steward.dev/owner-team": "tenant-team", "steward.dev/expires-at": "2999-01-01T00:00:00Z",
			"steward.dev/approved-by": carol, "steward.dev/excepted-by": "a4-waiver", "steward.dev/revoked-at": "2026-01-01T00:00:00Z",
			"steward.dev/removed-bindings": removed, "steward.dev/revoking": "true",
			"steward.dev/anything-else": "x", // the prefix is protected, not a list of keys
		}
		labels := map[string]string{"steward.dev/finding": "owned", "steward.dev/would-revoke": "false", "steward.dev/team": "x"}

		admitted(createAs(tenant, serviceAccount(nsTenant, "a4-target")))
		Eventually(finding("serviceaccount", nsTenant, "a4-target")).WithTimeout(30 * time.Second).Should(Equal("unowned"))
		before := kubectl("get", "serviceaccount", "a4-target", "-n", nsTenant, "-o", "jsonpath={.metadata.labels} {.metadata.annotations}").Stdout

		for key, value := range annotations {
			refusedWith(createAs(tenant, object(nsTenant, "a4-new", "", nil, map[string]string{key: value})),
				"only Steward's manager may set, change or remove steward.dev/ keys on ServiceAccount "+nsTenant+"/a4-new",
				"may not set annotation "+key)
			refusedWith(as(tenant, "annotate", "serviceaccount", "a4-target", "-n", nsTenant, "--overwrite", key+"="+value),
				"only Steward's manager may set, change or remove steward.dev/ keys on ServiceAccount "+nsTenant+"/a4-target",
				"may not change annotation "+key)
		}
		for key, value := range labels {
			refusedWith(createAs(tenant, object(nsTenant, "a4-new", "", map[string]string{key: value}, nil)),
				"may not set label "+key)
			refusedWith(as(tenant, "label", "serviceaccount", "a4-target", "-n", nsTenant, "--overwrite", key+"="+value),
				"may not change label "+key)
		}
		Expect(exists("serviceaccount", nsTenant, "a4-new")).To(BeFalse())
		Expect(kubectl("get", "serviceaccount", "a4-target", "-n", nsTenant, "-o",
			"jsonpath={.metadata.labels} {.metadata.annotations}").Stdout).To(Equal(before))
	})

	It("A5: removing Steward's finding label from a flagged identity is refused", func() {
		Expect(finding("serviceaccount", nsTenant, "a4-target")()).To(Equal("unowned"))
		refusedWith(as(tenant, "label", "serviceaccount", "a4-target", "-n", nsTenant, "steward.dev/finding-"),
			"may not change label steward.dev/finding")
		refusedWith(as(tenant, "patch", "serviceaccount", "a4-target", "-n", nsTenant, "--type=json",
			"-p", `[{"op":"remove","path":"/metadata/labels/steward.dev~1finding"}]`),
			"may not change label steward.dev/finding")
		refusedWith(as(tenant, "annotate", "serviceaccount", "a4-target", "-n", nsTenant, "steward.dev/state-"),
			"may not change annotation steward.dev/state")

		By("replacing the whole object without Steward's keys")
		current := kubectl("get", "serviceaccount", "a4-target", "-n", nsTenant, "-o", "json")
		admitted(current)
		var sa map[string]any
		Expect(json.Unmarshal([]byte(current.Stdout), &sa)).To(Succeed())
		meta := sa["metadata"].(map[string]any)
		delete(meta, "labels")
		delete(meta, "annotations")
		refusedWith(utils.KubectlWithInput(toJSON(sa), "--as", tenant, "replace", "-f", "-"),
			"may not change", "label steward.dev/finding")
		Expect(finding("serviceaccount", nsTenant, "a4-target")()).To(Equal("unowned"))
		Expect(label("serviceaccount", nsTenant, "a4-target", "steward.dev/would-revoke")).To(Equal("true"))
	})

	It("A6: an ownership approved by the tenant, in a colleague's name or its own, is refused", func() {
		admitted(createAs(tenant, serviceAccount(nsTenant, "a6-sa")))
		approval := `  approval: {approvedBy: ` + carol + `, approvedAt: "` + ts(time.Now().Add(-time.Hour)) + `", reference: SEC-ATK}` + "\n"
		refusedWith(createAs(tenant, ownership(nsTenant, "a6", dev, "  identities: [{kind: ServiceAccount, name: a6-sa}]", approval)),
			"spec.approval.approvedBy: only carol@example.com can record an approval in their own name; tenant@example.com cannot")

		By("filing it unapproved, then adding carol's approval itself")
		admitted(createAs(tenant, ownership(nsTenant, "a6", dev, "  identities: [{kind: ServiceAccount, name: a6-sa}]", "")))
		refusedWith(as(tenant, "patch", "identityownership", "a6", "-n", nsTenant, "--type=merge",
			"-p", approvalPatch(carol, time.Now().Add(-time.Hour))),
			"spec.approval.approvedBy: only carol@example.com can record an approval in their own name; tenant@example.com cannot")
		Eventually(state("serviceaccount", nsTenant, "a6-sa")).WithTimeout(30 * time.Second).Should(Equal("Unapproved"))
		Expect(condition("identityownership", nsTenant, "a6", "Approved")()).To(Equal("False/ApprovalMissing"))

		By("the tenant approving in its own name an ownership whose contact is a colleague (verb approve)")
		refusedWith(as(tenant, "patch", "identityownership", "a6", "-n", nsTenant, "--type=merge",
			"-p", approvalPatch(tenant, time.Now().Add(-time.Hour))), mayNotApprove(tenant, nsTenant)...)
		selfApproved := `  approval: {approvedBy: ` + tenant + `, approvedAt: "` + ts(time.Now().Add(-time.Hour)) + `", reference: SEC-ATK}` + "\n"
		refusedWith(createAs(tenant, ownership(nsTenant, "a6-self", dev, "  identities: [{kind: ServiceAccount, name: a6-sa}]", selfApproved)),
			mayNotApprove(tenant, nsTenant)...)
		Expect(exists("identityownership", nsTenant, "a6-self")).To(BeFalse())
		Expect(jsonpath("identityownership", nsTenant, "a6", "{.spec.approval}")).To(BeEmpty())
		Consistently(state("serviceaccount", nsTenant, "a6-sa")).WithTimeout(3 * time.Second).Should(Equal("Unapproved"))
		Expect(condition("identityownership", nsTenant, "a6", "Approved")()).To(Equal("False/ApprovalMissing"))

		By("carol, who holds the verb, approving it")
		approve(nsTenant, "a6", time.Now().Add(-time.Hour))
		Eventually(condition("identityownership", nsTenant, "a6", "Approved")).WithTimeout(30 * time.Second).Should(Equal("True/Approved"))
		Eventually(state("serviceaccount", nsTenant, "a6-sa")).WithTimeout(30 * time.Second).Should(Equal("Owned"))
	})

	It("A7: an approval edited after the fact no longer approves", func() {
		admitted(createAs(tenant, serviceAccount(nsTenant, "a7-a")))
		admitted(createAs(tenant, serviceAccount(nsTenant, "a7-b")))
		admitted(createAs(tenant, ownership(nsTenant, "a7", dev, "  identities: [{kind: ServiceAccount, name: a7-a}]", "")))
		approve(nsTenant, "a7", time.Now().Add(-time.Hour))
		Eventually(state("serviceaccount", nsTenant, "a7-a")).WithTimeout(30 * time.Second).Should(Equal("Owned"))
		Expect(condition("identityownership", nsTenant, "a7", "Approved")()).To(Equal("True/Approved"))

		By("the tenant adding a7-b under carol's approval (admission allows it)")
		admitted(as(tenant, "patch", "identityownership", "a7", "-n", nsTenant, "--type=merge", "-p",
			`{"spec":{"identities":[{"kind":"ServiceAccount","name":"a7-a"},{"kind":"ServiceAccount","name":"a7-b"}]}}`))
		Eventually(condition("identityownership", nsTenant, "a7", "Approved")).WithTimeout(30 * time.Second).
			Should(Equal("False/ApprovalOutdated"))
		Eventually(state("serviceaccount", nsTenant, "a7-b")).WithTimeout(30 * time.Second).Should(Equal("Unapproved"))
		Eventually(state("serviceaccount", nsTenant, "a7-a")).WithTimeout(30 * time.Second).Should(Equal("Unapproved"))
		Expect(finding("serviceaccount", nsTenant, "a7-b")()).To(Equal("unapproved"))

		By("the tenant refreshing approvedAt itself")
		refusedWith(as(tenant, "patch", "identityownership", "a7", "-n", nsTenant, "--type=merge",
			"-p", `{"spec":{"approval":{"approvedAt":"`+ts(time.Now())+`"}}}`),
			"spec.approval.approvedBy: only carol@example.com can record an approval in their own name; tenant@example.com cannot")

		By("the tenant extending expiresAt under the same approval, after putting the identities back")
		admitted(as(tenant, "patch", "identityownership", "a7", "-n", nsTenant, "--type=merge", "-p",
			`{"spec":{"identities":[{"kind":"ServiceAccount","name":"a7-a"}]}}`))
		Eventually(condition("identityownership", nsTenant, "a7", "Approved")).WithTimeout(30 * time.Second).Should(Equal("True/Approved"))
		admitted(as(tenant, "patch", "identityownership", "a7", "-n", nsTenant, "--type=merge", "-p",
			`{"spec":{"expiresAt":"2099-01-01T00:00:00Z"}}`))
		Eventually(condition("identityownership", nsTenant, "a7", "Approved")).WithTimeout(30 * time.Second).
			Should(Equal("False/ApprovalOutdated"))
		Eventually(state("serviceaccount", nsTenant, "a7-a")).WithTimeout(30 * time.Second).Should(Equal("Unapproved"))
	})

	It("A8: an approval dated a year ahead counts as no approval", func() {
		admitted(createAs(tenant, serviceAccount(nsTenant, "a8-sa")))
		admitted(createAs(tenant, ownership(nsTenant, "a8", dev, "  identities: [{kind: ServiceAccount, name: a8-sa}]", "")))
		approve(nsTenant, "a8", time.Now().AddDate(1, 0, 0))
		Eventually(condition("identityownership", nsTenant, "a8", "Approved")).WithTimeout(30 * time.Second).
			Should(Equal("False/ApprovalInFuture"))
		Eventually(state("serviceaccount", nsTenant, "a8-sa")).WithTimeout(30 * time.Second).Should(Equal("Unapproved"))
		Consistently(state("serviceaccount", nsTenant, "a8-sa")).WithTimeout(3 * time.Second).Should(Equal("Unapproved"))
	})

	It("A9: an exception filed by the tenant, in someone else's name or its own, is refused; a contact's own waives nothing", func() {
		admitted(createAs(tenant, serviceAccount(nsTenant, "a9-unowned")))
		Eventually(finding("serviceaccount", nsTenant, "a9-unowned")).WithTimeout(30 * time.Second).Should(Equal("unowned"))
		refusedWith(createAs(tenant, exception(nsTenant, "a9-forged", "a9-unowned", "Unowned", sec)),
			"spec.riskAcceptedBy: only sec@example.com can accept a risk in their own name; tenant@example.com cannot")
		Expect(exists("ownershipexception", nsTenant, "a9-forged")).To(BeFalse())

		By("the tenant accepting the risk of its own unowned ServiceAccount in its own name (verb accept)")
		refusedWith(createAs(tenant, exception(nsTenant, "a9-self", "a9-unowned", "Unowned", tenant)), mayNotAccept(nsTenant)...)
		Expect(exists("ownershipexception", nsTenant, "a9-self")).To(BeFalse())
		Consistently(state("serviceaccount", nsTenant, "a9-unowned")).WithTimeout(3 * time.Second).Should(Equal("Unowned"))
		Expect(finding("serviceaccount", nsTenant, "a9-unowned")()).To(Equal("unowned"))
		Expect(label("serviceaccount", nsTenant, "a9-unowned", "steward.dev/would-revoke")).To(Equal("true"))
		Expect(annotation("serviceaccount", nsTenant, "a9-unowned", "steward.dev/excepted-by")).To(BeEmpty())

		By("the tenant, an owner contact, accepting the risk of its own unapproved ServiceAccount")
		admitted(createAs(tenant, serviceAccount(nsTenant, "a9-owned")))
		admitted(createAs(tenant, ownership(nsTenant, "a9", tenant, "  identities: [{kind: ServiceAccount, name: a9-owned}]", "")))
		Eventually(state("serviceaccount", nsTenant, "a9-owned")).WithTimeout(30 * time.Second).Should(Equal("Unapproved"))
		refusedWith(createAs(tenant, exception(nsTenant, "a9-contact", "a9-owned", "Unapproved", tenant)), mayNotAccept(nsTenant)...)

		By("sec@, who holds the verb accept, accepting the risk of an unapproved ServiceAccount it is the owner contact of")
		admitted(createAs(tenant, serviceAccount(nsTenant, "a9-sec-owned")))
		admitted(createAs(tenant, ownership(nsTenant, "a9-sec", sec, "  identities: [{kind: ServiceAccount, name: a9-sec-owned}]", "")))
		Eventually(state("serviceaccount", nsTenant, "a9-sec-owned")).WithTimeout(30 * time.Second).Should(Equal("Unapproved"))
		admitted(createAs(sec, exception(nsTenant, "a9-contact", "a9-sec-owned", "Unapproved", sec)))
		Eventually(condition("ownershipexception", nsTenant, "a9-contact", "Ready")).WithTimeout(30 * time.Second).ShouldNot(BeEmpty())
		Consistently(state("serviceaccount", nsTenant, "a9-sec-owned")).WithTimeout(3*time.Second).Should(Equal("Unapproved"),
			"an exception accepted by one of the owner's contacts waived their own finding")
		Expect(annotation("serviceaccount", nsTenant, "a9-sec-owned", "steward.dev/excepted-by")).To(BeEmpty())
		record("A9 contact's own exception on its unapproved ServiceAccount", fmt.Sprintf(
			"Active=%s; a9-sec-owned state %q", condition("ownershipexception", nsTenant, "a9-contact", "Active")(),
			state("serviceaccount", nsTenant, "a9-sec-owned")()))
	})

	It("A10: a review in someone else's name is refused", func() {
		admitted(createAs(tenant, serviceAccount(nsTenant, "a10-sa")))
		admitted(createAs(tenant, ownership(nsTenant, "a10", dev, "  identities: [{kind: ServiceAccount, name: a10-sa}]", "")))
		refusedWith(createAs(tenant, review("a10-forged", "a10", sec, "Recertify", "")),
			"spec.reviewer: tenant@example.com cannot file an OwnershipReview in the name of sec@example.com")
		refusedWith(createAs(tenant, review("a10-forged", "a10", carol, "Recertify", "")),
			"spec.reviewer: tenant@example.com cannot file an OwnershipReview in the name of carol@example.com")
		Expect(exists("ownershipreview", nsTenant, "a10-forged")).To(BeFalse())
	})

	It("A11: a Revoke decision is not overturned by the tenant's Recertify", func() {
		admitted(createAs(tenant, serviceAccount(nsTenant, "a11-sa")))
		admitted(createAs(tenant, ownership(nsTenant, "a11", dev, "  identities: [{kind: ServiceAccount, name: a11-sa}]", "")))
		approve(nsTenant, "a11", time.Now().Add(-time.Hour))
		Eventually(state("serviceaccount", nsTenant, "a11-sa")).WithTimeout(30 * time.Second).Should(Equal("Owned"))

		By("sec@ deciding Revoke")
		admitted(createAs(sec, review("a11-revoke", "a11", sec, "Revoke", "")))
		Eventually(condition("ownershipreview", nsTenant, "a11-revoke", "Completed")).WithTimeout(30 * time.Second).
			Should(Equal("True/DecisionApplied"))
		Eventually(state("serviceaccount", nsTenant, "a11-sa")).WithTimeout(30 * time.Second).Should(Equal("Unowned"))
		Eventually(func() string { return label("serviceaccount", nsTenant, "a11-sa", "steward.dev/would-revoke") }).
			WithTimeout(30 * time.Second).Should(Equal("true"))

		By("the tenant recertifying it as itself, in a later second (the same second is A21's attack)")
		revokeCreated, err := time.Parse(time.RFC3339, jsonpath("ownershipreview", nsTenant, "a11-revoke", "{.metadata.creationTimestamp}"))
		Expect(err).NotTo(HaveOccurred())
		time.Sleep(time.Until(revokeCreated.Add(time.Second)) + 50*time.Millisecond)
		admitted(createAs(tenant, review("a11-recertify", "a11", tenant, "Recertify", "")))
		Eventually(condition("ownershipreview", nsTenant, "a11-recertify", "Completed")).WithTimeout(30 * time.Second).
			Should(Equal("False/RevokeNotOverturned"))
		Consistently(state("serviceaccount", nsTenant, "a11-sa")).WithTimeout(3 * time.Second).Should(Equal("Unowned"))

		By("the tenant overturning it without the verb, and deleting the Revoke review")
		refusedWith(createAs(tenant, review("a11-overturn", "a11", tenant, "Recertify", "  overturnsRevoke: true\n")),
			"spec.overturnsRevoke: tenant@example.com may not overturn a Revoke decision in namespace "+nsTenant,
			`that needs the verb "overturn" on ownershipreviews.nhi.steward.dev there`)
		refusedWith(as(tenant, "delete", "ownershipreview", "a11-revoke", "-n", nsTenant),
			"OwnershipReview a11-revoke is completed evidence (Revoke by sec@example.com) and cannot be deleted")
		Expect(state("serviceaccount", nsTenant, "a11-sa")()).To(Equal("Unowned"))

		By("the tenant waiving the revocation with an exception of its own (verb accept)")
		refusedWith(createAs(tenant, exception(nsTenant, "a11-waiver", "a11-sa", "Unowned", tenant)), mayNotAccept(nsTenant)...)
		Expect(exists("ownershipexception", nsTenant, "a11-waiver")).To(BeFalse())
		Consistently(state("serviceaccount", nsTenant, "a11-sa")).WithTimeout(3 * time.Second).Should(Equal("Unowned"))
		Expect(label("serviceaccount", nsTenant, "a11-sa", "steward.dev/would-revoke")).To(Equal("true"))
		Expect(annotation("serviceaccount", nsTenant, "a11-sa", "steward.dev/excepted-by")).To(BeEmpty())

		By("sec@, bound to the overturner role, overturning it")
		admitted(kubectl("create", "rolebinding", "overturners", "-n", nsTenant,
			"--clusterrole=steward-ownershipreview-overturner", "--user="+sec))
		Eventually(func() error {
			return createAs(sec, review("a11-overturn", "a11", sec, "Recertify", "  overturnsRevoke: true\n")).Err
		}).WithTimeout(30 * time.Second).Should(Succeed())
		Eventually(condition("ownershipreview", nsTenant, "a11-overturn", "Completed")).WithTimeout(30 * time.Second).
			Should(Equal("True/DecisionApplied"))
		Eventually(state("serviceaccount", nsTenant, "a11-sa")).WithTimeout(30 * time.Second).Should(Equal("Owned"))
	})

	It("A12: an ownership never covers identities in another namespace", func() {
		apply(object(nsVictim, "api", "", map[string]string{"app": "api"}, nil))
		Eventually(state("serviceaccount", nsVictim, "api")).WithTimeout(30 * time.Second).Should(Equal("Unowned"))
		admitted(createAs(tenant, object(nsTenant, "api", "", map[string]string{"app": "api"}, nil)))

		By("naming the victim's ServiceAccount by namespace/name")
		refusedWith(createAs(tenant, ownership(nsTenant, "a12-named", dev,
			"  identities: [{kind: ServiceAccount, name: "+nsVictim+"/api}]", "")),
			"spec.identities[0].name")
		By("filing the ownership in the victim's namespace")
		refusedWith(createAs(tenant, ownership(nsVictim, "a12-there", dev, "  identities: [{kind: ServiceAccount, name: api}]", "")),
			`cannot create resource "identityownerships" in API group "nhi.steward.dev" in the namespace "`+nsVictim+`"`)
		By("selecting by a label both namespaces' ServiceAccounts carry, approved by carol")
		admitted(createAs(tenant, ownership(nsTenant, "a12-selector", dev,
			"  selector: {kinds: [ServiceAccount], matchLabels: {app: api}}", "")))
		approve(nsTenant, "a12-selector", time.Now().Add(-time.Hour))
		Eventually(state("serviceaccount", nsTenant, "api")).WithTimeout(30 * time.Second).Should(Equal("Owned"))
		Expect(jsonpath("identityownership", nsTenant, "a12-selector", "{.status.identityCount}")).To(Equal("1"))
		Consistently(state("serviceaccount", nsVictim, "api")).WithTimeout(3 * time.Second).Should(Equal("Unowned"))
		Expect(annotation("serviceaccount", nsVictim, "api", "steward.dev/ownership")).To(BeEmpty())
		Expect(jsonpath("identityownership", nsTenant, "a12-selector", "{.status.identities}")).NotTo(ContainSubstring(nsVictim))
	})

	It("A13: a flood of labelled ConfigMaps does not fill the manager's memory", func() {
		const count, size = 30, 500 * 1024
		time.Sleep(3 * time.Second) // settle before measuring
		before := rss()
		payload := strings.Repeat("x", size)
		for batch := range count / 10 {
			var manifest strings.Builder
			for i := batch * 10; i < batch*10+10; i++ {
				manifest.WriteString(toJSON(map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
					"metadata": map[string]any{"name": fmt.Sprintf("a13-flood-%03d", i), "namespace": nsTenant,
						"labels": map[string]string{"steward.dev/owner-directory": "true", "e2e-atk/flood": "configmaps"}},
					"data": map[string]string{"people": payload}}))
				manifest.WriteString("\n")
			}
			admitted(createAs(tenant, manifest.String()))
		}
		DeferCleanup(func() {
			as(tenant, "delete", "configmaps", "-n", nsTenant, "-l", "e2e-atk/flood=configmaps", "--wait=false")
		})
		Expect(names("configmaps", nsTenant, "e2e-atk/flood=configmaps")).To(HaveLen(count))
		time.Sleep(5 * time.Second) // settle: a watch would have delivered every ConfigMap by now
		settled := rss()
		var final int64
		Eventually(func() int64 {
			final = rss()
			return final - before
		}).WithTimeout(60*time.Second).WithPolling(5*time.Second).Should(BeNumerically("<", 6*mib),
			"the manager's RSS grew from %s to %s after %d MB of ConfigMaps", inMiB(before), inMiB(final), count*size/1000/1000)
		record("A13 manager RSS (30 ConfigMaps x 500 KB)", fmt.Sprintf("before %s, 5 s after %s, final %s: growth %s",
			inMiB(before), inMiB(settled), inMiB(final), inMiB(final-before)))
		admitted(as(tenant, "delete", "configmaps", "-n", nsTenant, "-l", "e2e-atk/flood=configmaps"))
	})

	It("A14: a flood of large annotations on governed Secrets does not fill the manager's memory", func() {
		const count, size = 40, 200 * 1024
		time.Sleep(3 * time.Second) // settle before measuring
		before := rss()
		payload := strings.Repeat("y", size)
		for batch := range count / 10 {
			var manifest strings.Builder
			for i := batch * 10; i < batch*10+10; i++ {
				manifest.WriteString(object(nsTenant, fmt.Sprintf("a14-flood-%03d", i), "Opaque",
					map[string]string{"e2e-atk/flood": "annotations"}, map[string]string{"tenant.example.com/blob": payload}))
				manifest.WriteString("\n")
			}
			admitted(createAs(tenant, manifest.String()))
		}
		DeferCleanup(func() {
			as(tenant, "delete", "secrets", "-n", nsTenant, "-l", "e2e-atk/flood=annotations", "--wait=false")
		})
		By("waiting for Steward to flag every one of them: it has read them all")
		Eventually(func() []string {
			return names("secrets", nsTenant, "e2e-atk/flood=annotations,steward.dev/finding=unowned")
		}).
			WithTimeout(60 * time.Second).Should(HaveLen(count))
		time.Sleep(5 * time.Second) // settle
		settled := rss()
		var final int64
		Eventually(func() int64 {
			final = rss()
			return final - before
		}).WithTimeout(60*time.Second).WithPolling(5*time.Second).Should(BeNumerically("<", 6*mib),
			"the manager's RSS grew from %s to %s after %d MB of annotations", inMiB(before), inMiB(final), count*size/1000/1000)
		record("A14 manager RSS (40 Secrets x 200 KB annotations)", fmt.Sprintf("before %s, 5 s after flagged %s, final %s: growth %s",
			inMiB(before), inMiB(settled), inMiB(final), inMiB(final-before)))
		admitted(as(tenant, "delete", "secrets", "-n", nsTenant, "-l", "e2e-atk/flood=annotations"))
	})

	It("A15: one tenant cannot spend the policy's whole revocation budget", func() {
		const flood = 6
		for i := range flood {
			admitted(createAs(tenant, serviceAccount(nsBudgetTenant, fmt.Sprintf("a15-flood-%d", i))))
		}
		revoked := func() []string { return names("serviceaccounts", nsBudgetTenant, "steward.dev/finding=revoked") }
		Eventually(revoked).WithTimeout(30 * time.Second).Should(HaveLen(2))
		Consistently(revoked).WithTimeout(3*time.Second).WithPolling(time.Second).Should(HaveLen(2),
			"the tenant's namespace went past its share (2 of 4)")
		held := make([]string, 0, flood)
		for i := range flood {
			name := fmt.Sprintf("a15-flood-%d", i)
			held = append(held, fmt.Sprintf("%s=%s/%s", name, state("serviceaccount", nsBudgetTenant, name)(),
				finding("serviceaccount", nsBudgetTenant, name)()))
		}
		record("A15 tenant namespace after the flood", strings.Join(held, " "))

		By("an unowned ServiceAccount in the other namespace is still revoked")
		apply(serviceAccount(nsBudgetOther, "a15-other"))
		Eventually(finding("serviceaccount", nsBudgetOther, "a15-other")).WithTimeout(30 * time.Second).Should(Equal("revoked"))
		record("A15 policy status", kubectl("get", "ownershippolicy", policyBudget, "-o",
			`jsonpath=revocationsInWindow={.status.revocationsInWindow} EnforcementHalted={.status.conditions[?(@.type=="EnforcementHalted")].status}`).Stdout)
	})

	It("A16: nobody but the manager creates or updates a Ledger", func() {
		ledger := func(namespace, name string) string {
			return "apiVersion: nhi.steward.dev/v1alpha1\nkind: Ledger\nmetadata: {name: " + name + ", namespace: " + namespace + "}\n"
		}
		Eventually(func() string { return jsonpath("ledger", "steward-system", "ns."+nsTenant, "{.metadata.name}") }).
			WithTimeout(30 * time.Second).Should(Equal("ns." + nsTenant))
		refusedWith(createAs(tenant, ledger(nsTenant, "ns."+nsTenant)),
			`User "tenant@example.com" cannot create resource "ledgers" in API group "nhi.steward.dev" in the namespace "`+nsTenant+`"`)
		refusedWith(createAs(tenant, ledger("steward-system", "ns.e2e-atk-forged")),
			`User "tenant@example.com" cannot create resource "ledgers" in API group "nhi.steward.dev" in the namespace "steward-system"`)
		refusedWith(as(tenant, "patch", "ledger", "ns."+nsTenant, "-n", "steward-system", "--subresource=status", "--type=merge",
			"-p", `{"status":{"identities":{}}}`), `User "tenant@example.com" cannot`, `resource "ledgers/status"`)
		Expect(canI(tenant, "get", "ledgers", "-n", "steward-system")).To(Equal("no"))

		By("even a cluster administrator")
		refusedWith(utils.KubectlWithInput(ledger(nsTenant, "ns."+nsTenant), "create", "-f", "-"),
			"Only Steward's manager may create Ledger "+nsTenant+"/ns."+nsTenant, "ledgers are Steward's own records")
		refusedWith(utils.KubectlWithInput(ledger("steward-system", "ns.e2e-atk-forged"), "create", "-f", "-"),
			"Only Steward's manager may create Ledger steward-system/ns.e2e-atk-forged")
		refusedWith(kubectl("patch", "ledger", "ns."+nsTenant, "-n", "steward-system", "--subresource=status", "--type=merge",
			"-p", `{"status":{"identities":{}}}`), "Only Steward's manager may update the status of Ledger steward-system/ns."+nsTenant)
		Expect(exists("ledger", nsTenant, "ns."+nsTenant)).To(BeFalse())
		Expect(exists("ledger", "steward-system", "ns.e2e-atk-forged")).To(BeFalse())
	})

	It("A17: the tenant cannot write steward.dev/removed-subjects on a binding", func() {
		admitted(createAs(tenant, utils.BoundServiceAccount(nsTenant, "a17")))
		refusedWith(as(tenant, "annotate", "rolebinding", "a17", "-n", nsTenant,
			"steward.dev/removed-subjects="+nsTenant+"/a17,"+nsTenant+"/intruder"),
			"metadata.annotations: only Steward's manager may set, change or remove steward.dev/ annotations on RoleBinding "+nsTenant+"/a17",
			"tenant@example.com may not change steward.dev/removed-subjects")
		refusedWith(createAs(tenant, `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: a17-forged
  namespace: `+nsTenant+`
  annotations: {steward.dev/removed-subjects: "`+nsTenant+`/intruder"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: read-configmaps}
subjects: [{kind: ServiceAccount, name: a17, namespace: `+nsTenant+`}]
`), "may not set steward.dev/removed-subjects")
		refusedWith(kubectl("annotate", "clusterrolebinding", grantCRB, "steward.dev/removed-subjects="+nsTenant+"/a17"),
			"only Steward's manager may set, change or remove steward.dev/ annotations on ClusterRoleBinding "+grantCRB)
		Expect(annotation("rolebinding", nsTenant, "a17", "steward.dev/removed-subjects")).To(BeEmpty())
		Expect(exists("rolebinding", nsTenant, "a17-forged")).To(BeFalse())
	})

	It("A18: the tenant cannot bump a legacy token's last-used label", func() {
		admitted(createAs(tenant, serviceAccount(nsTenant, "a18")))
		admitted(createAs(tenant, `
apiVersion: v1
kind: Secret
metadata:
  name: a18-token
  namespace: `+nsTenant+`
  annotations: {kubernetes.io/service-account.name: a18}
type: kubernetes.io/service-account-token
`))
		Eventually(func() string { return jsonpath("secret", nsTenant, "a18-token", "{.data.token}") }).
			WithTimeout(30 * time.Second).ShouldNot(BeEmpty())
		for _, day := range []string{time.Now().UTC().Format("2006-01-02"), "2999-01-01"} {
			refusedWith(as(tenant, "label", "secret", "a18-token", "-n", nsTenant, "--overwrite", "kubernetes.io/legacy-token-last-used="+day),
				"metadata.labels[kubernetes.io/legacy-token-last-used]: only the API server's legacy-token tracking (system:apiserver) may set it on Secret "+
					nsTenant+"/a18-token; tenant@example.com may not")
		}
		Expect(label("secret", nsTenant, "a18-token", "kubernetes.io/legacy-token-last-used")).To(BeEmpty())
	})

	It("A19: a stolen manager token can remove access but never grant it", func() {
		admitted(createAs(tenant, object(nsTenant, "a19-secret", "Opaque", nil, nil)))
		admitted(createAs(tenant, utils.BoundServiceAccount(nsTenant, "a19")))
		subjectsBefore := crbSubjects()
		user := func(name string) string {
			return `{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"` + name + `"}`
		}
		serviceAccountSubject := func(namespace, name string) string {
			return `{"kind":"ServiceAccount","name":"` + name + `","namespace":"` + namespace + `"}`
		}
		// The manager may update bindings (RBAC verb update, not patch):
		// a stolen token reads one and writes it back changed.
		replaceBinding := func(kind, name, namespace string, change func(binding map[string]any)) utils.Result {
			GinkgoHelper()
			args := []string{"get", kind, name, "-o", "json"}
			if namespace != "" {
				args = append(args, "-n", namespace)
			}
			current := as(managerUser, args...)
			admitted(current)
			var binding map[string]any
			Expect(json.Unmarshal([]byte(current.Stdout), &binding)).To(Succeed())
			change(binding)
			// A raw PUT: kubectl replace would also rewrite the
			// last-applied-configuration annotation.
			path := "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/" + name
			if namespace != "" {
				path = "/apis/rbac.authorization.k8s.io/v1/namespaces/" + namespace + "/rolebindings/" + name
			}
			return utils.KubectlWithInput(toJSON(binding), "--as", managerUser, "replace", "--raw", path, "-f", "-")
		}
		annotate := func(binding map[string]any, key, value string) {
			meta := binding["metadata"].(map[string]any)
			annotations, _ := meta["annotations"].(map[string]any)
			if annotations == nil {
				annotations = map[string]any{}
			}
			annotations[key] = value
			meta["annotations"] = annotations
		}
		addSubject := func(kind, name, namespace, subject string) utils.Result {
			GinkgoHelper()
			return replaceBinding(kind, name, namespace, func(binding map[string]any) {
				var s map[string]any
				Expect(json.Unmarshal([]byte(subject), &s)).To(Succeed())
				subjects, _ := binding["subjects"].([]any)
				binding["subjects"] = append(subjects, s)
			})
		}

		refusedWith(createAs(managerUser, `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: e2e-atk-stolen}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: User, apiGroup: rbac.authorization.k8s.io, name: `+tenant+`}]
`), `cannot create resource "clusterrolebindings"`)
		refusedWith(addSubject("clusterrolebinding", grantCRB, "", user(tenant)),
			"subjects: the Steward manager may not add User tenant@example.com to ClusterRoleBinding "+grantCRB)
		refusedWith(addSubject("clusterrolebinding", grantCRB, "", serviceAccountSubject(nsTenant, "a19")),
			"subjects: the Steward manager may not add ServiceAccount "+nsTenant+"/a19 to ClusterRoleBinding "+grantCRB)
		refusedWith(addSubject("rolebinding", "a19", nsTenant, user(tenant)),
			"subjects: the Steward manager may not add User tenant@example.com to RoleBinding "+nsTenant+"/a19")
		By("recording the ServiceAccount as one it removed, in the same update that adds it")
		refusedWith(replaceBinding("clusterrolebinding", grantCRB, "", func(binding map[string]any) {
			annotate(binding, "steward.dev/removed-subjects", nsTenant+"/a19")
			var s map[string]any
			Expect(json.Unmarshal([]byte(serviceAccountSubject(nsTenant, "a19")), &s)).To(Succeed())
			binding["subjects"] = append(binding["subjects"].([]any), s)
		}), "subjects: the Steward manager may not add ServiceAccount "+nsTenant+"/a19")
		refusedWith(as(managerUser, "delete", "clusterrolebinding", grantCRB), `cannot delete resource "clusterrolebindings"`)
		By("removing a subject, recording it, and re-adding it: what revocation and restore need, and all it may do")
		admitted(replaceBinding("rolebinding", "a19", nsTenant, func(binding map[string]any) {
			annotate(binding, "steward.dev/removed-subjects", nsTenant+"/a19")
			binding["subjects"] = []any{}
		}))
		refusedWith(addSubject("rolebinding", "a19", nsTenant, user(tenant)), "may not add User tenant@example.com")
		admitted(addSubject("rolebinding", "a19", nsTenant, serviceAccountSubject(nsTenant, "a19")))
		refusedWith(as(managerUser, "patch", "secret", "a19-secret", "-n", nsTenant, "--type=merge", "-p", `{"stringData":{"key":"stolen"}}`),
			"The Steward manager may change only steward.dev/ labels and annotations of Secret "+nsTenant+"/a19-secret", "refused: data")
		refusedWith(as(managerUser, "patch", "serviceaccount", "a19", "-n", nsTenant, "--type=merge", "-p",
			`{"imagePullSecrets":[{"name":"a19-secret"}]}`), "refused: imagePullSecrets")
		refusedWith(as(managerUser, "create", "serviceaccount", "a19-minted", "-n", nsTenant), `cannot create resource "serviceaccounts"`)

		By("deleting a Secret and a ServiceAccount in kube-system, where Steward never acts")
		const protected = "kube-system"
		apply(object(protected, "e2e-atk-a19", "Opaque", nil, nil))
		apply(serviceAccount(protected, "e2e-atk-a19"))
		DeferCleanup(func() {
			kubectl("delete", "secret", "e2e-atk-a19", "-n", protected, "--ignore-not-found")
			kubectl("delete", "serviceaccount", "e2e-atk-a19", "-n", protected, "--ignore-not-found")
		})
		refusedWith(as(managerUser, "delete", "secret", "e2e-atk-a19", "-n", protected),
			"The Steward manager may not delete Secret "+protected+"/e2e-atk-a19: Steward never acts in a protected namespace")
		refusedWith(as(managerUser, "delete", "serviceaccount", "e2e-atk-a19", "-n", protected),
			"The Steward manager may not delete ServiceAccount "+protected+"/e2e-atk-a19: Steward never acts in a protected namespace")
		Expect(exists("secret", protected, "e2e-atk-a19")).To(BeTrue(), "the stolen manager token deleted a Secret in "+protected)
		Expect(exists("serviceaccount", protected, "e2e-atk-a19")).To(BeTrue(), "the stolen manager token deleted a ServiceAccount in "+protected)
		admitted(kubectl("delete", "secret", "e2e-atk-a19", "-n", protected))
		admitted(kubectl("delete", "serviceaccount", "e2e-atk-a19", "-n", protected))

		Expect(crbSubjects()).To(Equal(subjectsBefore))
		Expect(jsonpath("rolebinding", nsTenant, "a19", "{.subjects}")).NotTo(ContainSubstring(tenant))
		Expect(jsonpath("secret", nsTenant, "a19-secret", "{.data.key}")).NotTo(BeEmpty())
		Expect(exists("clusterrolebinding", "", "e2e-atk-stolen")).To(BeFalse())

		checks := [][]string{
			{"create", "clusterrolebindings"}, {"update", "clusterrolebindings"}, {"patch", "clusterrolebindings"},
			{"delete", "clusterrolebindings"},
			{"bind", "clusterroles"}, {"escalate", "clusterroles"}, {"create", "serviceaccounts", "-n", nsTenant},
			{"delete", "serviceaccounts", "-n", "kube-system"}, {"delete", "secrets", "-n", "kube-system"},
			{"patch", "secrets", "-n", nsTenant}, {"create", "serviceaccounts/token", "-n", nsTenant},
			{"get", "secrets", "-n", nsTenant}, {"impersonate", "users"}, {"update", "ledgers", "--subresource=status", "-n", "steward-system"},
			{"delete", "ledgers", "-n", "steward-system"}, {"delete", "ownershipreviews", "-n", nsTenant},
		}
		table := make([]string, 0, len(checks))
		for _, check := range checks {
			table = append(table, strings.Join(check, " ")+": "+canI(managerUser, check...))
		}
		record("A19 kubectl auth can-i --as the manager", strings.Join(table, "; "))
		GinkgoWriter.Println(kubectl("auth", "can-i", "--list", "--as", managerUser, "-n", nsTenant).Stdout)
	})

	It("A20: a rotation date set without rotating, or in the future, postpones nothing", func() {
		admitted(createAs(tenant, object(nsTenant, "a20-rotated", "Opaque", nil,
			map[string]string{"steward.dev/rotated-at": ts(time.Now())})))
		refusedWith(as(tenant, "annotate", "secret", "a20-rotated", "-n", nsTenant, "--overwrite",
			"steward.dev/rotated-at="+ts(time.Now().Add(time.Hour))),
			"metadata.annotations[steward.dev/rotated-at]: tenant@example.com may set it on Secret "+nsTenant+"/a20-rotated only in the same update that changes the Secret's data")

		By("a Secret created with rotated-at far in the future, under a rotation.maxAge of 15 s, next to an honest twin")
		admitted(createAs(tenant, ownership(nsTenant, "a20", dev,
			"  identities: [{kind: Secret, name: a20-future}, {kind: Secret, name: a20-honest}]",
			"  rotation: {maxAge: 15s}\n")))
		approve(nsTenant, "a20", time.Now().Add(-time.Hour))
		Eventually(condition("identityownership", nsTenant, "a20", "Approved")).WithTimeout(30 * time.Second).Should(Equal("True/Approved"))
		start := time.Now()
		admitted(createAs(tenant, object(nsTenant, "a20-future", "Opaque", nil,
			map[string]string{"steward.dev/rotated-at": "2999-01-01T00:00:00Z"})))
		admitted(createAs(tenant, object(nsTenant, "a20-honest", "Opaque", nil, nil)))
		Eventually(state("secret", nsTenant, "a20-future")).WithTimeout(20 * time.Second).Should(Equal("Owned"))
		Expect(state("secret", nsTenant, "a20-honest")()).To(Equal("Owned"))

		flaggedAfter := map[string]time.Duration{}
		Eventually(func() int {
			for _, name := range []string{"a20-future", "a20-honest"} {
				if _, seen := flaggedAfter[name]; !seen && finding("secret", nsTenant, name)() == "rotation-overdue" {
					flaggedAfter[name] = time.Since(start)
				}
			}
			return len(flaggedAfter)
		}).WithTimeout(60*time.Second).WithPolling(250*time.Millisecond).Should(Equal(2), "flagged so far: %v", flaggedAfter)
		record("A20 flagged RotationOverdue after (maxAge 15 s)", fmt.Sprintf("future rotated-at %s, honest %s",
			flaggedAfter["a20-future"].Round(100*time.Millisecond), flaggedAfter["a20-honest"].Round(100*time.Millisecond)))
		Expect(state("secret", nsTenant, "a20-future")()).To(Equal("RotationOverdue"))
		diff := flaggedAfter["a20-future"] - flaggedAfter["a20-honest"]
		Expect(diff.Abs()).To(BeNumerically("<", 5*time.Second), "the future rotated-at postponed the finding")
		Expect(flaggedAfter["a20-future"]).To(BeNumerically("<=", 30*time.Second))
	})

	// creationTimestamp has a resolution of one second, and review names are
	// the filer's choice; Steward orders completed reviews by the
	// decisionSequence it writes, and judges pending ones after them. These
	// two attacks file a Recertify and a Revoke of the same ownership within
	// one second, named in the order an attacker would want.
	sameSecondReviews := func(prefix, firstBy, firstName, firstDecision, secondBy, secondName, secondDecision string) string {
		GinkgoHelper()
		created := func(name string) string {
			return jsonpath("ownershipreview", nsTenant, name, "{.metadata.creationTimestamp}")
		}
		for attempt := range 3 {
			name := fmt.Sprintf("%s-%d", prefix, attempt)
			admitted(createAs(tenant, serviceAccount(nsTenant, name)))
			admitted(createAs(tenant, ownership(nsTenant, name, dev, "  identities: [{kind: ServiceAccount, name: "+name+"}]", "")))
			approve(nsTenant, name, time.Now().Add(-time.Hour))
			Eventually(state("serviceaccount", nsTenant, name)).WithTimeout(30 * time.Second).Should(Equal("Owned"))
			// Start at the beginning of a second.
			time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)) + 20*time.Millisecond)
			admitted(createAs(firstBy, review(name+firstName, name, firstBy, firstDecision, "")))
			Eventually(condition("ownershipreview", nsTenant, name+firstName, "Completed")).
				WithTimeout(10 * time.Second).WithPolling(50 * time.Millisecond).Should(Equal("True/DecisionApplied"))
			admitted(createAs(secondBy, review(name+secondName, name, secondBy, secondDecision, "")))
			if first, second := created(name+firstName), created(name+secondName); first == second {
				GinkgoWriter.Printf("%s%s and %s%s were both created at %s\n", name, firstName, name, secondName, first)
				return name
			}
		}
		Fail("could not file both reviews within one second in 3 attempts")
		return ""
	}

	It("A21: a Recertify filed after a completed Revoke, in the same second, does not complete", func() {
		// "-early" sorts before "-revoke".
		name := sameSecondReviews("a21", sec, "-revoke", "Revoke", tenant, "-early", "Recertify")
		Eventually(condition("ownershipreview", nsTenant, name+"-early", "Completed")).WithTimeout(30 * time.Second).ShouldNot(BeEmpty())
		time.Sleep(2 * time.Second) // let the identity follow
		record("A21 outcome", fmt.Sprintf("Revoke %s, the tenant's later Recertify %s; %s state %q",
			condition("ownershipreview", nsTenant, name+"-revoke", "Completed")(),
			condition("ownershipreview", nsTenant, name+"-early", "Completed")(), name, state("serviceaccount", nsTenant, name)()))
		Expect(state("serviceaccount", nsTenant, name)()).To(Equal("Unowned"), "the Revoke decision was undone")
		Expect(condition("ownershipreview", nsTenant, name+"-early", "Completed")()).To(Equal("False/RevokeNotOverturned"),
			"a Recertify filed after a completed Revoke, without overturnsRevoke, was recorded as applied")
	})

	It("A22: a Revoke filed after the tenant's completed Recertify, in the same second, still revokes", func() {
		// "-revoke" sorts before "-zz-recertify".
		name := sameSecondReviews("a22", tenant, "-zz-recertify", "Recertify", sec, "-revoke", "Revoke")
		Eventually(condition("ownershipreview", nsTenant, name+"-revoke", "Completed")).WithTimeout(30 * time.Second).
			Should(Equal("True/DecisionApplied"))
		time.Sleep(2 * time.Second) // let the identity follow
		record("A22 outcome", fmt.Sprintf("the tenant's Recertify %s, then Revoke %s; %s state %q, ownership lastReview %s",
			condition("ownershipreview", nsTenant, name+"-zz-recertify", "Completed")(),
			condition("ownershipreview", nsTenant, name+"-revoke", "Completed")(), name, state("serviceaccount", nsTenant, name)(),
			jsonpath("identityownership", nsTenant, name, "{.status.lastReview.name}")))
		Eventually(state("serviceaccount", nsTenant, name)).WithTimeout(15*time.Second).Should(Equal("Unowned"),
			"a Revoke decision recorded as applied did not revoke")
		Consistently(state("serviceaccount", nsTenant, name)).WithTimeout(3 * time.Second).Should(Equal("Unowned"))
	})
	It("A23: a Pod the tenant runs as its unowned ServiceAccount holds the revocation only visibly, and only while it runs", func() {
		admitted(createAs(tenant, serviceAccount(nsEnforce, "a23")))
		admitted(createAs(tenant, `
apiVersion: v1
kind: Pod
metadata: {name: a23-keepalive, namespace: `+nsEnforce+`}
spec:
  serviceAccountName: a23
  automountServiceAccountToken: false
  containers: [{name: sleep, image: registry.invalid/sleep:1}]
`))
		held := func() string { return label("serviceaccount", nsEnforce, "a23", "steward.dev/revocation-held") }
		Eventually(held).WithTimeout(45*time.Second).Should(Equal("true"), "the due revocation is not reported as held")
		Expect(finding("serviceaccount", nsEnforce, "a23")()).To(Equal("unowned"), "a held identity keeps its finding")
		Eventually(func() string {
			return kubectl("get", "events.v1.events.k8s.io", "-n", nsEnforce, "--field-selector", "reason=RevocationHeld",
				"-o", "jsonpath={.items[*].note}").Stdout
		}).WithTimeout(10 * time.Second).Should(ContainSubstring("Pod/a23-keepalive"))
		refusedWith(as(tenant, "label", "serviceaccount", "a23", "-n", nsEnforce, "--overwrite", "steward.dev/revocation-held-"),
			"steward.dev/")

		By("once the Pod is gone, the revocation proceeds")
		admitted(as(tenant, "delete", "pod", "a23-keepalive", "-n", nsEnforce, "--grace-period=0", "--force"))
		Eventually(finding("serviceaccount", nsEnforce, "a23")).WithTimeout(30 * time.Second).Should(Equal("revoked"))
		record("A23 outcome", "held while Pod/a23-keepalive ran as it (label, RevocationHeld Event), revoked once it was deleted")
	})

	It("A24: a forged hold label postpones nothing", func() {
		refusedWith(createAs(tenant, object(nsEnforce, "a24", "", map[string]string{"steward.dev/revocation-held": "true"}, nil)),
			"steward.dev/revocation-held")
		admitted(createAs(tenant, serviceAccount(nsEnforce, "a24")))
		refusedWith(as(tenant, "label", "serviceaccount", "a24", "-n", nsEnforce, "steward.dev/revocation-held=true"),
			"steward.dev/revocation-held")
		Eventually(finding("serviceaccount", nsEnforce, "a24")).WithTimeout(45 * time.Second).Should(Equal("revoked"))
	})

	It("A25: a tenant can neither start, edit nor forge the progress of an access review campaign, and its own review decides nothing", func(ctx SpecContext) {
		const (
			name     = "e2e-atk-a25"
			resource = "accessreviewcampaigns"
		)
		campaign := func(name, reviewer string) string {
			return `
apiVersion: nhi.steward.dev/v1alpha1
kind: AccessReviewCampaign
metadata: {name: ` + name + `}
spec:
  scope: {namespaces: [` + nsTenant + `]}
  dueBy: "` + ts(time.Now().Add(24*time.Hour)) + `"
  reviewers: [` + reviewer + `]
  description: Attack scenario A25
`
		}
		// forbiddenByRBAC is the API server's authorizer refusing the tenant
		// a verb on the cluster-scoped campaigns: not admission, not
		// validation, not a missing object.
		forbiddenByRBAC := func(result utils.Result, verb, resource string) {
			GinkgoHelper()
			refusedWith(result, "Error from server (Forbidden)",
				`User "`+tenant+`" cannot `+verb+` resource "`+resource+`" in API group "nhi.steward.dev" at the cluster scope`)
		}
		// tenantCampaigns is the campaigns' API impersonating the tenant, for
		// the PATCH requests: kubectl patch reads the object first, which
		// the tenant may not either, and would never send them.
		tenantCampaigns := func() dynamic.ResourceInterface {
			GinkgoHelper()
			config, err := clientcmd.BuildConfigFromFlags("", os.Getenv("KUBECONFIG"))
			Expect(err).NotTo(HaveOccurred())
			config.Impersonate = rest.ImpersonationConfig{UserName: tenant}
			client, err := dynamic.NewForConfig(config)
			Expect(err).NotTo(HaveOccurred())
			return client.Resource(schema.GroupVersionResource{Group: "nhi.steward.dev", Version: "v1alpha1", Resource: resource})
		}()
		patchForbiddenByRBAC := func(patch string, subresources ...string) {
			GinkgoHelper()
			_, err := tenantCampaigns.Patch(ctx, name, types.MergePatchType, []byte(patch), metav1.PatchOptions{}, subresources...)
			Expect(err).To(HaveOccurred(), "the tenant patched campaign %s %v", name, subresources)
			Expect(apierrors.IsForbidden(err)).To(BeTrue(), "want Forbidden, got: %v", err)
			target := resource
			if len(subresources) > 0 {
				target += "/" + subresources[0]
			}
			Expect(err.Error()).To(ContainSubstring(
				`User "` + tenant + `" cannot patch resource "` + target + `" in API group "nhi.steward.dev" at the cluster scope`))
		}
		type campaignItem struct {
			Namespace string   `json:"namespace"`
			Ownership string   `json:"ownership"`
			Contacts  []string `json:"contacts"`
			Decision  string   `json:"decision"`
			Reviewer  string   `json:"reviewer"`
			Review    string   `json:"review"`
		}
		type campaignObject struct {
			Status struct {
				StartedAt string         `json:"startedAt"`
				Progress  string         `json:"progress"`
				Items     []campaignItem `json:"items"`
			} `json:"status"`
		}
		// read is the campaign as the administrator sees it.
		read := func(g Gomega) campaignObject {
			GinkgoHelper()
			result := kubectl("get", "accessreviewcampaign", name, "-o", "json")
			g.Expect(result.Err).NotTo(HaveOccurred(), result.String())
			var c campaignObject
			g.Expect(json.Unmarshal([]byte(result.Stdout), &c)).To(Succeed())
			return c
		}
		// item is the campaign's item for ownership a25; it fails when the
		// campaign has none, so that an empty decision is never that of a
		// missing item.
		item := func(g Gomega) campaignItem {
			GinkgoHelper()
			c := read(g)
			i := slices.IndexFunc(c.Status.Items, func(it campaignItem) bool {
				return it.Namespace == nsTenant && it.Ownership == "a25"
			})
			g.Expect(i).To(BeNumerically(">=", 0), "campaign %s has no item for %s/a25: %+v", name, nsTenant, c.Status.Items)
			return c.Status.Items[i]
		}

		kubectl("delete", "accessreviewcampaign", name, name+"-tenant", "--ignore-not-found")
		DeferCleanup(func() {
			kubectl("delete", "accessreviewcampaign", name, name+"-tenant", "--ignore-not-found")
			kubectl("delete", "ownershipreview", "a25-self", "a25-sec", "-n", nsTenant, "--ignore-not-found", "--wait=false")
			kubectl("delete", "identityownership", "a25", "-n", nsTenant, "--ignore-not-found", "--wait=false")
			kubectl("delete", "serviceaccount", "a25-sa", "-n", nsTenant, "--ignore-not-found", "--wait=false")
		})

		By("an approved ownership in the tenant's namespace, whose contact is the tenant")
		admitted(createAs(tenant, serviceAccount(nsTenant, "a25-sa")))
		admitted(createAs(tenant, ownership(nsTenant, "a25", tenant, "  identities: [{kind: ServiceAccount, name: a25-sa}]", "")))
		approve(nsTenant, "a25", time.Now().Add(-time.Hour))
		Eventually(state("serviceaccount", nsTenant, "a25-sa")).WithTimeout(30 * time.Second).Should(Equal("Owned"))

		By("the tenant starting a campaign of its own namespace, naming itself the reviewer")
		forbiddenByRBAC(createAs(tenant, campaign(name+"-tenant", tenant)), "create", resource)
		Expect(kubectl("get", "accessreviewcampaign", name+"-tenant", "--ignore-not-found", "-o", "name").Stdout).To(BeEmpty())

		By("the security team's campaign of the tenant's namespace, reviewed by sec@, starting")
		apply(campaign(name, sec))
		Eventually(func(g Gomega) {
			c := read(g)
			g.Expect(c.Status.StartedAt).NotTo(BeEmpty(), "the campaign has not started")
			g.Expect(c.Status.Items).To(ContainElement(And(
				HaveField("Namespace", nsTenant), HaveField("Ownership", "a25"))), "the campaign's scope lacks a25")
		}).WithTimeout(60 * time.Second).Should(Succeed())
		frozen := item(Default)
		Expect(frozen.Contacts).To(ConsistOf(tenant), "the tenant is the frozen item's contact")
		Expect(frozen.Decision).To(BeEmpty())
		progressBefore := read(Default).Status.Progress

		By("the tenant editing, forging the progress of, and deleting the campaign")
		decided := `{"status":{"items":[{"namespace":"` + nsTenant + `","ownership":"a25","decision":"Recertify","reviewer":"` +
			sec + `","review":"a25-forged","decidedAt":"` + ts(time.Now()) + `"}],"progress":"1/1","percentComplete":100}}`
		patchForbiddenByRBAC(decided, "status")
		current := kubectl("get", "accessreviewcampaign", name, "-o", "json")
		admitted(current)
		var forged map[string]any
		Expect(json.Unmarshal([]byte(current.Stdout), &forged)).To(Succeed())
		var forgedStatus map[string]any
		Expect(json.Unmarshal([]byte(decided), &forgedStatus)).To(Succeed())
		forged["status"] = forgedStatus["status"]
		forbiddenByRBAC(utils.KubectlWithInput(toJSON(forged), "--as", tenant, "replace", "--raw",
			"/apis/nhi.steward.dev/v1alpha1/accessreviewcampaigns/"+name+"/status", "-f", "-"), "update", resource+"/status")
		patchForbiddenByRBAC(`{"spec":{"reviewers":["` + tenant + `"],"dueBy":"2999-01-01T00:00:00Z"}}`)
		By("the tenant patching the status with kubectl, which cannot even read it first")
		forbiddenByRBAC(as(tenant, "patch", "accessreviewcampaign", name, "--subresource=status", "--type=merge", "-p", decided),
			"get", resource+"/status")
		forbiddenByRBAC(as(tenant, "delete", "accessreviewcampaign", name), "delete", resource)
		table := make([]string, 0, 6)
		for _, check := range [][]string{
			{"create", resource}, {"update", resource}, {"patch", resource}, {"delete", resource},
			{"update", resource, "--subresource=status"}, {"patch", resource, "--subresource=status"},
		} {
			answer := canI(tenant, check...)
			table = append(table, strings.Join(check, " ")+": "+answer)
			Expect(answer).To(Equal("no"), "kubectl auth can-i --as %s %s", tenant, strings.Join(check, " "))
		}
		record("A25 kubectl auth can-i --as the tenant", strings.Join(table, "; "))
		Expect(read(Default).Status.Progress).To(Equal(progressBefore))
		Expect(item(Default).Decision).To(BeEmpty())

		By("the tenant, the ownership's contact, recertifying it in its own name after the campaign started")
		admitted(createAs(tenant, review("a25-self", "a25", tenant, "Recertify", "")))
		Eventually(condition("ownershipreview", nsTenant, "a25-self", "Completed")).WithTimeout(30 * time.Second).
			Should(Equal("False/SelfReview"))
		Consistently(func(g Gomega) {
			g.Expect(item(g).Decision).To(BeEmpty(), "the tenant's review of its own ownership decided the campaign's item")
		}).WithTimeout(5 * time.Second).WithPolling(500 * time.Millisecond).Should(Succeed())
		Expect(item(Default)).To(And(HaveField("Reviewer", BeEmpty()), HaveField("Review", BeEmpty())))
		Expect(condition("ownershipreview", nsTenant, "a25-self", "Completed")()).To(Equal("False/SelfReview"))

		By("sec@, the campaign's reviewer and no contact, recertifying it: the item is decided, so the check above could fail")
		admitted(createAs(sec, review("a25-sec", "a25", sec, "Recertify", "")))
		Eventually(condition("ownershipreview", nsTenant, "a25-sec", "Completed")).WithTimeout(30 * time.Second).
			Should(Equal("True/DecisionApplied"))
		Eventually(func(g Gomega) campaignItem { return item(g) }).WithTimeout(30 * time.Second).Should(And(
			HaveField("Decision", "Recertify"), HaveField("Reviewer", sec), HaveField("Review", "a25-sec")))
		record("A25 outcome", fmt.Sprintf("the tenant's own review %s decided nothing; sec@'s review %s decided the item; campaign progress %s",
			condition("ownershipreview", nsTenant, "a25-self", "Completed")(),
			condition("ownershipreview", nsTenant, "a25-sec", "Completed")(), read(Default).Status.Progress))
	})
})
