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

// Package utils holds helpers the e2e suite uses to drive the real kubectl
// against the local control plane.
package utils

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// ProjectDir is the repository root.
func ProjectDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// KubectlPath is the kubectl the tests drive: $KUBECTL (the v1.37 build from
// hack/envtest-bins.sh when run through make), else the one on PATH.
func KubectlPath() string {
	if path := os.Getenv("KUBECTL"); path != "" {
		return path
	}
	return "kubectl"
}

// Result is the outcome of one kubectl invocation.
type Result struct {
	Stdout string
	Stderr string
	Err    error
}

// Output is stdout and stderr together, for assertions on error messages.
func (r Result) Output() string { return r.Stdout + r.Stderr }

func (r Result) String() string {
	return fmt.Sprintf("err=%v\nstdout:\n%s\nstderr:\n%s", r.Err, r.Stdout, r.Stderr)
}

// Kubectl runs kubectl with args from the project directory, against the
// cluster of $KUBECONFIG.
func Kubectl(args ...string) Result {
	return KubectlWithInput("", args...)
}

// AsPerson are the kubectl flags that submit a request as the person user:
// the username is what Steward's admission policies compare with
// spec.approval.approvedBy, spec.riskAcceptedBy and spec.reviewer, and the
// group system:masters gives the impersonated person the rights to do it
// (the suite's administrator may impersonate anyone).
func AsPerson(user string) []string {
	return []string{"--as", user, "--as-group", "system:masters"}
}

// KubectlAs runs kubectl as the person user (see AsPerson): an approver
// recording an approval, a risk acceptor filing an exception, a reviewer
// filing a review.
func KubectlAs(user string, args ...string) Result {
	return KubectlWithInput("", append(AsPerson(user), args...)...)
}

// KubectlWithInputAs runs kubectl as the person user with stdin set to input.
func KubectlWithInputAs(user, input string, args ...string) Result {
	return KubectlWithInput(input, append(AsPerson(user), args...)...)
}

// KubectlWithInput runs kubectl with stdin set to input.
func KubectlWithInput(input string, args ...string) Result {
	cmd := exec.Command(KubectlPath(), args...)
	cmd.Dir = ProjectDir()
	if input != "" {
		cmd.Stdin = strings.NewReader(input)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return Result{Stdout: stdout.String(), Stderr: stderr.String(), Err: err}
}
