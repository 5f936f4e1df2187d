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

package utils

import (
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// Manager is bin/manager running as a local process.
type Manager struct {
	cmd    *exec.Cmd
	stdout LockedBuffer
	stderr LockedBuffer
	done   chan error
}

// LockedBuffer is a bytes.Buffer safe to write from one goroutine and read
// from another.
type LockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends to the buffer.
func (b *LockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String is everything written so far.
func (b *LockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// StartManager runs bin/manager with the given kubeconfig and extra flags.
// Metrics and probes are off so that several runs never collide on a port.
func StartManager(kubeconfig string, args ...string) (*Manager, error) {
	binary := filepath.Join(ProjectDir(), "bin", "manager")
	all := append([]string{"--kubeconfig", kubeconfig, "--metrics-bind-address=0",
		"--health-probe-bind-address=0"}, args...) // later flags win
	m := &Manager{cmd: exec.Command(binary, all...), done: make(chan error, 1)}
	m.cmd.Stdout, m.cmd.Stderr = &m.stdout, &m.stderr
	if err := m.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s (run `make build` first): %w", binary, err)
	}
	go func() { m.done <- m.cmd.Wait() }()
	return m, nil
}

// DecisionLog is what the manager wrote to stdout: its decision log.
func (m *Manager) DecisionLog() string { return m.stdout.String() }

// Log is what the manager wrote to stderr: its structured logs.
func (m *Manager) Log() string { return m.stderr.String() }

// PID is the manager's process id, for reading its memory use from
// /proc/PID/status.
func (m *Manager) PID() int { return m.cmd.Process.Pid }

// Exited reports whether the process has stopped, and how.
func (m *Manager) Exited() (bool, error) {
	select {
	case err := <-m.done:
		m.done <- err
		return true, err
	default:
		return false, nil
	}
}

// Kill stops the manager at once, as a crash or a lost node would (SIGKILL).
func (m *Manager) Kill() {
	if exited, _ := m.Exited(); exited {
		return
	}
	_ = m.cmd.Process.Kill()
	<-m.done
	m.done <- nil
}

// Stop asks the manager to shut down, and kills it after 10 s.
func (m *Manager) Stop() {
	if exited, _ := m.Exited(); exited {
		return
	}
	_ = m.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-m.done:
	case <-time.After(10 * time.Second):
		_ = m.cmd.Process.Kill()
		<-m.done
	}
}
