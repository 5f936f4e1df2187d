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
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/nhi-steward/steward/internal/promql"
	"github.com/nhi-steward/steward/test/utils"
)

// seriesName is the metric name that starts each sample line of the
// Prometheus text format.
var seriesName = regexp.MustCompile(`(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]`)

var _ = Describe("The Grafana dashboard (config/grafana)", Ordered, func() {
	const namespace = "e2e-dashboard"

	BeforeAll(func() {
		expires := time.Now().UTC().Add(72 * time.Hour).Format(time.RFC3339)
		result := utils.KubectlWithInput(utils.GovernedNamespace(namespace, `  rules: [{finding: Unowned, action: Flag}]`)+`
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: forgotten, namespace: `+namespace+`}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: ledger, namespace: `+namespace+`}
`, "apply", "-f", "-")
		Expect(result.Err).NotTo(HaveOccurred(), result.String())
		By("an ownership that expires within the policy's warnBefore, so that a deadline series exists")
		result = utils.KubectlWithInputAs("carol@example.com", `
apiVersion: nhi.steward.dev/v1alpha1
kind: IdentityOwnership
metadata: {name: ledger, namespace: `+namespace+`}
spec:
  identities: [{kind: ServiceAccount, name: ledger}]
  owner: {team: ledger-team, contacts: [alice@example.com]}
  purpose: Ledger service
  approval: {approvedBy: carol@example.com, approvedAt: "2026-11-01T00:00:00Z", reference: SEC-12}
  expiresAt: "`+expires+`"
`, "apply", "-f", "-")
		Expect(result.Err).NotTo(HaveOccurred(), result.String())
		for _, args := range [][]string{
			{"create", "serviceaccount", "grafana-e2e", "-n", "steward-system"},
			{"create", "clusterrolebinding", "e2e-grafana", "--clusterrole=steward-metrics-reader",
				"--serviceaccount=steward-system:grafana-e2e"},
		} {
			result := utils.Kubectl(args...)
			Expect(result.Err).NotTo(HaveOccurred(), result.String())
		}
	})

	AfterAll(func() {
		utils.Kubectl("delete", "ownershippolicy", namespace, "--ignore-not-found")
		utils.Kubectl("delete", "namespace", namespace, "--wait=false")
		utils.Kubectl("delete", "clusterrolebinding", "e2e-grafana", "--ignore-not-found")
		utils.Kubectl("delete", "serviceaccount", "grafana-e2e", "-n", "steward-system", "--ignore-not-found")
	})

	It("queries only metrics a real scrape of the manager serves", func() {
		data, err := os.ReadFile(filepath.Join(utils.ProjectDir(), "config", "grafana", "steward-dashboard.json"))
		Expect(err).NotTo(HaveOccurred())
		dashboard, err := promql.ParseDashboard(data)
		Expect(err).NotTo(HaveOccurred())
		queries, err := dashboard.Queries()
		Expect(err).NotTo(HaveOccurred())
		var queried []string
		for _, q := range queries {
			parsed, err := promql.Parse(q.Expr)
			Expect(err).NotTo(HaveOccurred(), "%s: %s", q.Where, q.Expr)
			for _, s := range parsed.Selectors {
				if !slices.Contains(queried, s.Metric) {
					queried = append(queried, s.Metric)
				}
			}
		}
		Expect(queried).To(ContainElements("steward_identities_by_team", "steward_deadline_timestamp_seconds"))

		token := requestToken("steward-system", "grafana-e2e")
		Eventually(func(g Gomega) {
			code, body := scrapeMetrics(token)
			g.Expect(code).To(Equal(http.StatusOK), body)
			served := map[string]bool{}
			for _, m := range seriesName.FindAllStringSubmatch(body, -1) {
				served[m[1]] = true
			}
			for _, metric := range queried {
				g.Expect(served).To(HaveKey(metric), "the dashboard queries %s, which the manager does not serve", metric)
			}
			g.Expect(body).To(ContainSubstring(
				`steward_identities_by_team{namespace="` + namespace + `",state="Owned",team="ledger-team"} 1`))
			g.Expect(body).To(ContainSubstring(
				`steward_identities_by_team{namespace="` + namespace + `",state="Unowned",team=""} 1`))
			g.Expect(strings.Count(body, `steward_deadline_timestamp_seconds{deadline="Expiry",kind="IdentityOwnership"`)).
				To(BeNumerically(">=", 1))
		}).WithTimeout(60 * time.Second).WithPolling(2 * time.Second).Should(Succeed())
	})
})
