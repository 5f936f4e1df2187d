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

package controller_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/evidence"
	"github.com/nhi-steward/steward/internal/plugin"
)

// runPlugin runs `kubectl steward ARGS` in-process against envtest.
func runPlugin(args ...string) (string, error) {
	GinkgoHelper()
	user, err := testEnv.AddUser(envtest.User{Name: "plugin-admin", Groups: []string{"system:masters"}}, nil)
	Expect(err).NotTo(HaveOccurred())
	kubeconfig, err := user.KubeConfig()
	Expect(err).NotTo(HaveOccurred())
	path := filepath.Join(GinkgoT().TempDir(), "kubeconfig")
	Expect(os.WriteFile(path, kubeconfig, 0o600)).To(Succeed())

	cmd := plugin.NewRootCommand()
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(append([]string{"--kubeconfig", path}, args...))
	err = cmd.ExecuteContext(ctx)
	return out.String() + errOut.String(), err
}

var _ = Describe("The kubectl steward plugin", func() {
	It("exports evidence, explains a state and says who owns an identity", func() {
		s := newScenario(func(spec *nhi.OwnershipPolicySpec) {
			grace := nhi.Duration("720h")
			spec.Rules = append(spec.Rules[1:], nhi.PolicyRule{Finding: nhi.FindingUnowned, Action: nhi.ActionRevoke, RevokeAfter: &grace})
		})
		s.serviceAccount("api")
		s.serviceAccount("orphan")
		s.secret("vendor-key", corev1.SecretTypeOpaque)
		s.ownership("api", []nhi.IdentityReference{sa("api")})
		s.ownership("vendor", []nhi.IdentityReference{secretRef("vendor-key")}, func(o *nhi.IdentityOwnership) {
			o.Spec.Approval = nil
		})
		exception := &nhi.OwnershipException{
			ObjectMeta: metav1.ObjectMeta{Name: "vendor-pending", Namespace: s.namespace},
			Spec: nhi.OwnershipExceptionSpec{Identities: []nhi.IdentityReference{secretRef("vendor-key")},
				Findings: []nhi.Finding{nhi.FindingUnapproved}, RiskAcceptedBy: "carol@example.com",
				Justification: "ticket in flight", ExpiresAt: metav1.NewTime(time.Now().Add(time.Hour))},
		}
		Expect(k8sClient.Create(ctx, exception)).To(Succeed())
		Eventually(s.stateOf(secretRef("vendor-key"))).Should(Equal("Excepted"))
		Eventually(s.stateOf(sa("orphan"))).Should(Equal("Unowned"))
		Eventually(func() []nhi.IdentityReference { s.get(exception)(); return exception.Status.Identities }).ShouldNot(BeEmpty())

		By("exporting JSON")
		var export struct{ Items []evidence.Row }
		Eventually(func() []evidence.Row {
			out, err := runPlugin("evidence", "-n", s.namespace, "-o", "json")
			Expect(err).NotTo(HaveOccurred(), out)
			Expect(json.Unmarshal([]byte(out[:bytes.LastIndexByte([]byte(out), '}')+1]), &export)).To(Succeed(), out)
			return export.Items
		}).Should(HaveLen(3))
		Expect(export.Items).To(ConsistOf(
			And(HaveField("Name", "api"), HaveField("State", "Owned"), HaveField("Team", "payments"),
				HaveField("ApprovedBy", "carol@example.com"), HaveField("ApprovalRef", "SEC-1")),
			And(HaveField("Name", "orphan"), HaveField("State", "Unowned"),
				HaveField("Controls", ContainElements("SOC 2 CC6.1", "OWASP NHI NHI1"))),
			And(HaveField("Name", "vendor-key"), HaveField("Kind", "Secret"), HaveField("State", "Excepted"),
				HaveField("Findings", ConsistOf("Unapproved")), HaveField("Exceptions", ContainElement(ContainSubstring("vendor-pending")))),
		))

		By("exporting CSV and markdown with the same rows")
		out, err := runPlugin("evidence", "-n", s.namespace, "-o", "csv")
		Expect(err).NotTo(HaveOccurred(), out)
		records, err := csv.NewReader(bytes.NewBufferString(out)).ReadAll()
		Expect(err).NotTo(HaveOccurred())
		Expect(records).To(HaveLen(4))
		Expect(records[0][:4]).To(Equal([]string{"namespace", "kind", "name", "state"}))
		out, err = runPlugin("evidence", "-n", s.namespace, "-o", "markdown")
		Expect(err).NotTo(HaveOccurred(), out)
		Expect(out).To(ContainSubstring("| " + s.namespace + " | ServiceAccount | orphan | Unowned |"))
		_, err = runPlugin("evidence", "-n", s.namespace, "-o", "yaml")
		Expect(err).To(MatchError(ContainSubstring("use one of table, csv, json, markdown")))

		By("explaining why, and what happens next")
		out, err = runPlugin("explain", "sa/orphan", "-n", s.namespace)
		Expect(err).NotTo(HaveOccurred(), out)
		Expect(out).To(ContainSubstring("Unowned"))
		Expect(out).To(ContainSubstring("no IdentityOwnership covers it"))
		Expect(out).To(MatchRegexp(`Unowned: Revoke after 720h0m0s — reported as WouldRevoke \(DryRun\) at \S+ \(in 7\d\dh`))

		By("saying who owns it")
		out, err = runPlugin("who-owns", "sa/api", "-n", s.namespace)
		Expect(err).NotTo(HaveOccurred(), out)
		Expect(out).To(And(ContainSubstring("payments"), ContainSubstring("alice@example.com"), ContainSubstring("carol@example.com")))
		_, err = runPlugin("who-owns", "pod/api", "-n", s.namespace)
		Expect(err).To(MatchError(ContainSubstring("Steward governs ServiceAccounts (sa) and Secrets")))
	})
})
