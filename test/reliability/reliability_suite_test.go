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

// Package reliability crashes, fails over and disconnects the manager in
// the middle of its work, against the local control plane, and checks the
// end state is exactly right. `make test` runs the quick sizes;
// hack/reliability.sh runs the full ones (RELIABILITY_SCALE=full) and
// writes docs/reliability.md.
package reliability

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/nhi-steward/steward/test/utils"
)

// scale is the size of each run: quick in make test, full for the figures.
type scale struct {
	crashIdentities    int
	crashKills         int
	failoverIdentities int
	restartIdentities  int
}

var (
	sizes = map[string]scale{
		"quick": {crashIdentities: 60, crashKills: 5, failoverIdentities: 30, restartIdentities: 60},
		"full":  {crashIdentities: 500, crashKills: 5, failoverIdentities: 200, restartIdentities: 500},
	}
	size       scale
	kubeconfig string
	figures    = &figureLog{}
)

// figureLog collects the figures each run measured.
type figureLog struct {
	mu    sync.Mutex
	lines []string
}

func (f *figureLog) add(run, figure, value string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lines = append(f.lines, fmt.Sprintf("| %s | %s | %s |", run, figure, value))
	AddReportEntry(run+": "+figure, value)
}

func TestReliability(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Steward reliability suite")
}

var _ = BeforeSuite(func() {
	Expect(os.Getenv("KUBECONFIG")).NotTo(BeEmpty(), "run with `make test-reliability` or hack/reliability.sh")
	name := os.Getenv("RELIABILITY_SCALE")
	if name == "" {
		name = "quick"
	}
	var ok bool
	size, ok = sizes[name]
	Expect(ok).To(BeTrue(), "RELIABILITY_SCALE must be quick or full")

	result := utils.Kubectl("apply", "--server-side", "-k", "config/local")
	Expect(result.Err).NotTo(HaveOccurred(), result.String())
	kubeconfig = filepath.Join(GinkgoT().TempDir(), "manager.kubeconfig")
	out, err := exec.Command(filepath.Join(utils.ProjectDir(), "hack", "manager-kubeconfig.sh"), kubeconfig).CombinedOutput()
	Expect(err).NotTo(HaveOccurred(), string(out))
})

var _ = AfterSuite(func() {
	if path := os.Getenv("RELIABILITY_REPORT"); path != "" {
		body := "| run | figure | value |\n| --- | --- | --- |\n" + strings.Join(figures.lines, "\n") + "\n"
		Expect(os.WriteFile(path, []byte(body), 0o644)).To(Succeed())
	}
})
