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
	"os/exec"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/nhi-steward/steward/internal/manifestdiff"
	"github.com/nhi-steward/steward/test/utils"
)

// stewardNamespace is the namespace config/default installs into; the chart
// is rendered for a release there, so names and namespaces compare as they
// are.
const stewardNamespace = "steward-system"

// Labels that only say who rendered an object (Helm, kustomize, the
// release), or that the chart sets on every object and config/default on
// most: not part of what the object does. Selectors are compared in full.
var renderLabels = []string{
	"app.kubernetes.io/managed-by",
	"app.kubernetes.io/instance",
	"app.kubernetes.io/name",
	"helm.sh/chart",
}

// Kinds the API server keeps without a namespace; kustomize's namespace
// transformer writes one onto those it does not know (the admission
// policies), where it means nothing.
var clusterScoped = map[string]bool{
	"Namespace":                        true,
	"CustomResourceDefinition":         true,
	"ClusterRole":                      true,
	"ClusterRoleBinding":               true,
	"ValidatingAdmissionPolicy":        true,
	"ValidatingAdmissionPolicyBinding": true,
}

// normalise removes from obj what legitimately differs between the chart
// and config/default, and nothing else.
func normalise(obj manifestdiff.Object) {
	manifestdiff.DeleteMetadataKeys(obj, "labels", renderLabels...)
	// The chart's Namespace is kept on uninstall (it holds the ledgers).
	manifestdiff.DeleteMetadataKeys(obj, "annotations", "helm.sh/resource-policy")
	if clusterScoped[manifestdiff.KeyOf(obj).Kind] {
		manifestdiff.DeleteNamespace(obj)
	}
	// kustomize adds blank lines to some folded CEL expressions.
	if manifestdiff.KeyOf(obj).Kind == "ValidatingAdmissionPolicy" {
		manifestdiff.RewriteStrings(obj, []string{"expression", "messageExpression"}, manifestdiff.WithoutBlankLines)
	}
	// The trusted pipelines: config/default leaves the key out so that
	// re-applying it keeps the administrator's list; the chart writes the
	// list of its values, empty by default. Empty and absent mean the same
	// to the policy.
	if key := manifestdiff.KeyOf(obj); key.Kind == "ConfigMap" && key.Name == "steward-admission" {
		if data, ok := obj["data"].(map[string]any); ok {
			if data["trustedPipelines"] == "" {
				delete(data, "trustedPipelines")
			}
			if len(data) == 0 {
				delete(obj, "data")
			}
		}
	}
}

// render parses manifests, normalises them and indexes them.
func render(name string, manifests string) map[manifestdiff.Key]manifestdiff.Object {
	GinkgoHelper()
	objects, err := manifestdiff.Parse([]byte(manifests))
	Expect(err).NotTo(HaveOccurred(), "parsing %s", name)
	for _, obj := range objects {
		normalise(obj)
	}
	index, err := manifestdiff.Index(objects)
	Expect(err).NotTo(HaveOccurred(), "indexing %s", name)
	return index
}

func helmTemplate(args ...string) map[manifestdiff.Key]manifestdiff.Object {
	GinkgoHelper()
	command := append([]string{"template", "steward", chartDir, "--namespace", stewardNamespace, "--include-crds"},
		args...)
	return render("the chart", succeeded(helm(command...)))
}

func kustomize(dir string) map[manifestdiff.Key]manifestdiff.Object {
	GinkgoHelper()
	return render(dir, succeeded(utils.Kubectl("kustomize", dir)))
}

// expectSame fails with every difference, one per line.
func expectSame(chart, config map[manifestdiff.Key]manifestdiff.Object, configName string) {
	GinkgoHelper()
	differences := manifestdiff.Compare("the chart", chart, configName, config)
	Expect(differences).To(BeEmpty(),
		"charts/steward and %s have drifted apart; change the chart's templates (or run hack/sync-chart.sh "+
			"for the CRDs, the manager's role, the alerts and the report CRDs) so that they match:\n  %s",
		configName, strings.Join(differences, "\n  "))
}

var _ = Describe("The chart and config/default", func() {
	It("install the same objects, field for field, with the chart's default values", func() {
		chart := helmTemplate()
		config := kustomize("config/default")
		// `helm install --create-namespace` creates the namespace: with the
		// default values the chart renders none (the next spec checks the
		// one it renders when asked to).
		namespace := manifestdiff.Key{Kind: "Namespace", Name: stewardNamespace}
		Expect(config).To(HaveKey(namespace))
		delete(config, namespace)
		Expect(len(chart)).To(BeNumerically(">", 30), "the chart rendered too few objects to be config/default")
		expectSame(chart, config, "config/default")
	})

	It("render the same Namespace when the chart is asked to create it", func() {
		chart := helmTemplate("--set", "namespace.create=true")
		config := kustomize("config/default")
		namespace := manifestdiff.Key{Kind: "Namespace", Name: stewardNamespace}
		Expect(chart).To(HaveKey(namespace))
		Expect(manifestdiff.Compare("the chart", map[manifestdiff.Key]manifestdiff.Object{namespace: chart[namespace]},
			"config/default", map[manifestdiff.Key]manifestdiff.Object{namespace: config[namespace]})).To(BeEmpty())
	})

	It("render config/prometheus's ServiceMonitor and PrometheusRule when they are enabled", func() {
		chart := helmTemplate("--set", "prometheus.serviceMonitor.enabled=true", "--set", "prometheus.rules.enabled=true")
		config := kustomize("config/prometheus")
		monitoring := map[manifestdiff.Key]manifestdiff.Object{}
		for key, obj := range chart {
			if key.Kind == "ServiceMonitor" || key.Kind == "PrometheusRule" {
				monitoring[key] = obj
			}
		}
		Expect(monitoring).To(HaveLen(2))
		expectSame(monitoring, config, "config/prometheus")

		defaults := helmTemplate()
		for key := range defaults {
			Expect(key.Kind).NotTo(BeElementOf("ServiceMonitor", "PrometheusRule"), "off by default")
		}
	})

	It("render config/policyreport's and config/openreports's CRDs when asked to, and neither by default", func() {
		defaults := helmTemplate()
		for _, optional := range []struct{ value, dir string }{
			{"reportCRDs.policyReport", "config/policyreport"},
			{"reportCRDs.openReports", "config/openreports"},
		} {
			config := kustomize(optional.dir)
			Expect(config).To(HaveLen(1))
			for key := range config {
				Expect(defaults).NotTo(HaveKey(key), "%s is off by default", optional.value)
			}

			manifests := succeeded(helm("template", "steward", chartDir, "--namespace", stewardNamespace,
				"--set", optional.value+"=true"))
			raw, err := manifestdiff.Parse([]byte(manifests))
			Expect(err).NotTo(HaveOccurred())
			unnormalised, err := manifestdiff.Index(raw)
			Expect(err).NotTo(HaveOccurred())
			chart := render("the chart", manifests)
			rendered := map[manifestdiff.Key]manifestdiff.Object{}
			for key := range config {
				Expect(chart).To(HaveKey(key), "%s=true", optional.value)
				rendered[key] = chart[key]
				Expect(unnormalised[key]["metadata"]).To(HaveKeyWithValue("annotations",
					HaveKeyWithValue("helm.sh/resource-policy", "keep")),
					"uninstalling must not delete the CRD, and every report with it")
			}
			expectSame(rendered, config, optional.dir)
		}
	})

	It("hold the CRDs byte for byte as config/crd/bases has them", func() {
		bases, err := filepath.Glob(filepath.Join(utils.ProjectDir(), "config", "crd", "bases", "*.yaml"))
		Expect(err).NotTo(HaveOccurred())
		copies, err := filepath.Glob(filepath.Join(utils.ProjectDir(), chartDir, "crds", "*.yaml"))
		Expect(err).NotTo(HaveOccurred())
		Expect(bases).NotTo(BeEmpty())
		names := func(paths []string) []string {
			out := make([]string, 0, len(paths))
			for _, p := range paths {
				out = append(out, filepath.Base(p))
			}
			return out
		}
		Expect(names(copies)).To(Equal(names(bases)), "run hack/sync-chart.sh")
		for _, base := range bases {
			want, err := os.ReadFile(base)
			Expect(err).NotTo(HaveOccurred())
			got, err := os.ReadFile(filepath.Join(utils.ProjectDir(), chartDir, "crds", filepath.Base(base)))
			Expect(err).NotTo(HaveOccurred())
			Expect(string(got)).To(Equal(string(want)), "%s is stale: run hack/sync-chart.sh", filepath.Base(base))
		}
		check := exec.Command(filepath.Join(utils.ProjectDir(), "hack", "sync-chart.sh"), "--check")
		out, err := check.CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(out))
	})
})
