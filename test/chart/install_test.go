//go:build chart

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

package chart

import (
	"os"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/nhi-steward/steward/test/utils"
)

// The chart on a real API server (the local control plane hack/test-chart.sh
// starts): it installs, upgrades and uninstalls, and what it installs is
// enforced. No image can be pulled here and the control plane has no nodes,
// so the manager's Pods never run: the Deployment is checked as the API
// server accepted it.
var _ = Describe("The chart on a cluster", Ordered, Label("cluster"), func() {
	const (
		release   = "steward"
		namespace = "chart-admission"
		// alice may approve ownerships in namespace; bob may only edit them.
		alice    = "alice@example.com"
		bob      = "bob@example.com"
		pipeline = "system:serviceaccount:" + namespace + ":pipeline"
		manager  = "system:serviceaccount:" + stewardNamespace + ":steward-controller-manager"
		// A namespace the chart's values add to the protected ones.
		protected = "chart-protected"
	)
	crds := []string{
		"crd/identityownerships.nhi.steward.dev", "crd/ownershippolicies.nhi.steward.dev",
		"crd/ownershipexceptions.nhi.steward.dev", "crd/ownershipreviews.nhi.steward.dev",
		"crd/ledgers.nhi.steward.dev",
	}
	// The report CRDs, which the chart installs only when its values ask.
	reportCRDs := []string{"crd/policyreports.wgpolicyk8s.io", "crd/reports.openreports.io"}

	// An ownership of bob's, approved by approver.
	approvedOwnership := func(name, approver string) string {
		return `
apiVersion: nhi.steward.dev/v1alpha1
kind: IdentityOwnership
metadata: {name: ` + name + `, namespace: ` + namespace + `}
spec:
  identities: [{kind: ServiceAccount, name: batch}]
  owner: {team: payments, contacts: [` + bob + `]}
  purpose: Settlement batch
  expiresAt: "2030-01-01T00:00:00Z"
  approval: {approvedBy: ` + approver + `, approvedAt: "2026-11-01T00:00:00Z", reference: SEC-5}
`
	}
	// dryRunAs sends manifest through admission as user, creating nothing.
	dryRunAs := func(user, manifest string) utils.Result {
		return utils.KubectlWithInput(manifest, "--as", user, "create", "--dry-run=server", "-f", "-")
	}
	kubectl := func(args ...string) string {
		GinkgoHelper()
		return succeeded(utils.Kubectl(args...))
	}
	// refusedWith waits until the API server has loaded the policies (they
	// take effect asynchronously) and refuses the request with message.
	refusedWith := func(request func() utils.Result, message string) {
		GinkgoHelper()
		Eventually(func(g Gomega) {
			result := request()
			g.Expect(result.Err).To(HaveOccurred(), "admitted, but it should have been refused with %q", message)
			g.Expect(result.Stderr).To(ContainSubstring(message))
		}).WithTimeout(60 * time.Second).WithPolling(time.Second).Should(Succeed())
	}
	admitted := func(result utils.Result) {
		GinkgoHelper()
		Expect(result.Err).NotTo(HaveOccurred(), result.String())
	}

	BeforeAll(func() {
		Expect(os.Getenv("KUBECONFIG")).NotTo(BeEmpty(),
			"KUBECONFIG is not set: run the suite with `make test-chart`, which starts a local control plane")
		succeeded(utils.Kubectl("version"))
	})

	It("passes helm lint, with the default values and with every option on", func() {
		succeeded(helm("lint", chartDir))
		succeeded(helm("lint", chartDir, "--namespace", stewardNamespace,
			"--set", "prometheus.serviceMonitor.enabled=true", "--set", "prometheus.rules.enabled=true",
			"--set", "namespace.create=true", "--set", "admission.trustedPipelines[0]="+pipeline,
			"--set", "reportCRDs.policyReport=true", "--set", "reportCRDs.openReports=true",
			"--set", "manager.reportFormat=both",
			"--set", "admission.protectedNamespaces={kube-system,kube-public,kube-node-lease,"+protected+"}"))
	})

	It("refuses values that would weaken the admission policies", func() {
		result := helm("template", release, chartDir, "--set", "admission.protectedNamespaces={kube-public,kube-node-lease}")
		Expect(result.Err).To(HaveOccurred())
		Expect(result.Stderr).To(ContainSubstring("admission.protectedNamespaces must include kube-system"))
		// A name that would close the CEL list and change the expression.
		injected := "x'])||true||(['y"
		result = helm("template", release, chartDir,
			"--set", "admission.protectedNamespaces={kube-system,kube-public,kube-node-lease,"+injected+"}")
		Expect(result.Err).To(HaveOccurred())
		Expect(result.Stderr).To(ContainSubstring("is not a namespace name"))
		result = helm("template", release, chartDir, "--set", `admission.trustedPipelines[0]=a\,b`)
		Expect(result.Err).To(HaveOccurred())
		Expect(result.Stderr).To(ContainSubstring("holds a comma"))
		// The manager would refuse it only when it starts, after the install.
		result = helm("template", release, chartDir, "--set", "manager.reportFormat=openreport")
		Expect(result.Err).To(HaveOccurred())
		Expect(result.Stderr).To(ContainSubstring(`manager.reportFormat: "openreport" is not a report format`))
	})

	It("renders manifests the API server accepts (kubectl apply --dry-run=server)", func() {
		// The release's namespace exists before helm install runs, as
		// --create-namespace leaves it.
		kubectl("create", "namespace", stewardNamespace)
		manifests := succeeded(helm("template", release, chartDir, "--namespace", stewardNamespace, "--include-crds"))
		out := succeeded(utils.KubectlWithInput(manifests, "apply", "--dry-run=server", "-f", "-"))
		Expect(out).To(ContainSubstring("deployment.apps/steward-controller-manager created (server dry run)"))
		Expect(out).To(ContainSubstring(
			"validatingadmissionpolicy.admissionregistration.k8s.io/steward-separation-of-duties created (server dry run)"))
	})

	It("installs: the CRDs are Established and the manager Deployment is accepted", func() {
		succeeded(helm("install", release, chartDir, "--namespace", stewardNamespace, "--create-namespace"))
		kubectl(append([]string{"wait", "--for=condition=Established", "--timeout=60s"}, crds...)...)

		args := kubectl("get", "deployment", "steward-controller-manager", "-n", stewardNamespace,
			"-o", "jsonpath={.spec.template.spec.containers[0].args}")
		Expect(args).To(Equal(`["--metrics-bind-address=:8443","--leader-elect","--health-probe-bind-address=:8081"]`))
		Expect(kubectl("get", "deployment", "steward-controller-manager", "-n", stewardNamespace,
			"-o", "jsonpath={.spec.template.spec.serviceAccountName}")).To(Equal("steward-controller-manager"))
		Expect(kubectl("get", "service", "steward-controller-manager-metrics-service", "-n", stewardNamespace,
			"-o", "jsonpath={.spec.ports[0].targetPort}")).To(Equal("8443"))
		Expect(succeeded(helm("status", release, "--namespace", stewardNamespace))).To(ContainSubstring("STATUS: deployed"))
		for _, crd := range reportCRDs {
			Expect(utils.Kubectl("get", crd).Err).To(HaveOccurred(), "%s is installed only when the values ask", crd)
		}

		// The people and the pipeline of the admission specs.
		kubectl("create", "namespace", namespace)
		kubectl("create", "serviceaccount", "pipeline", "-n", namespace)
		kubectl("create", "rolebinding", "ownership-editors", "-n", namespace,
			"--clusterrole=steward-identityownership-editor-role", "--user="+alice, "--user="+bob,
			"--serviceaccount="+namespace+":pipeline")
		kubectl("create", "rolebinding", "approvers", "-n", namespace,
			"--clusterrole=steward-identityownership-approver", "--user="+alice,
			"--serviceaccount="+namespace+":pipeline")
		Eventually(func() string {
			return strings.TrimSpace(utils.Kubectl("auth", "can-i", "approve", "identityownerships.nhi.steward.dev",
				"-n", namespace, "--as", pipeline).Stdout)
		}).WithTimeout(30 * time.Second).Should(Equal("yes"))
	})

	It("enforces separation of duties: an approval in someone else's name is refused", func() {
		refusedWith(func() utils.Result { return dryRunAs(bob, approvedOwnership("by-bob", alice)) },
			"spec.approval.approvedBy: only "+alice+" can record an approval in their own name; "+bob+" cannot")
		// Not a refusal of everything: alice records her own approval.
		admitted(dryRunAs(alice, approvedOwnership("by-alice", alice)))
		// No pipeline is trusted by default.
		refusedWith(func() utils.Result { return dryRunAs(pipeline, approvedOwnership("by-pipeline", alice)) },
			"can record an approval in their own name; "+pipeline+" cannot")
	})

	It("enforces protected keys: nobody but the manager sets steward.dev/ labels", func() {
		serviceAccount := `
apiVersion: v1
kind: ServiceAccount
metadata: {name: self-owned, namespace: ` + namespace + `, labels: {steward.dev/state: Owned}}
`
		refusedWith(func() utils.Result {
			return utils.KubectlWithInput(serviceAccount, "create", "--dry-run=server", "-f", "-")
		}, "only Steward's manager may set, change or remove steward.dev/ keys")
	})

	It("upgrades with the report format and the report CRDs from the values", func() {
		succeeded(helm("upgrade", release, chartDir, "--namespace", stewardNamespace,
			"--set", "manager.reportFormat=openreports",
			"--set", "reportCRDs.policyReport=true", "--set", "reportCRDs.openReports=true"))
		kubectl(append([]string{"wait", "--for=condition=Established", "--timeout=60s"}, reportCRDs...)...)
		Expect(kubectl("get", "deployment", "steward-controller-manager", "-n", stewardNamespace,
			"-o", "jsonpath={.spec.template.spec.containers[0].args}")).To(Equal(
			`["--metrics-bind-address=:8443","--leader-elect","--health-probe-bind-address=:8081","--report-format=openreports"]`))
		// A report the manager would write is accepted by the installed schema.
		kubectl("create", "namespace", "chart-reports")
		admitted(utils.KubectlWithInput(`
apiVersion: openreports.io/v1alpha1
kind: Report
metadata: {name: steward, namespace: chart-reports}
source: steward
configuration: {limits: {maxResults: 2000}}
summary: {pass: 1}
results:
- {policy: steward-ownership, result: pass, source: steward, message: owned}
`, "create", "--dry-run=server", "-f", "-"))
	})

	It("upgrades with trusted pipelines and protected namespaces from the values", func() {
		// Before: the manager may delete a Secret in an ordinary namespace.
		kubectl("create", "namespace", protected)
		kubectl("create", "secret", "generic", "token", "-n", protected)
		admitted(utils.Kubectl("--as", manager, "delete", "secret", "token", "-n", protected, "--dry-run=server"))

		succeeded(helm("upgrade", release, chartDir, "--namespace", stewardNamespace,
			"--set", "admission.trustedPipelines[0]="+strings.ToUpper(pipeline),
			"--set", "admission.protectedNamespaces={kube-system,kube-public,kube-node-lease,"+protected+"}"))
		Expect(kubectl("get", "configmap", "steward-admission", "-n", stewardNamespace,
			"-o", "jsonpath={.data.trustedPipelines}")).To(Equal(strings.ToUpper(pipeline)))

		// The pipeline, listed (in upper case: usernames compare
		// case-insensitively), records an approval in alice's name.
		Eventually(func() utils.Result { return dryRunAs(pipeline, approvedOwnership("by-pipeline", alice)) }).
			WithTimeout(60 * time.Second).WithPolling(time.Second).Should(
			WithTransform(func(r utils.Result) error { return r.Err }, Succeed()))
		// bob is still refused.
		refusedWith(func() utils.Result { return dryRunAs(bob, approvedOwnership("by-bob", alice)) },
			"can record an approval in their own name; "+bob+" cannot")
		// The manager may no longer delete identities in the added namespace.
		refusedWith(func() utils.Result {
			return utils.Kubectl("--as", manager, "delete", "secret", "token", "-n", protected, "--dry-run=server")
		}, "Steward never acts in a protected namespace (kube-system, kube-public, kube-node-lease, "+
			protected+", "+stewardNamespace+")")
	})

	It("does not silently keep or drop a trusted pipeline patched in by hand", func() {
		kubectl("patch", "configmap", "steward-admission", "-n", stewardNamespace, "--type=merge",
			"-p", `{"data":{"trustedPipelines":"system:serviceaccount:elsewhere:deployer"}}`)
		// helm applies server-side: the hand-made change conflicts with the
		// values, and the upgrade stops rather than overwrite it.
		result := helm("upgrade", release, chartDir, "--namespace", stewardNamespace,
			"--set", "admission.trustedPipelines[0]="+pipeline)
		Expect(result.Err).To(HaveOccurred(), result.String())
		Expect(result.Stderr).To(ContainSubstring(`conflict with "kubectl-patch"`))
		Expect(result.Stderr).To(ContainSubstring(".data.trustedPipelines"))
		// --force-conflicts makes the values the list again.
		succeeded(helm("upgrade", release, chartDir, "--namespace", stewardNamespace, "--force-conflicts",
			"--set", "admission.trustedPipelines[0]="+pipeline))
		Expect(kubectl("get", "configmap", "steward-admission", "-n", stewardNamespace,
			"-o", "jsonpath={.data.trustedPipelines}")).To(Equal(pipeline))
	})

	It("uninstalls, leaving the CRDs (and so everyone's ownership records) in place", func() {
		succeeded(helm("uninstall", release, "--namespace", stewardNamespace))
		kubectl(append([]string{"get"}, crds...)...)
		// The report CRDs, dropped from the values by the upgrades since,
		// are kept too (helm.sh/resource-policy: keep), and the reports
		// with them.
		kubectl(append([]string{"get"}, reportCRDs...)...)
		deployment := utils.Kubectl("get", "deployment", "steward-controller-manager", "-n", stewardNamespace)
		Expect(deployment.Err).To(HaveOccurred(), "helm uninstall left the manager Deployment")
	})
})
