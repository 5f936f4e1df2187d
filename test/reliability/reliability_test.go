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

package reliability

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/test/utils"
)

func kubectl(args ...string) string {
	GinkgoHelper()
	result := utils.Kubectl(args...)
	Expect(result.Err).NotTo(HaveOccurred(), result.String())
	return result.Stdout
}

func apply(manifest string) {
	GinkgoHelper()
	result := utils.KubectlWithInput(manifest, "apply", "-f", "-")
	Expect(result.Err).NotTo(HaveOccurred(), result.String())
}

// enforcedNamespace creates a namespace under an Enforce policy that revokes
// unowned ServiceAccounts at once by removing their bindings, and n
// ServiceAccounts each bound to a Role. The cap is high: these runs are
// about correctness, not the cap.
func enforcedNamespace(namespace string, n int) {
	GinkgoHelper()
	var b strings.Builder
	b.WriteString(utils.GovernedNamespace(namespace, `  kinds: [ServiceAccount]
  enforcement: Enforce
  rules: [{finding: Unowned, action: Revoke}]
  revocation: {serviceAccountStrategies: [RemoveBindings], maxRevocationsPerHour: 10000}`))
	b.WriteString(utils.ReaderRole(namespace))
	for i := range n {
		b.WriteString(utils.BoundServiceAccount(namespace, fmt.Sprintf("bot-%04d", i)))
	}
	apply(b.String())
	DeferCleanup(func() {
		utils.Kubectl("delete", "ownershippolicy", namespace, "--ignore-not-found")
		utils.Kubectl("delete", "namespace", namespace, "--wait=false")
	})
}

func countLines(s string) int {
	return len(strings.Fields(s))
}

// revokedCount is how many ServiceAccounts of the namespace Steward has
// revoked by its own record: the committed revocations of its ledger. The
// labels and annotations on the identities are copies for people, written
// once the namespace's pass is done, so they show no progress midway.
func revokedCount(namespace string) int {
	committed, err := ledgerRevocations(namespace)
	if err != nil {
		return 0 // no ledger yet, or the API server is away
	}
	return len(committed)
}

// labelledRevoked is how many ServiceAccounts of the namespace carry the
// steward.dev/finding=revoked label: the copy for people.
func labelledRevoked(namespace string) int {
	return countLines(utils.Kubectl("get", "sa", "-n", namespace, "-l", "steward.dev/finding=revoked", "-o", "name").Stdout)
}

// boundSubjects is how many binding subjects are left in the namespace.
func boundSubjects(namespace string) int {
	return countLines(utils.Kubectl("get", "rolebindings", "-n", namespace,
		"-o", "jsonpath={range .items[*]}{.subjects[*].name} {end}").Stdout)
}

var revokeLine = regexp.MustCompile(`"type":"action","namespace":"([^"]+)","kind":"ServiceAccount","name":"([^"]+)".*"action":"Revoke","revocation":"([^"]+)"`)

// revocationsRecorded collects, per identity, the distinct revocation ids of
// its Revoke decision-log lines, and counts the lines.
func revocationsRecorded(namespace string, logs ...string) (map[string]map[string]bool, int) {
	ids := map[string]map[string]bool{}
	lines := 0
	for _, log := range logs {
		for _, m := range revokeLine.FindAllStringSubmatch(log, -1) {
			if m[1] != namespace {
				continue
			}
			if ids[m[2]] == nil {
				ids[m[2]] = map[string]bool{}
			}
			ids[m[2]][m[3]] = true
			lines++
		}
	}
	return ids, lines
}

// expectRecordedOnce checks every identity was revoked exactly once: one
// revocation id each, none missing. A kill -9 between a line and its commit
// may repeat the line, with the same id.
func expectRecordedOnce(ids map[string]map[string]bool, n int) {
	GinkgoHelper()
	Expect(ids).To(HaveLen(n), "every revocation is recorded")
	for name, revocations := range ids {
		Expect(revocations).To(HaveLen(1), "%s was revoked more than once: %v", name, revocations)
	}
}

// ledgerRevocations is Steward's own record of the namespace's revocations:
// the committed ones (revokedAt set) of the Ledger ns.<namespace> in
// steward-system, by identity name, with their revocation ids. Only records
// of the namespace's current ServiceAccounts count (by UID): a ledger
// outlives its namespace, and a run may reuse a namespace's name.
func ledgerRevocations(namespace string) (map[string]string, error) {
	result := utils.Kubectl("get", "ledger", nhi.LedgerPrefixNamespace+namespace, "-n", "steward-system", "-o", "json")
	if result.Err != nil {
		return nil, fmt.Errorf("%s", result)
	}
	var ledger nhi.Ledger
	if err := json.Unmarshal([]byte(result.Stdout), &ledger); err != nil {
		return nil, err
	}
	accounts := utils.Kubectl("get", "sa", "-n", namespace, "-o", "jsonpath={.items[*].metadata.uid}")
	if accounts.Err != nil {
		return nil, fmt.Errorf("%s", accounts)
	}
	committed := map[string]string{}
	for uid := range strings.FieldsSeq(accounts.Stdout) {
		if record, ok := ledger.Status.Revocations[uid]; ok && record.RevokedAt != nil {
			committed[record.Name] = record.ID
		}
	}
	return committed, nil
}

// expectLedgerAgrees checks the ledger holds one committed revocation per
// identity, under the id the decision log gave it.
func expectLedgerAgrees(namespace string, ids map[string]map[string]bool, n int) {
	GinkgoHelper()
	committed, err := ledgerRevocations(namespace)
	Expect(err).NotTo(HaveOccurred())
	Expect(committed).To(HaveLen(n), "the ledger records every revocation once")
	for name, id := range committed {
		Expect(ids[name]).To(HaveKey(id), "the ledger's revocation of %s is the one the decision log recorded", name)
	}
}

func startManager(args ...string) *utils.Manager {
	GinkgoHelper()
	m, err := utils.StartManager(kubeconfig, args...)
	Expect(err).NotTo(HaveOccurred())
	return m
}

var _ = Describe("Reliability", Ordered, func() {
	It("crash: kill -9 at random points while revoking; the end state is exact and each revocation recorded once", func() {
		const namespace = "rel-crash"
		n := size.crashIdentities
		enforcedNamespace(namespace, n)

		var logs []string
		for kill := range size.crashKills {
			m := startManager()
			// Kill between the first revocation and the last one: midway.
			Eventually(func() int { return revokedCount(namespace) }).WithTimeout(60 * time.Second).
				WithPolling(100 * time.Millisecond).Should(BeNumerically(">", kill*n/(size.crashKills+2)))
			time.Sleep(time.Duration(rand.IntN(400)) * time.Millisecond)
			m.Kill()
			logs = append(logs, m.DecisionLog())
			GinkgoWriter.Printf("kill %d: %d of %d revoked\n", kill+1, revokedCount(namespace), n)
		}
		killedAt := revokedCount(namespace)
		Expect(killedAt).To(BeNumerically("<", n), "the kills must land before the run ends")

		m := startManager()
		Eventually(func() int { return revokedCount(namespace) }).WithTimeout(3 * time.Minute).Should(Equal(n))
		Eventually(func() int { return boundSubjects(namespace) }).WithTimeout(time.Minute).Should(BeZero())
		Eventually(func() int { return labelledRevoked(namespace) }).WithTimeout(time.Minute).Should(Equal(n))
		time.Sleep(2 * time.Second) // let the last decision lines flush before stopping
		m.Stop()
		logs = append(logs, m.DecisionLog())

		ids, lines := revocationsRecorded(namespace, logs...)
		expectRecordedOnce(ids, n)
		expectLedgerAgrees(namespace, ids, n)
		annotated := countLines(utils.Kubectl("get", "sa", "-n", namespace,
			"-o", `jsonpath={range .items[*]}{.metadata.annotations.steward\.dev/revoked-at} {end}`).Stdout)
		Expect(annotated).To(Equal(n))
		counted := kubectl("get", "ownershippolicy", namespace, "-o", "jsonpath={.status.revocationsInWindow}")
		figures.add("crash", "identities revoked", fmt.Sprintf("%d of %d, after %d kill -9 (%d done at the last kill)", n, n, size.crashKills, killedAt))
		figures.add("crash", "revocations in the decision log", fmt.Sprintf("%d, one id per identity, none missing (%d lines: %d repeated after a kill)", len(ids), lines, lines-n))
		figures.add("crash", "revocations counted against the cap", counted+" (a crash may count one twice, never allow one more)")
	})

	It("failover: two managers with leader election; the leader is killed; the other takes over without acting twice", func() {
		const namespace = "rel-failover"
		leaderArgs := []string{"--leader-elect", "--leader-election-namespace=steward-system"}
		first := startManager(leaderArgs...)
		holder := func() string {
			return utils.Kubectl("get", "lease", "steward.nhi.steward.dev", "-n", "steward-system",
				"-o", "jsonpath={.spec.holderIdentity}").Stdout
		}
		Eventually(holder).WithTimeout(60 * time.Second).ShouldNot(BeEmpty())
		firstHolder := holder()
		second := startManager(leaderArgs...)
		DeferCleanup(second.Stop)

		n := size.failoverIdentities
		enforcedNamespace(namespace, n)
		Eventually(func() int { return revokedCount(namespace) }).WithTimeout(60 * time.Second).Should(BeNumerically(">", 0))
		first.Kill()
		killed := time.Now()
		Eventually(holder).WithTimeout(60 * time.Second).ShouldNot(Equal(firstHolder))
		failover := time.Since(killed)
		Eventually(func() int { return revokedCount(namespace) }).WithTimeout(3 * time.Minute).Should(Equal(n))
		resumed := time.Since(killed)
		Eventually(func() int { return labelledRevoked(namespace) }).WithTimeout(time.Minute).Should(Equal(n))
		time.Sleep(2 * time.Second)

		ids, lines := revocationsRecorded(namespace, first.DecisionLog(), second.DecisionLog())
		expectRecordedOnce(ids, n)
		expectLedgerAgrees(namespace, ids, n)
		Expect(boundSubjects(namespace)).To(BeZero())
		figures.add("failover", "time from kill -9 of the leader to a new leader", failover.Round(100*time.Millisecond).String()+
			" (lease duration 15 s)")
		figures.add("failover", "time from the kill to the last revocation", resumed.Round(100*time.Millisecond).String())
		figures.add("failover", "revocations across both managers", fmt.Sprintf("%d for %d identities, none twice (%d lines)", len(ids), n, lines))
	})

	It("API server restart: the manager recovers and converges", func() {
		const namespace = "rel-restart"
		m := startManager()
		DeferCleanup(m.Stop)
		half := size.restartIdentities / 2
		apply(utils.GovernedNamespace(namespace, `  kinds: [ServiceAccount]
  rules: [{finding: Unowned, action: Flag}]`))
		DeferCleanup(func() {
			utils.Kubectl("delete", "ownershippolicy", namespace, "--ignore-not-found")
			utils.Kubectl("delete", "namespace", namespace, "--wait=false")
		})
		flagged := func() int {
			return countLines(utils.Kubectl("get", "sa", "-n", namespace, "-l", "steward.dev/finding=unowned", "-o", "name").Stdout)
		}
		createAccounts := func(from, to int) {
			var b strings.Builder
			for i := from; i < to; i++ {
				fmt.Fprintf(&b, "---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: bot-%04d, namespace: %s}\n", i, namespace)
			}
			apply(b.String())
		}
		createAccounts(0, half)
		Eventually(flagged).WithTimeout(60 * time.Second).Should(BeNumerically(">", 0))

		restart := exec.Command(filepath.Join(utils.ProjectDir(), "hack", "local-cluster.sh"), "restart-apiserver")
		out, err := restart.CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(out))
		back := time.Now()
		createAccounts(half, 2*half)
		Eventually(flagged).WithTimeout(3 * time.Minute).WithPolling(250 * time.Millisecond).Should(Equal(2 * half))
		recovered := time.Since(back)
		exited, exitErr := m.Exited()
		Expect(exited).To(BeFalse(), "the manager exited: %v\n%s", exitErr, m.Log())
		figures.add("apiserver restart", "identities converged", fmt.Sprintf("%d of %d (half created after the restart)", 2*half, 2*half))
		figures.add("apiserver restart", "time from the API server's return to convergence", recovered.Round(100*time.Millisecond).String())
	})
})
