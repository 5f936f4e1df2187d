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
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/yaml"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/controller"
	"github.com/nhi-steward/steward/internal/evidence"
	"github.com/nhi-steward/steward/internal/plugin"
)

// stewardReport reads Steward's report of one format in a namespace.
func stewardReport(c client.Client, format evidence.ReportFormat, namespace string) func() (*unstructured.Unstructured, error) {
	return func() (*unstructured.Unstructured, error) {
		report := &unstructured.Unstructured{}
		report.SetGroupVersionKind(format.GVK())
		err := c.Get(ctx, client.ObjectKey{Namespace: namespace, Name: evidence.PolicyReportName}, report)
		return report, err
	}
}

// resultFor is the report result about one ServiceAccount, or nil.
func resultFor(report *unstructured.Unstructured, name string) map[string]any {
	results, _, _ := unstructured.NestedSlice(report.Object, "results")
	for _, r := range results {
		result, _ := r.(map[string]any)
		resources, _ := result["resources"].([]any)
		if len(resources) == 0 {
			continue
		}
		if ref, _ := resources[0].(map[string]any); ref["kind"] == string(nhi.KindServiceAccount) && ref["name"] == name {
			return result
		}
	}
	return nil
}

// runPluginOn runs `kubectl steward ARGS` in-process against a control
// plane.
func runPluginOn(env *envtest.Environment, args ...string) (string, error) {
	GinkgoHelper()
	user, err := env.AddUser(envtest.User{Name: "plugin-admin", Groups: []string{"system:masters"}}, nil)
	Expect(err).NotTo(HaveOccurred())
	kubeconfig, err := user.KubeConfig()
	Expect(err).NotTo(HaveOccurred())
	path := filepath.Join(GinkgoT().TempDir(), "kubeconfig")
	Expect(os.WriteFile(path, kubeconfig, 0o600)).To(Succeed())
	cmd := plugin.NewRootCommand()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(append([]string{"--kubeconfig", path}, args...))
	err = cmd.ExecuteContext(ctx)
	return out.String(), err
}

func installReportCRD(c client.Client, dir, file string) {
	data, err := os.ReadFile(filepath.Join("..", "..", "config", dir, file))
	Expect(err).NotTo(HaveOccurred())
	crd := &apiextensionsv1.CustomResourceDefinition{}
	Expect(yaml.Unmarshal(data, crd)).To(Succeed())
	Expect(client.IgnoreAlreadyExists(c.Create(ctx, crd))).To(Succeed())
}

var _ = Describe("Report formats", func() {
	It("writes, with the default format, PolicyReports whose results name the owner, and no Report although the OpenReports CRD is installed", func() {
		// The suite's manager runs with the default --report-format; the
		// suite installs the OpenReports CRD at start.
		installReportCRD(k8sClient, "policyreport", "wgpolicyk8s.io_policyreports.yaml")
		s := newScenario()
		s.serviceAccount("api")
		s.serviceAccount("orphan")
		o := s.ownership("api", []nhi.IdentityReference{sa("api")}, func(o *nhi.IdentityOwnership) {
			o.Spec.ReviewInterval = ptr.To(nhi.Duration("720h"))
		})
		nextReviewBy := o.Spec.Approval.ApprovedAt.Add(720 * time.Hour).UTC().Format(time.RFC3339)

		Eventually(func(g Gomega) {
			report, err := stewardReport(k8sClient, evidence.FormatPolicyReport, s.namespace)()
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(resultFor(report, "api")).To(HaveKeyWithValue("properties", And(
				HaveKeyWithValue("ownership", "api"), HaveKeyWithValue("team", "payments"),
				HaveKeyWithValue("contacts", "alice@example.com"),
				HaveKeyWithValue("expiresAt", o.Spec.ExpiresAt.UTC().Format(time.RFC3339)),
				HaveKeyWithValue("nextReviewBy", nextReviewBy))))
			g.Expect(resultFor(report, "orphan")).To(HaveKeyWithValue("properties",
				Not(HaveKey("team"))))
		}).WithTimeout(30 * time.Second).Should(Succeed())

		// Both writers run in the same pass, the PolicyReport's first.
		Consistently(func() bool {
			_, err := stewardReport(k8sClient, evidence.FormatOpenReports, s.namespace)()
			return apierrors.IsNotFound(err)
		}).WithTimeout(2*time.Second).Should(BeTrue(), "no Report is written with --report-format=wgpolicyk8s")
	})
})

// The format is chosen when the manager starts: these specs start managers
// of their own, one after the other, on a control plane of their own, so
// that the suite's manager writes nothing there.
var _ = Describe("Report formats, across a change of --report-format", Ordered, func() {
	var (
		c        client.Client
		env      *envtest.Environment
		startMgr func(formats ...evidence.ReportFormat) (stop func())
	)

	BeforeAll(func() {
		env = &envtest.Environment{
			CRDDirectoryPaths: []string{
				filepath.Join("..", "..", "config", "crd", "bases"),
				filepath.Join("..", "..", "config", "policyreport"),
				filepath.Join("..", "..", "config", "openreports"),
			},
			ErrorIfCRDPathMissing: true,
		}
		envConfig, err := env.Start()
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(env.Stop)
		c, err = client.New(envConfig, client.Options{Scheme: scheme.Scheme})
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: stewardNamespace}})).To(Succeed())

		startMgr = func(formats ...evidence.ReportFormat) func() {
			mgr, err := ctrl.NewManager(envConfig, ctrl.Options{
				Scheme:                 scheme.Scheme,
				Metrics:                metricsserver.Options{BindAddress: "0"},
				HealthProbeBindAddress: "0",
				Cache:                  controller.CacheOptions(),
				// The suite's manager has controllers of the same names.
				Controller: config.Controller{SkipNameValidation: new(true)},
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(controller.SetupWithManager(mgr, controller.Options{
				StewardNamespace:        stewardNamespace,
				MaxConcurrentReconciles: 2,
				DecisionLog:             evidence.NewDecisionLog(io.Discard),
				ReportFormats:           formats,
			})).To(Succeed())
			mgrCtx, stop := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() {
				defer GinkgoRecover()
				defer close(done)
				Expect(mgr.Start(mgrCtx)).To(Succeed())
			}()
			var once sync.Once
			stopAndWait := func() {
				once.Do(func() {
					stop()
					Eventually(done).WithTimeout(30 * time.Second).Should(BeClosed())
				})
			}
			DeferCleanup(stopAndWait) // also when the spec fails before stopping it
			return stopAndWait
		}
	})

	It("moves Steward's reports to OpenReports, whose results carry source steward and the owner, rewrites nothing unchanged, and rewrites what a CRD deletion took", func() {
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "formats", Labels: map[string]string{"team": "payments"}}}
		Expect(c.Create(ctx, ns)).To(Succeed())
		Expect(c.Create(ctx, &nhi.OwnershipPolicy{ObjectMeta: metav1.ObjectMeta{Name: "formats"},
			Spec: nhi.OwnershipPolicySpec{
				NamespaceSelector: &metav1.LabelSelector{MatchLabels: ns.Labels},
				Rules:             []nhi.PolicyRule{{Finding: nhi.FindingUnowned, Action: nhi.ActionFlag}},
			}})).To(Succeed())
		for _, name := range []string{"api", "orphan"} {
			Expect(c.Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns.Name}})).To(Succeed())
		}
		approvedAt := metav1.NewTime(time.Now().Add(-time.Hour).Truncate(time.Second))
		expiresAt := metav1.NewTime(time.Now().Add(90 * 24 * time.Hour).Truncate(time.Second))
		Expect(c.Create(ctx, &nhi.IdentityOwnership{ObjectMeta: metav1.ObjectMeta{Name: "checkout", Namespace: ns.Name},
			Spec: nhi.IdentityOwnershipSpec{
				Identities: []nhi.IdentityReference{sa("api")},
				Owner:      nhi.Owner{Team: "payments", Contacts: []nhi.Person{"alice@example.com", "bob@example.com"}},
				Purpose:    "Charges cards for checkout",
				Approval: &nhi.Approval{ApprovedBy: "carol@example.com", ApprovedAt: approvedAt,
					Reference: "SEC-1"},
				ExpiresAt:      expiresAt,
				ReviewInterval: ptr.To(nhi.Duration("720h")),
			}})).To(Succeed())
		policyReport := stewardReport(c, evidence.FormatPolicyReport, ns.Name)
		openReport := stewardReport(c, evidence.FormatOpenReports, ns.Name)

		By("writing only PolicyReports with --report-format=wgpolicyk8s")
		stop := startMgr(evidence.FormatPolicyReport)
		Eventually(func(g Gomega) {
			report, err := policyReport()
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(report.Object["summary"]).To(And(HaveKeyWithValue("pass", BeEquivalentTo(1)),
				HaveKeyWithValue("fail", BeEquivalentTo(1))))
		}).WithTimeout(30 * time.Second).Should(Succeed())
		_, err := openReport()
		Expect(apierrors.IsNotFound(err)).To(BeTrue(), "no Report with --report-format=wgpolicyk8s, got %v", err)
		stop()

		By("writing the Report and removing the PolicyReport with --report-format=openreports")
		stop = startMgr(evidence.FormatOpenReports)
		var report *unstructured.Unstructured
		Eventually(func(g Gomega) {
			report, err = openReport()
			g.Expect(err).NotTo(HaveOccurred())
		}).WithTimeout(30 * time.Second).Should(Succeed())
		Expect(report.GetLabels()).To(HaveKeyWithValue("app.kubernetes.io/managed-by", "steward"))
		Expect(report.Object).To(HaveKeyWithValue("source", "steward"))
		maxResults, _, _ := unstructured.NestedInt64(report.Object, "configuration", "limits", "maxResults")
		Expect(maxResults).To(BeEquivalentTo(2000), "the Report says it lists at most 2000 results")
		Expect(report.Object["summary"]).To(And(HaveKeyWithValue("pass", BeEquivalentTo(1)),
			HaveKeyWithValue("fail", BeEquivalentTo(1))))
		Expect(resultFor(report, "api")).To(And(
			HaveKeyWithValue("source", "steward"), HaveKeyWithValue("result", "pass"), HaveKeyWithValue("policy", "formats"),
			HaveKeyWithValue("properties", And(
				HaveKeyWithValue("ownership", "checkout"), HaveKeyWithValue("team", "payments"),
				HaveKeyWithValue("contacts", "alice@example.com,bob@example.com"),
				HaveKeyWithValue("expiresAt", expiresAt.UTC().Format(time.RFC3339)),
				HaveKeyWithValue("nextReviewBy", approvedAt.Add(720*time.Hour).UTC().Format(time.RFC3339))))))
		Expect(resultFor(report, "orphan")).To(And(
			HaveKeyWithValue("source", "steward"), HaveKeyWithValue("result", "fail"),
			HaveKeyWithValue("properties", And(HaveKeyWithValue("state", "Unowned"), Not(HaveKey("team"))))))
		Eventually(func() bool {
			_, err := policyReport()
			return apierrors.IsNotFound(err)
		}).WithTimeout(30*time.Second).Should(BeTrue(), "the PolicyReport of the format left out is removed")

		By("exporting the evidence from the Report: the PolicyReport API is served, but empty")
		out, err := runPluginOn(env, "evidence", "-n", ns.Name, "-o", "json")
		Expect(err).NotTo(HaveOccurred(), out)
		var export struct{ Items []evidence.Row }
		Expect(json.Unmarshal([]byte(out[:strings.LastIndex(out, "}")+1]), &export)).To(Succeed(), out)
		Expect(export.Items).To(ConsistOf(
			And(HaveField("Name", "api"), HaveField("State", "Owned"), HaveField("Team", "payments")),
			// No ownership lists it: only the report does.
			And(HaveField("Name", "orphan"), HaveField("State", "Unowned"), HaveField("Policy", "formats"))))
		stop()
		report, err = openReport()
		Expect(err).NotTo(HaveOccurred())

		By("restarting with --report-format=both: the PolicyReport is back, the unchanged Report is not rewritten")
		startMgr(evidence.FormatPolicyReport, evidence.FormatOpenReports)
		Eventually(func() error {
			_, err := policyReport()
			return err
		}).WithTimeout(30 * time.Second).Should(Succeed())
		Consistently(func(g Gomega) {
			current, err := openReport()
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(current.Object["results"]).To(Equal(report.Object["results"]))
			g.Expect(current.GetResourceVersion()).To(Equal(report.GetResourceVersion()))
		}).WithTimeout(2 * time.Second).Should(Succeed())

		By("writing the Report again when its CRD is deleted, taking the Report with it, and installed again")
		crd := &apiextensionsv1.CustomResourceDefinition{}
		Expect(c.Get(ctx, client.ObjectKey{Name: evidence.FormatOpenReports.CRDName()}, crd)).To(Succeed())
		Expect(c.Delete(ctx, crd)).To(Succeed())
		Eventually(func() bool {
			return apierrors.IsNotFound(c.Get(ctx, client.ObjectKeyFromObject(crd), crd))
		}).WithTimeout(30 * time.Second).Should(BeTrue())
		installReportCRD(c, "openreports", "openreports.io_reports.yaml")
		Eventually(func(g Gomega) {
			current, err := openReport()
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(current.Object["results"]).To(Equal(report.Object["results"]))
		}).WithTimeout(30 * time.Second).Should(Succeed())
	})
})
