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
	"k8s.io/client-go/tools/clientcmd"
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

// fleetKubeconfig is a kubeconfig whose contexts reach the envtest API
// server, each defaulting to its namespace, plus one context whose server
// refuses connections.
func fleetKubeconfig(namespaces map[string]string, unreachable string) string {
	GinkgoHelper()
	user, err := testEnv.AddUser(envtest.User{Name: "plugin-admin", Groups: []string{"system:masters"}}, nil)
	Expect(err).NotTo(HaveOccurred())
	data, err := user.KubeConfig()
	Expect(err).NotTo(HaveOccurred())
	config, err := clientcmd.Load(data)
	Expect(err).NotTo(HaveOccurred())
	template := config.Contexts[config.CurrentContext]
	for name, namespace := range namespaces {
		c := template.DeepCopy()
		c.Namespace = namespace
		config.Contexts[name] = c
	}
	closed := *config.Clusters[template.Cluster]
	closed.Server = "https://127.0.0.1:1"
	config.Clusters["closed"] = &closed
	gone := template.DeepCopy()
	gone.Cluster = "closed"
	config.Contexts[unreachable] = gone
	delete(config.Contexts, config.CurrentContext)
	config.CurrentContext = unreachable
	path := filepath.Join(GinkgoT().TempDir(), "kubeconfig")
	Expect(clientcmd.WriteToFile(*config, path)).To(Succeed())
	return path
}

// runPluginWith runs `kubectl steward ARGS` with a kubeconfig, returning
// stdout and stderr apart.
func runPluginWith(kubeconfig string, args ...string) (string, string, error) {
	cmd := plugin.NewRootCommand()
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(append([]string{"--kubeconfig", kubeconfig}, args...))
	err := cmd.ExecuteContext(ctx)
	return out.String(), errOut.String(), err
}

var _ = Describe("The kubectl steward plugin across a fleet", func() {
	It("merges contexts into one export with a CLUSTER column, and names a cluster it could not read", func() {
		east, west := newScenario(), newScenario()
		east.serviceAccount("east-orphan")
		west.serviceAccount("west-orphan")
		Eventually(east.stateOf(sa("east-orphan"))).Should(Equal("Unowned"))
		Eventually(west.stateOf(sa("west-orphan"))).Should(Equal("Unowned"))
		kubeconfig := fleetKubeconfig(map[string]string{"east": east.namespace, "west": west.namespace}, "gone")

		By("reading two contexts, each in its own namespace")
		var records [][]string
		Eventually(func() [][]string {
			stdout, stderr, err := runPluginWith(kubeconfig, "evidence", "--context", "east", "--context", "west", "-o", "csv")
			Expect(err).NotTo(HaveOccurred(), stderr)
			records, err = csv.NewReader(bytes.NewBufferString(stdout)).ReadAll()
			Expect(err).NotTo(HaveOccurred(), stdout)
			return records
		}).Should(HaveLen(3))
		Expect(records[0][:5]).To(Equal([]string{"cluster", "namespace", "kind", "name", "state"}))
		firstColumns := func(r []string) []string { return r[:5] }
		Expect([][]string{firstColumns(records[1]), firstColumns(records[2])}).To(ConsistOf(
			[]string{"east", east.namespace, "ServiceAccount", "east-orphan", "Unowned"},
			[]string{"west", west.namespace, "ServiceAccount", "west-orphan", "Unowned"},
		))

		By("naming the cluster it could not read, keeping the others, and failing")
		stdout, stderr, err := runPluginWith(kubeconfig, "evidence", "--all-contexts", "-o", "json")
		Expect(err).To(MatchError(ContainSubstring("1 of 3 clusters could not be read (gone)")))
		Expect(stderr).To(ContainSubstring("error: cluster gone could not be read"))
		var export struct {
			Items    []evidence.Row
			Clusters []evidence.ClusterRead
		}
		Expect(json.Unmarshal([]byte(stdout), &export)).To(Succeed(), stdout)
		Expect(export.Clusters).To(HaveExactElements(
			And(HaveField("Name", "east"), HaveField("Read", true), HaveField("Identities", 1)),
			And(HaveField("Name", "gone"), HaveField("Read", false), HaveField("Error", Not(BeEmpty()))),
			And(HaveField("Name", "west"), HaveField("Read", true), HaveField("Identities", 1)),
		))
		Expect(export.Items).To(ConsistOf(
			And(HaveField("Cluster", "east"), HaveField("Name", "east-orphan")),
			And(HaveField("Cluster", "west"), HaveField("Name", "west-orphan")),
		))

		By("refusing --context with --all-contexts")
		_, _, err = runPluginWith(kubeconfig, "evidence", "--context", "east", "--all-contexts")
		Expect(err).To(MatchError(ContainSubstring("choose one")))
	})
})

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
