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
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/types"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/test/utils"
)

// revocationScenario is a namespace under an Enforce policy that revokes
// Unowned ServiceAccounts at once with one strategy. Each has a "keeper"
// ServiceAccount that stays owned, and whose token must keep working.
type revocationScenario struct {
	namespace string
	strategy  string
}

func (s revocationScenario) apply(manifest string) {
	GinkgoHelper()
	result := utils.KubectlWithInput(manifest, "apply", "-f", "-")
	Expect(result.Err).NotTo(HaveOccurred(), result.String())
}

// approver records the scenario's approvals: admission lets only the person
// named in spec.approval.approvedBy set it.
const approver = "carol@example.com"

// applyAs applies a manifest as the person user.
func (s revocationScenario) applyAs(user, manifest string) {
	GinkgoHelper()
	result := utils.KubectlWithInputAs(user, manifest, "apply", "-f", "-")
	Expect(result.Err).NotTo(HaveOccurred(), result.String())
}

func (s revocationScenario) setUp() {
	GinkgoHelper()
	s.apply(utils.GovernedNamespace(s.namespace, `  kinds: [ServiceAccount]
  enforcement: Enforce
  rules: [{finding: Unowned, action: Revoke}]
  revocation: {serviceAccountStrategies: [`+s.strategy+`]}`) + utils.ReaderRole(s.namespace))
	for _, account := range []string{"keeper", "target"} {
		// The ownership comes first: an unowned ServiceAccount is revoked at
		// once. The approver files it with her approval.
		s.applyAs(approver, fmt.Sprintf(`
apiVersion: nhi.steward.dev/v1alpha1
kind: IdentityOwnership
metadata: {name: %[2]s, namespace: %[1]s}
spec:
  identities: [{kind: ServiceAccount, name: %[2]s}]
  owner: {team: payments, contacts: [alice@example.com]}
  purpose: Reads configuration for the checkout service.
  approval: {approvedBy: %[3]s, approvedAt: "2026-11-01T00:00:00Z", reference: SEC-42}
  expiresAt: "2030-01-01T00:00:00Z"
`, s.namespace, account, approver))
		s.apply(utils.BoundServiceAccount(s.namespace, account))
	}
	Eventually(func() string {
		return utils.Kubectl("get", "sa", "target", "-n", s.namespace,
			"-o", `jsonpath={.metadata.annotations.steward\.dev/state}`).Stdout
	}).WithTimeout(30 * time.Second).Should(Equal("Owned"))
}

func (s revocationScenario) tearDown() {
	utils.Kubectl("delete", "ownershippolicy", s.namespace, "--ignore-not-found")
	utils.Kubectl("delete", "namespace", s.namespace, "--wait=false")
}

// canList runs `kubectl get configmaps` with only the token.
func (s revocationScenario) canList(token string) utils.Result {
	return asToken(token, "get", "configmaps", "-n", s.namespace)
}

// refused reports a token rejected with 401 (Unauthorized) or 403 (Forbidden).
func refused(result utils.Result) bool {
	return result.Err != nil &&
		(strings.Contains(result.Stderr, "Unauthorized") || strings.Contains(result.Stderr, "Forbidden"))
}

// uid is the UID of a namespaced object.
func uid(kind, namespace, name string) string {
	GinkgoHelper()
	result := utils.Kubectl("get", kind, name, "-n", namespace, "-o", "jsonpath={.metadata.uid}")
	Expect(result.Err).NotTo(HaveOccurred(), result.String())
	Expect(result.Stdout).NotTo(BeEmpty())
	return result.Stdout
}

// namespaceLedger is Steward's record of a namespace: the Ledger
// ns.<namespace> in steward-system.
func namespaceLedger(namespace string) nhi.Ledger {
	GinkgoHelper()
	result := utils.Kubectl("get", "ledger", nhi.LedgerPrefixNamespace+namespace, "-n", "steward-system", "-o", "json")
	Expect(result.Err).NotTo(HaveOccurred(), result.String())
	var ledger nhi.Ledger
	Expect(json.Unmarshal([]byte(result.Stdout), &ledger)).To(Succeed())
	return ledger
}

// committedRevocation waits for the ledger's record of the identity's
// revocation to be committed (revokedAt set), and returns it.
func committedRevocation(namespace, identityUID string) nhi.RevocationRecord {
	GinkgoHelper()
	var record nhi.RevocationRecord
	Eventually(func(g Gomega) {
		var found bool
		record, found = namespaceLedger(namespace).Status.Revocations[identityUID]
		g.Expect(found).To(BeTrue(), "the ledger records no revocation of %s", identityUID)
		g.Expect(record.RevokedAt).NotTo(BeNil(), "the revocation is not committed")
	}).WithTimeout(30 * time.Second).Should(Succeed())
	return record
}

func requestToken(namespace, account string) string {
	GinkgoHelper()
	result := utils.Kubectl("create", "token", account, "-n", namespace, "--duration", "1h")
	Expect(result.Err).NotTo(HaveOccurred(), result.String())
	return strings.TrimSpace(result.Stdout)
}

var _ = Describe("Revocation with real credentials", func() {
	// revokeAndProve drops the target's ownership, then shows its token is
	// refused while the keeper's keeps working.
	revokeAndProve := func(s revocationScenario, targetToken string, wait time.Duration) {
		GinkgoHelper()
		keeperToken := requestToken(s.namespace, "keeper")
		Expect(s.canList(targetToken).Err).NotTo(HaveOccurred(), "the target's token must work before revocation")
		Expect(s.canList(keeperToken).Err).NotTo(HaveOccurred())

		result := utils.Kubectl("delete", "identityownership", "target", "-n", s.namespace)
		Expect(result.Err).NotTo(HaveOccurred(), result.String())

		start := time.Now()
		Eventually(func() bool { return refused(s.canList(targetToken)) }).
			WithTimeout(wait).WithPolling(250*time.Millisecond).Should(BeTrue(), "the token still works")
		AddReportEntry(fmt.Sprintf("%s: token refused after", s.strategy), time.Since(start).Round(100*time.Millisecond).String())
		Expect(s.canList(keeperToken).Err).NotTo(HaveOccurred(), "an owned identity's token must keep working")
		Expect(manager.DecisionLog()).To(ContainSubstring(`"namespace":"` + s.namespace + `","kind":"ServiceAccount","name":"target"`))
	}

	It("RemoveBindings: a TokenRequest token is refused (403) once the bindings are gone", func() {
		s := revocationScenario{namespace: "e2e-remove-bindings", strategy: "RemoveBindings"}
		s.setUp()
		DeferCleanup(s.tearDown)
		revokeAndProve(s, requestToken(s.namespace, "target"), 30*time.Second)

		By("recording exactly what was removed in Steward's ledger")
		targetUID := uid("sa", s.namespace, "target")
		record := committedRevocation(s.namespace, targetUID)
		Expect(record.Kind).To(Equal(nhi.KindServiceAccount))
		Expect(record.Name).To(Equal("target"))
		Expect(record.Policy).To(Equal(s.namespace))
		Expect(record.Reason).To(Equal(string(nhi.FindingUnowned)))
		Expect(record.ID).NotTo(BeEmpty())
		Expect(record.ReservedAt.IsZero()).To(BeFalse())
		Expect(record.ReservedAt.After(record.RevokedAt.Time)).To(BeFalse(), "reserved before it was committed")
		Expect(record.RemovedBindings).To(ConsistOf(nhi.RemovedBinding{
			Kind: "RoleBinding", Namespace: s.namespace, Name: "target",
			UID:     types.UID(uid("rolebinding", s.namespace, "target")),
			RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "read-configmaps"},
			Subject: rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: "target", Namespace: s.namespace},
		}))
		Expect(record.ResidualAccess).To(BeEmpty())
		Expect(manager.DecisionLog()).To(ContainSubstring(`"revocation":"`+record.ID+`"`),
			"the decision log names the revocation by the ledger's id")
		Expect(namespaceLedger(s.namespace).Status.Revocations).NotTo(HaveKey(uid("sa", s.namespace, "keeper")),
			"the keeper is not revoked")
		Expect(utils.Kubectl("get", "rolebinding", "keeper", "-n", s.namespace,
			"-o", "jsonpath={.subjects[*].name}").Stdout).To(Equal("keeper"), "the keeper's binding is untouched")

		By("copying it, for people, onto the ServiceAccount")
		Eventually(func() string {
			return utils.Kubectl("get", "sa", "target", "-n", s.namespace,
				"-o", `jsonpath={.metadata.annotations.steward\.dev/removed-bindings}`).Stdout
		}).WithTimeout(10 * time.Second).Should(Equal("RoleBinding " + s.namespace + "/target (Role read-configmaps)"))
	})

	It("DeleteTokens: a legacy token Secret's token is refused (401) once the Secret is deleted", func() {
		s := revocationScenario{namespace: "e2e-delete-tokens", strategy: "DeleteTokens"}
		s.setUp()
		DeferCleanup(s.tearDown)
		s.apply(`
apiVersion: v1
kind: Secret
metadata:
  name: target-token
  namespace: ` + s.namespace + `
  annotations: {kubernetes.io/service-account.name: target}
type: kubernetes.io/service-account-token
`)
		var encoded string
		Eventually(func() string {
			encoded = utils.Kubectl("get", "secret", "target-token", "-n", s.namespace, "-o", "jsonpath={.data.token}").Stdout
			return encoded
		}).WithTimeout(30 * time.Second).ShouldNot(BeEmpty())
		token, err := base64.StdEncoding.DecodeString(encoded)
		Expect(err).NotTo(HaveOccurred())

		revokeAndProve(s, string(token), 30*time.Second)
		record := committedRevocation(s.namespace, uid("sa", s.namespace, "target"))
		Expect(record.Name).To(Equal("target"))
		Expect(record.Reason).To(Equal(string(nhi.FindingUnowned)))
		Expect(record.RemovedBindings).To(BeEmpty(), "DeleteTokens removes no binding")
		Expect(utils.Kubectl("get", "secret", "target-token", "-n", s.namespace).Err).To(HaveOccurred(),
			"the token Secret must be deleted")
		Expect(utils.Kubectl("get", "sa", "target", "-n", s.namespace).Err).NotTo(HaveOccurred(),
			"DeleteTokens leaves the ServiceAccount in place")
	})

	It("Delete: a TokenRequest token is refused (401) once the ServiceAccount is deleted", func() {
		s := revocationScenario{namespace: "e2e-delete", strategy: "Delete"}
		s.setUp()
		DeferCleanup(s.tearDown)
		// The API server caches successful token authentications for 10 s.
		revokeAndProve(s, requestToken(s.namespace, "target"), 45*time.Second)
		Expect(utils.Kubectl("get", "sa", "target", "-n", s.namespace).Err).To(HaveOccurred())
	})
})
