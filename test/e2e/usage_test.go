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
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/nhi-steward/steward/internal/evidence"
	"github.com/nhi-steward/steward/test/utils"
)

// Usage and privilege context, holds and warnings (SPEC §6, §7): a
// Deployment runs as a ServiceAccount whose ownership expires under an
// Enforce policy that revokes Expired at once. kube-controller-manager
// creates its ReplicaSet and Pod (Pending: there is no node), which is
// enough to reference the account.
var _ = Describe("Identities in use, privilege context and warnings", Ordered, func() {
	const namespace = "e2e-usage"

	steward := func(args ...string) string {
		GinkgoHelper()
		out, err := exec.Command(filepath.Join(utils.ProjectDir(), "bin", "kubectl-steward"), args...).CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(out))
		return string(out)
	}
	exportRow := func(name string) evidence.Row {
		GinkgoHelper()
		var export struct{ Items []evidence.Row }
		Expect(json.Unmarshal([]byte(steward("evidence", "-n", namespace, "-o", "json")), &export)).To(Succeed())
		for _, row := range export.Items {
			if row.Name == name && row.Kind == "ServiceAccount" {
				return row
			}
		}
		Fail("no export row for ServiceAccount " + name)
		return evidence.Row{}
	}
	label := func(name, key string) func() string {
		return func() string {
			return utils.Kubectl("get", "sa", name, "-n", namespace,
				"-o", "jsonpath={.metadata.labels."+strings.ReplaceAll(key, ".", `\.`)+"}").Stdout
		}
	}
	events := func(reason string) func() string {
		return func() string {
			return utils.Kubectl("get", "events.v1.events.k8s.io", "-n", namespace, "--field-selector", "reason="+reason,
				"-o", "jsonpath={.items[*].note}").Stdout
		}
	}
	ownership := func(name, expiresAt string) string {
		return fmt.Sprintf(`---
apiVersion: nhi.steward.dev/v1alpha1
kind: IdentityOwnership
metadata: {name: %[2]s, namespace: %[1]s}
spec:
  identities: [{kind: ServiceAccount, name: %[2]s}]
  owner: {team: storefront, contacts: [alice@example.com]}
  purpose: Serves the storefront.
  approval: {approvedBy: %[3]s, approvedAt: "2026-11-01T00:00:00Z", reference: SEC-7}
  expiresAt: %[4]q
`, namespace, name, approver, expiresAt)
	}
	apply := func(user, manifest string) {
		GinkgoHelper()
		result := utils.KubectlWithInputAs(user, manifest, "apply", "-f", "-")
		Expect(result.Err).NotTo(HaveOccurred(), result.String())
	}

	var (
		token     string
		expiresAt time.Time
	)

	BeforeAll(func() {
		// Long enough for the warning checks below, short enough to wait for.
		expiresAt = time.Now().Add(30 * time.Second).UTC().Truncate(time.Second)
		s := revocationScenario{namespace: namespace}
		s.apply(utils.GovernedNamespace(namespace, `  kinds: [ServiceAccount]
  enforcement: Enforce
  unusedAfter: 15s
  rules: [{finding: Expired, action: Revoke}, {finding: Unused, action: Flag}]
  revocation: {serviceAccountStrategies: [RemoveBindings]}`) + utils.ReaderRole(namespace) + `---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: read-secrets, namespace: ` + namespace + `}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader-secrets, namespace: ` + namespace + `}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: read-secrets}
subjects: [{kind: ServiceAccount, name: reader, namespace: ` + namespace + `}]
`)
		DeferCleanup(func() {
			utils.Kubectl("delete", "ownershippolicy", namespace, "--ignore-not-found")
			utils.Kubectl("delete", "namespace", namespace, "--wait=false")
		})
		// Owned first, so that nothing is revoked for being Unowned meanwhile
		// (Unowned has no rule here anyway).
		apply(approver, ownership("web", expiresAt.Format(time.RFC3339))+
			ownership("idle", "2030-01-01T00:00:00Z")+ownership("reader", "2030-01-01T00:00:00Z"))
		s.apply(utils.BoundServiceAccount(namespace, "web") + utils.BoundServiceAccount(namespace, "idle") +
			utils.BoundServiceAccount(namespace, "reader") + `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ` + namespace + `}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      serviceAccountName: web
      containers: [{name: web, image: registry.invalid/web:1}]
`)
		Eventually(func() string {
			return utils.Kubectl("get", "pods", "-n", namespace, "-l", "app=web", "-o", "jsonpath={.items[*].spec.serviceAccountName}").Stdout
		}).WithTimeout(60*time.Second).Should(Equal("web"), "kube-controller-manager creates the Deployment's Pod")
		token = requestToken(namespace, "web")
	})

	It("shows who uses an identity, in status and in explain", func() {
		Eventually(func() string {
			return utils.Kubectl("get", "iown", "web", "-n", namespace, "-o", "jsonpath={.status.identities[0].usage.workloads[*].name}").Stdout
		}).WithTimeout(30 * time.Second).Should(Equal("web"))
		Expect(utils.Kubectl("get", "iown", "web", "-n", namespace, "-o", "jsonpath={.status.identities[0].usage.workloads[0].kind}").Stdout).
			To(Equal("Deployment"), "the Pod is reported as the Deployment that runs it")
		Expect(steward("explain", "sa/web", "-n", namespace)).To(ContainSubstring("Deployment/web"))
	})

	It("warns while the ownership's expiry is within warnBefore: condition, Event, warn result", func() {
		Eventually(func() string {
			return utils.Kubectl("get", "iown", "web", "-n", namespace,
				"-o", `jsonpath={.status.conditions[?(@.type=="ExpiringSoon")].reason}`).Stdout
		}).WithTimeout(20 * time.Second).Should(Equal("ExpiryApproaching"))
		Eventually(events("ExpiringSoon")).WithTimeout(20 * time.Second).Should(ContainSubstring("IdentityOwnership web: the ownership expires at " + expiresAt.Format(time.RFC3339)))
		Eventually(func() string {
			return utils.Kubectl("get", "policyreport", "steward", "-n", namespace,
				"-o", `jsonpath={.results[?(@.resources[0].name=="web")].result}`).Stdout
		}).WithTimeout(20 * time.Second).Should(Equal("warn"))
		Expect(exportRow("web").Warnings).To(ContainElement(HavePrefix("Expiry@" + expiresAt.Format(time.RFC3339))))
		Expect(steward("explain", "sa/web", "-n", namespace)).To(ContainSubstring("Deadlines ahead"))
	})

	It("shows a ServiceAccount bound to a role that reads Secrets as such", func() {
		Eventually(func() string {
			return utils.Kubectl("get", "iown", "reader", "-n", namespace, "-o", "jsonpath={.status.identities[0].access.risky}").Stdout
		}).WithTimeout(30 * time.Second).Should(ContainSubstring("ReadSecrets"))
		Expect(exportRow("reader").Risky).To(ContainElement("ReadSecrets"))
		Expect(exportRow("reader").Controls).To(ContainElement("OWASP NHI NHI5"))
		Expect(steward("explain", "sa/reader", "-n", namespace)).To(MatchRegexp(`Risky permissions:\s+ReadSecrets`))
		Expect(exportRow("web").Risky).To(BeEmpty(), "reading ConfigMaps is not risky")
	})

	It("flags a ServiceAccount no workload runs as Unused after unusedAfter", func() {
		Eventually(label("idle", "steward.dev/finding")).WithTimeout(60 * time.Second).Should(Equal("unused"))
		Expect(label("web", "steward.dev/finding")()).NotTo(Equal("unused"))
	})

	It("holds the expired ServiceAccount the Deployment uses, naming it, instead of revoking it", func() {
		Eventually(label("web", "steward.dev/revocation-held")).WithTimeout(120 * time.Second).Should(Equal("true"))
		Eventually(events("RevocationHeld")).WithTimeout(10 * time.Second).Should(ContainSubstring("Deployment/web"))
		Expect(manager.DecisionLog()).To(MatchRegexp(`"namespace":"` + namespace + `","kind":"ServiceAccount","name":"web".*"action":"Hold".*"workloads":\["Deployment/web"\]`))
		row := exportRow("web")
		Expect(row.State).To(Equal("Expired"))
		Expect(row.Held).To(BeTrue())
		Expect(row.UsedBy).To(ContainElement("Deployment/web"))
		Consistently(func() error { return asToken(token, "get", "configmaps", "-n", namespace).Err }).
			WithTimeout(3*time.Second).Should(Succeed(), "a held identity keeps its access")
	})

	It("revokes it once the policy says inUse: Revoke, and the token is refused", func() {
		result := utils.Kubectl("patch", "ownershippolicy", namespace, "--type=merge", "-p", `{"spec":{"revocation":{"inUse":"Revoke"}}}`)
		Expect(result.Err).NotTo(HaveOccurred(), result.String())
		Eventually(func() bool { return refused(asToken(token, "get", "configmaps", "-n", namespace)) }).
			WithTimeout(30 * time.Second).WithPolling(250 * time.Millisecond).Should(BeTrue())
		Eventually(label("web", "steward.dev/finding")).WithTimeout(10 * time.Second).Should(Equal("revoked"))
		Expect(events("Revoked")()).To(ContainSubstring("ServiceAccount web revoked (Expired)"))
	})
})
