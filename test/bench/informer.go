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

package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/cache"
)

// peakRSS reads a process's peak resident set size (VmHWM) in bytes.
func peakRSS(pid int) (int64, error) {
	return procStatus(pid, "VmHWM")
}

// residentSplit is a process's resident memory now: anonymous (heap,
// stacks) and file-backed (mostly the binary's code and read-only data).
func residentSplit(pid int) (anon, file int64, err error) {
	if anon, err = procStatus(pid, "RssAnon"); err != nil {
		return 0, 0, err
	}
	file, err = procStatus(pid, "RssFile")
	return anon, file, err
}

// procStatus reads a memory field, in bytes, from /proc/<pid>/status.
func procStatus(pid int, field string) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer func() { _ = f.Close() }() // read only: nothing to lose on close
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		if rest, ok := strings.CutPrefix(scanner.Text(), field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}

// holdFullSecretInformer is the memory baseline: what a controller that
// caches whole Secrets holds. It syncs a Secret informer over every
// namespace and prints its own peak RSS.
func holdFullSecretInformer(ctx context.Context, c config) error {
	cl, err := newClients(c)
	if err != nil {
		return err
	}
	factory := informers.NewSharedInformerFactory(cl.kube, 0)
	informer := factory.Core().V1().Secrets().Informer()
	factory.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), informer.HasSynced) {
		return fmt.Errorf("the Secret informer did not sync")
	}
	time.Sleep(2 * time.Second) // let the cache settle, as a running controller's would
	rss, err := peakRSS(os.Getpid())
	if err != nil {
		return err
	}
	fmt.Printf("%d %d\n", rss, len(informer.GetStore().ListKeys()))
	return nil
}

// informerTimeout bounds the memory baseline's run. Its informer retries
// its list for ever: if the API server dies under it (at 100,000 Secrets of
// 32 KiB it holds gigabytes), the bench fails instead of waiting silently
// for its whole --timeout.
const informerTimeout = 10 * time.Minute

// measureInformer runs holdFullSecretInformer in a process of its own.
func measureInformer(ctx context.Context, c config) (int64, error) {
	self, err := os.Executable()
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, informerTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, self, "--mode=informer", "--kubeconfig", c.kubeconfig).Output()
	if ctx.Err() != nil {
		return 0, fmt.Errorf("the full-Secret informer did not sync within %s (is the API server still up?)", informerTimeout)
	}
	if err != nil {
		return 0, err
	}
	var rss, count int64
	if _, err := fmt.Sscan(string(out), &rss, &count); err != nil {
		return 0, fmt.Errorf("reading %q: %w", out, err)
	}
	logf("memory baseline: the informer cached %d Secrets", count)
	return rss, nil
}
