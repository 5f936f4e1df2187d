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

// Package chart tests the Helm chart in charts/steward with the real helm
// and kubectl: that it renders what config/default renders (drift_test.go),
// and that it installs on a real API server and its admission policies take
// effect there (install_test.go). Run it with `make test-chart`, which
// builds helm (hack/tools.sh helm) and starts a local control plane for it.
package chart

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/nhi-steward/steward/test/utils"
)

// chartDir is the chart under test, relative to the repository root (the
// directory helm and kubectl run in).
const chartDir = "charts/steward"

func TestChart(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Steward Helm chart suite")
}

var _ = BeforeSuite(func() {
	Expect(os.Getenv("HELM")).NotTo(BeEmpty(),
		"HELM is not set: run the suite with `make test-chart`, which builds helm (hack/tools.sh helm)")
	Expect(os.Getenv("KUBECTL")).NotTo(BeEmpty(),
		"KUBECTL is not set: run the suite with `make test-chart` (the kubectl of hack/envtest-bins.sh)")
	// helm keeps its caches and repository list under these; keep them out
	// of the home directory of whoever runs the suite.
	home, err := os.MkdirTemp("", "steward-chart-helm-")
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(os.RemoveAll, home)
	for _, name := range []string{"HELM_CACHE_HOME", "HELM_CONFIG_HOME", "HELM_DATA_HOME"} {
		Expect(os.Setenv(name, filepath.Join(home, strings.ToLower(strings.TrimPrefix(name, "HELM_"))))).To(Succeed())
	}
})

// helm runs the helm binary of $HELM with args from the repository root,
// against the cluster of $KUBECONFIG when a command needs one.
func helm(args ...string) utils.Result {
	return helmWithInput("", args...)
}

func helmWithInput(input string, args ...string) utils.Result {
	cmd := exec.Command(os.Getenv("HELM"), args...)
	cmd.Dir = utils.ProjectDir()
	if input != "" {
		cmd.Stdin = strings.NewReader(input)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return utils.Result{Stdout: stdout.String(), Stderr: stderr.String(), Err: err}
}

// succeeded fails the spec, with the command's output, unless it succeeded.
func succeeded(result utils.Result) string {
	GinkgoHelper()
	Expect(result.Err).NotTo(HaveOccurred(), result.String())
	return result.Stdout
}
