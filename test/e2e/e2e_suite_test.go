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
	"os"
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
		"crd/ownershipexceptions.nhi.steward.dev", "crd/ownershipreviews.nhi.steward.dev")
	Expect(result.Err).NotTo(HaveOccurred(), result.String())
})
