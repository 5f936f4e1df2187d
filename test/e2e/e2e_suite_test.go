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

// Package e2e drives the real kubectl against the local control plane that
// hack/e2e.sh starts (hack/local-cluster.sh). Run it with `make test-e2e`.
package e2e

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/nhi-steward/steward/test/utils"
)

func TestE2E(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Steward e2e suite")
}

var _ = BeforeSuite(func() {
	Expect(os.Getenv("KUBECONFIG")).NotTo(BeEmpty(),
		"KUBECONFIG is not set: run the suite with `make test-e2e`, which starts a local control plane")
	version := utils.Kubectl("version", "-o", "json")
	Expect(version.Err).NotTo(HaveOccurred(), "the local control plane is unreachable: %s", version)

	By("installing the CRDs")
	result := utils.Kubectl("apply", "--server-side", "-k", "config/crd")
	Expect(result.Err).NotTo(HaveOccurred(), result.String())
	result = utils.Kubectl("wait", "--for=condition=Established", "--timeout=60s",
		"crd/identityownerships.nhi.steward.dev", "crd/ownershippolicies.nhi.steward.dev",
		"crd/ownershipexceptions.nhi.steward.dev", "crd/ownershipreviews.nhi.steward.dev",
		"crd/accessreviewcampaigns.nhi.steward.dev")
	Expect(result.Err).NotTo(HaveOccurred(), result.String())

	By("installing the PolicyReport CRD, so that Steward writes reports")
	result = utils.Kubectl("apply", "--server-side", "-k", "config/policyreport")
	Expect(result.Err).NotTo(HaveOccurred(), result.String())

	By("installing Steward's namespace, ServiceAccount, RBAC and admission policy (config/local)")
	result = utils.Kubectl("apply", "--server-side", "-k", "config/local")
	Expect(result.Err).NotTo(HaveOccurred(), result.String())

	By("starting bin/manager as its own ServiceAccount")
	kubeconfig := filepath.Join(os.TempDir(), "steward-e2e-manager.kubeconfig")
	out, err := exec.Command(filepath.Join(utils.ProjectDir(), "hack", "manager-kubeconfig.sh"), kubeconfig).CombinedOutput()
	Expect(err).NotTo(HaveOccurred(), string(out))
	canI := utils.Kubectl("--kubeconfig", kubeconfig, "auth", "can-i", "delete", "namespaces")
	Expect(strings.TrimSpace(canI.Stdout)).To(Equal("no"), "the manager's kubeconfig must not be an administrator's")
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	metricsAddress = listener.Addr().String()
	Expect(listener.Close()).To(Succeed())
	manager, err = utils.StartManager(kubeconfig, "--metrics-bind-address="+metricsAddress)
	Expect(err).NotTo(HaveOccurred())
})

// manager is bin/manager, running for the whole suite, serving its metrics
// (HTTPS, authenticated by the API server) on metricsAddress.
var (
	manager        *utils.Manager
	metricsAddress string
)

var _ = AfterSuite(func() {
	if manager == nil {
		return
	}
	manager.Stop()
	Expect(os.WriteFile(filepath.Join(os.TempDir(), "steward-e2e-manager.log"), []byte(manager.Log()), 0o600)).To(Succeed())
	Expect(manager.Log()).NotTo(ContainSubstring("forbidden"),
		"the manager hit an RBAC error: config/rbac is missing a permission")
})
