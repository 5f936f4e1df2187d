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
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/util/yaml"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/suggest"
	"github.com/nhi-steward/steward/test/utils"
)

// A platform team onboarding a cluster whose identities are all Unowned:
// `kubectl steward suggest` drafts the ownerships from what Helm, Argo CD,
// Flux, the app labels and owner references already say, the API server
// refuses the drafts until a person fills them in, and once applied they
// cover what suggest said they would.
var _ = Describe("Onboarding with kubectl steward suggest", Ordered, func() {
	const (
		namespace = "e2e-suggest"       // labelled with its team
		plain     = "e2e-suggest-plain" // no team anywhere
	)
	// The policies flag Unowned identities and need no approval, so that a
	// covered identity loses its steward.dev/finding label.
	policySpec := `  requireApproval: false
  excludedIdentities: [{kind: ServiceAccount, name: default}]
  rules: [{finding: Unowned, action: Flag}]`

	var outputDir, savedPath string

	// wantDrafts are the drafts for namespace: the selector each covers by,
	// or the identities it lists, and what it covers now.
	type wantDraft struct {
		selector map[string]string
		named    []string
		covers   int
	}
	wantDrafts := map[string]wantDraft{
		"analytics": {selector: map[string]string{"app.kubernetes.io/part-of": "analytics"}, covers: 2},
		"billing": {selector: map[string]string{"app.kubernetes.io/managed-by": "Helm", "app.kubernetes.io/instance": "billing"},
			covers: 2},
		"checkout-prod":  {selector: map[string]string{"argocd.argoproj.io/instance": "checkout-prod"}, covers: 2},
		"inventory":      {named: []string{"ServiceAccount/inventory"}, covers: 1},
		"ledger":         {selector: map[string]string{"kustomize.toolkit.fluxcd.io/name": "ledger", "kustomize.toolkit.fluxcd.io/namespace": "flux-system"}, covers: 1},
		"orders-api-key": {named: []string{"Secret/orders-api-key"}, covers: 1},
		"orders-db":      {named: []string{"Secret/orders-db"}, covers: 1},
		"search":         {selector: map[string]string{"helm.toolkit.fluxcd.io/name": "search"}, covers: 1},
	}

	BeforeAll(func() {
		By("building the plugin and putting it first on PATH, as on a platform engineer's laptop")
		binDir := GinkgoT().TempDir()
		build := exec.Command("go", "build", "-o", filepath.Join(binDir, "kubectl-steward"), "./cmd/kubectl-steward")
		build.Dir = utils.ProjectDir()
		out, err := build.CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(out))
		savedPath = os.Getenv("PATH")
		Expect(os.Setenv("PATH", binDir+string(os.PathListSeparator)+savedPath)).To(Succeed())
		outputDir = GinkgoT().TempDir()

		By("creating two governed namespaces, one labelled with its team, and an ExternalSecret CRD")
		result := utils.KubectlWithInput(utils.GovernedNamespace(namespace, policySpec)+
			utils.GovernedNamespace(plain, policySpec)+`
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: externalsecrets.external-secrets.io}
spec:
  group: external-secrets.io
  names: {kind: ExternalSecret, listKind: ExternalSecretList, plural: externalsecrets, singular: externalsecret}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
`, "apply", "-f", "-")
		Expect(result.Err).NotTo(HaveOccurred(), result.String())
		result = utils.Kubectl("label", "namespace", namespace, "team=storefront")
		Expect(result.Err).NotTo(HaveOccurred(), result.String())
		result = utils.Kubectl("wait", "--for=condition=Established", "--timeout=60s", "crd/externalsecrets.external-secrets.io")
		Expect(result.Err).NotTo(HaveOccurred(), result.String())

		By("creating the ExternalSecrets that own two Secrets, so the garbage collector keeps those Secrets")
		result = utils.KubectlWithInput(`
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: {name: orders-db, namespace: `+namespace+`}
spec: {refreshInterval: 1h, target: {name: orders-db}}
---
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: {name: orders-api-key, namespace: `+namespace+`}
spec: {refreshInterval: 1h, target: {name: orders-api-key}}
`, "apply", "-f", "-")
		Expect(result.Err).NotTo(HaveOccurred(), result.String())
		ownedBy := func(name string) string {
			uid := utils.Kubectl("get", "externalsecret", name, "-n", namespace, "-o", "jsonpath={.metadata.uid}")
			Expect(uid.Err).NotTo(HaveOccurred(), uid.String())
			return `[{apiVersion: external-secrets.io/v1, kind: ExternalSecret, name: ` + name +
				`, uid: ` + uid.Stdout + `, controller: true}]`
		}

		By("creating the identities: Helm, Argo CD, Flux, app labels, ESO, one owned and two with no signal")
		helm := `labels: {app.kubernetes.io/managed-by: Helm, app.kubernetes.io/instance: billing, app.kubernetes.io/name: billing}
  annotations: {meta.helm.sh/release-name: billing, meta.helm.sh/release-namespace: ` + namespace + `}`
		result = utils.KubectlWithInput(`
apiVersion: v1
kind: ServiceAccount
metadata:
  name: billing
  namespace: `+namespace+`
  `+helm+`
---
apiVersion: v1
kind: Secret
metadata:
  name: billing-db
  namespace: `+namespace+`
  `+helm+`
type: Opaque
stringData: {password: not-a-real-password}
---
apiVersion: v1
kind: Secret
metadata:
  name: sh.helm.release.v1.billing.v1
  namespace: `+namespace+`
  labels: {owner: helm, name: billing}
type: helm.sh/release.v1
stringData: {release: not-a-real-release}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: checkout, namespace: `+namespace+`, labels: {argocd.argoproj.io/instance: checkout-prod}}
---
apiVersion: v1
kind: Secret
metadata: {name: checkout-api-key, namespace: `+namespace+`, labels: {argocd.argoproj.io/instance: checkout-prod}}
type: Opaque
stringData: {key: not-a-real-key}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: inventory
  namespace: `+namespace+`
  annotations: {argocd.argoproj.io/tracking-id: "inventory:/ServiceAccount:`+namespace+`/inventory"}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: ledger
  namespace: `+namespace+`
  labels: {kustomize.toolkit.fluxcd.io/name: ledger, kustomize.toolkit.fluxcd.io/namespace: flux-system}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: search, namespace: `+namespace+`, labels: {helm.toolkit.fluxcd.io/name: search}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: reports, namespace: `+namespace+`, labels: {app.kubernetes.io/part-of: analytics}}
---
apiVersion: v1
kind: Secret
metadata: {name: reports-key, namespace: `+namespace+`, labels: {app.kubernetes.io/part-of: analytics}}
type: Opaque
stringData: {key: not-a-real-key}
---
apiVersion: v1
kind: Secret
metadata: {name: orders-db, namespace: `+namespace+`, ownerReferences: `+ownedBy("orders-db")+`}
type: Opaque
stringData: {password: not-a-real-password}
---
apiVersion: v1
kind: Secret
metadata: {name: orders-api-key, namespace: `+namespace+`, ownerReferences: `+ownedBy("orders-api-key")+`}
type: Opaque
stringData: {key: not-a-real-key}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: legacy, namespace: `+namespace+`}
---
apiVersion: nhi.steward.dev/v1alpha1
kind: IdentityOwnership
metadata: {name: legacy, namespace: `+namespace+`}
spec:
  identities: [{kind: ServiceAccount, name: legacy}]
  owner: {team: storefront, contacts: [erin@example.com]}
  purpose: The nightly export the storefront still runs.
  expiresAt: "2030-01-01T00:00:00Z"
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: forgotten, namespace: `+namespace+`}
---
apiVersion: v1
kind: Secret
metadata: {name: vendor-key, namespace: `+namespace+`}
type: Opaque
stringData: {key: not-a-real-key}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: etl, namespace: `+plain+`, labels: {app.kubernetes.io/name: etl}}
`, "apply", "-f", "-")
		Expect(result.Err).NotTo(HaveOccurred(), result.String())

		By("waiting until Steward flags the 13 Unowned identities")
		Eventually(func() []string { return flagged(namespace) }).WithTimeout(60 * time.Second).Should(HaveLen(13))
		Eventually(func() []string { return flagged(plain) }).WithTimeout(60 * time.Second).Should(HaveLen(1))
	})

	AfterAll(func() {
		Expect(os.Setenv("PATH", savedPath)).To(Succeed())
		for _, ns := range []string{namespace, plain} {
			utils.Kubectl("delete", "ownershippolicy", ns, "--ignore-not-found")
			utils.Kubectl("delete", "namespace", ns, "--wait=false")
		}
		utils.Kubectl("delete", "crd", "externalsecrets.external-secrets.io", "--ignore-not-found", "--wait=false")
	})

	It("drafts one ownership per application, by selector where a label identifies it", func() {
		result := utils.Kubectl("steward", "suggest", "-n", namespace)
		Expect(result.Err).NotTo(HaveOccurred(), result.String())
		drafts := decodeOwnerships(result.Stdout)

		names := make([]string, 0, len(drafts))
		for _, d := range drafts {
			names = append(names, d.Name)
		}
		want := make([]string, 0, len(wantDrafts))
		for name := range wantDrafts {
			want = append(want, name)
		}
		slices.Sort(want)
		Expect(names).To(Equal(want), "one draft per application, in name order:\n%s", result.Stdout)
		for _, d := range drafts {
			w := wantDrafts[d.Name]
			Expect(d.Namespace).To(Equal(namespace))
			if w.selector != nil {
				Expect(d.Spec.Selector).NotTo(BeNil(), "draft %s", d.Name)
				Expect(d.Spec.Selector.MatchLabels).To(Equal(w.selector), "draft %s", d.Name)
				Expect(d.Spec.Identities).To(BeEmpty(), "draft %s", d.Name)
			} else {
				Expect(d.Spec.Selector).To(BeNil(), "draft %s", d.Name)
				Expect(refNames(d.Spec.Identities)).To(Equal(w.named), "draft %s", d.Name)
			}
			Expect(d.Spec.Owner.Team).To(Equal("storefront"), "the namespace's team label names the team")
			Expect(d.Spec.Owner.Contacts).To(Equal([]nhi.Person{suggest.ContactPlaceholder}))
			Expect(d.Spec.Purpose).To(Equal(suggest.PurposePlaceholder))
			Expect(d.Spec.Approval).To(BeNil(), "a suggestion never approves")
		}

		Expect(result.Stdout).To(ContainSubstring(
			"# Coverage of namespace " + namespace + ": 13 Unowned identities; 8 drafts would cover 11.\n" +
				"# No signal (2): nothing groups these; draft their ownership by hand.\n" +
				"#   Secret/vendor-key\n" +
				"#   ServiceAccount/forgotten\n"))
		Expect(result.Stderr).To(ContainSubstring(
			"coverage: 13 Unowned identities in 1 namespace; 8 drafts would cover 11 of them, 2 with no signal"))
		Expect(result.Stdout).NotTo(ContainSubstring("legacy"), "an owned identity gets no draft")
		Expect(result.Stdout).NotTo(ContainSubstring("sh.helm.release"), "Helm's release Secrets are never governed")
	})

	It("writes one file per namespace, the same on every run", func() {
		result := utils.Kubectl("steward", "suggest", "-A", "--output-dir", outputDir)
		Expect(result.Err).NotTo(HaveOccurred(), result.String())
		Expect(result.Stderr).To(ContainSubstring("wrote " + filepath.Join(outputDir, namespace+".yaml") +
			": 8 drafts covering 11 of 13 Unowned identities"))
		Expect(result.Stderr).To(ContainSubstring("wrote " + filepath.Join(outputDir, plain+".yaml") +
			": 1 draft covering 1 of 1 Unowned identity"))

		single := utils.Kubectl("steward", "suggest", "-n", namespace)
		Expect(single.Err).NotTo(HaveOccurred(), single.String())
		Expect(readFile(filepath.Join(outputDir, namespace+".yaml"))).To(Equal(single.Stdout),
			"the file for a namespace is what suggest -n prints for it")

		plainDrafts := decodeOwnerships(readFile(filepath.Join(outputDir, plain+".yaml")))
		Expect(plainDrafts).To(HaveLen(1))
		Expect(plainDrafts[0].Name).To(Equal("etl"))
		Expect(plainDrafts[0].Spec.Selector.MatchLabels).To(Equal(map[string]string{"app.kubernetes.io/name": "etl"}))
		Expect(plainDrafts[0].Spec.Owner.Team).To(Equal(suggest.TeamPlaceholder), "nothing names the team")
	})

	It("is refused by the API server until a person fills in the placeholders", func() {
		storefront, etl := filepath.Join(outputDir, namespace+".yaml"), filepath.Join(outputDir, plain+".yaml")
		result := utils.Kubectl("apply", "--dry-run=server", "-f", storefront, "-f", etl)
		Expect(result.Err).To(HaveOccurred(), "the API server accepted a draft with placeholders:\n%s", result.String())
		Expect(result.Stderr).To(ContainSubstring(
			"spec.purpose is a placeholder from kubectl steward suggest: describe the business need"))
		Expect(result.Stderr).To(ContainSubstring(
			"spec.owner.contacts has a placeholder from kubectl steward suggest: name the people responsible, by e-mail address"))
		Expect(result.Stderr).To(ContainSubstring(
			"spec.owner.team is a placeholder from kubectl steward suggest: name the accountable team"))
		Expect(strings.Count(result.Stderr, "spec.purpose is a placeholder")).To(Equal(9), "every draft is refused")
		Expect(utils.Kubectl("get", "identityownerships", "-n", namespace, "-o", "name").Stdout).
			To(Equal("identityownership.nhi.steward.dev/legacy\n"))

		By("filling in the placeholders")
		fill := strings.NewReplacer(
			suggest.ContactPlaceholder, "dana@example.com",
			suggest.PurposePlaceholder, "Runs the storefront: payments, checkout, inventory and reports.",
			suggest.TeamPlaceholder, "data")
		for _, path := range []string{storefront, etl} {
			Expect(os.WriteFile(path, []byte(fill.Replace(readFile(path))), 0o600)).To(Succeed())
		}
		result = utils.Kubectl("apply", "--dry-run=server", "-f", storefront, "-f", etl)
		Expect(result.Err).NotTo(HaveOccurred(), result.String())
		result = utils.Kubectl("apply", "-f", storefront, "-f", etl)
		Expect(result.Err).NotTo(HaveOccurred(), result.String())
	})

	It("covers what suggest said once applied, and new identities of an application too", func() {
		Eventually(func() []string { return flagged(namespace) }).WithTimeout(60*time.Second).
			Should(Equal([]string{"secret/vendor-key", "serviceaccount/forgotten"}),
				"only the identities with no signal are still flagged")
		Eventually(func() []string { return flagged(plain) }).WithTimeout(60 * time.Second).Should(BeEmpty())
		Eventually(func() map[string]string {
			return identityCounts(namespace)
		}).WithTimeout(60 * time.Second).Should(Equal(map[string]string{
			"analytics": "2", "billing": "2", "checkout-prod": "2", "inventory": "1", "ledger": "1",
			"orders-api-key": "1", "orders-db": "1", "search": "1", "legacy": "1",
		}))

		By("creating a new identity of the Helm release: the billing selector covers it")
		result := utils.KubectlWithInput(`
apiVersion: v1
kind: ServiceAccount
metadata:
  name: billing-worker
  namespace: `+namespace+`
  labels: {app.kubernetes.io/managed-by: Helm, app.kubernetes.io/instance: billing}
`, "apply", "-f", "-")
		Expect(result.Err).NotTo(HaveOccurred(), result.String())
		Eventually(func() string {
			return utils.Kubectl("get", "sa", "billing-worker", "-n", namespace,
				"-o", `jsonpath={.metadata.annotations.steward\.dev/ownership}`).Stdout
		}).WithTimeout(60 * time.Second).Should(Equal("billing"))
		Expect(flagged(namespace)).To(Equal([]string{"secret/vendor-key", "serviceaccount/forgotten"}))

		By("suggesting again: only the identities with no signal remain")
		result = utils.Kubectl("steward", "suggest", "-n", namespace)
		Expect(result.Err).NotTo(HaveOccurred(), result.String())
		Expect(decodeOwnerships(result.Stdout)).To(BeEmpty())
		Expect(result.Stdout).To(ContainSubstring(
			"# Coverage of namespace " + namespace + ": 2 Unowned identities; 0 drafts would cover 0.\n"))
		Expect(result.Stderr).To(ContainSubstring(
			"coverage: 2 Unowned identities in 1 namespace; 0 drafts would cover 0 of them, 2 with no signal"))
	})
})

// flagged lists the identities of a namespace Steward has labelled Unowned,
// as kind/name.
func flagged(namespace string) []string {
	result := utils.Kubectl("get", "serviceaccounts,secrets", "-n", namespace, "-l", "steward.dev/finding=unowned", "-o", "name")
	if result.Err != nil {
		return nil
	}
	return slices.Sorted(slices.Values(strings.Fields(result.Stdout)))
}

// identityCounts is each ownership's status.identityCount, by name.
func identityCounts(namespace string) map[string]string {
	result := utils.Kubectl("get", "identityownerships", "-n", namespace,
		"-o", `jsonpath={range .items[*]}{.metadata.name}={.status.identityCount}{"\n"}{end}`)
	counts := map[string]string{}
	for line := range strings.Lines(result.Stdout) {
		if name, count, ok := strings.Cut(strings.TrimSpace(line), "="); ok {
			counts[name] = count
		}
	}
	return counts
}

// decodeOwnerships reads the IdentityOwnerships of a multi-document YAML
// stream.
func decodeOwnerships(text string) []nhi.IdentityOwnership {
	decoder := yaml.NewYAMLOrJSONDecoder(strings.NewReader(text), 4096)
	var out []nhi.IdentityOwnership
	for {
		var o nhi.IdentityOwnership
		err := decoder.Decode(&o)
		if errors.Is(err, io.EOF) {
			return out
		}
		Expect(err).NotTo(HaveOccurred(), "suggest wrote something that is not YAML:\n%s", text)
		if o.Kind != "" {
			Expect(o.Kind).To(Equal("IdentityOwnership"))
			out = append(out, o)
		}
	}
}

func refNames(refs []nhi.IdentityReference) []string {
	out := make([]string, 0, len(refs))
	for _, r := range refs {
		out = append(out, string(r.Kind)+"/"+r.Name)
	}
	return out
}

func readFile(path string) string {
	data, err := os.ReadFile(path)
	Expect(err).NotTo(HaveOccurred())
	return string(data)
}
