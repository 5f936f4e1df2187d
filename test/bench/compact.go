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
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// compactETCD compacts etcd's history up to its current revision and waits
// until the compaction is physically done, through etcd's JSON gateway. The
// bench's control plane runs without the API server's own compaction (every
// five minutes by default): one that fell inside a timed run made that run
// pay for the revisions of the runs before it, the floor's 50,000 Secrets
// of 32 KiB on the large shape. An empty URL compacts nothing (a control
// plane the bench did not start).
func compactETCD(ctx context.Context, etcdURL, before string) error {
	if etcdURL == "" {
		return nil
	}
	start := time.Now()
	var status struct {
		Header struct {
			Revision string `json:"revision"`
		} `json:"header"`
	}
	if err := etcdCall(ctx, etcdURL, "/v3/maintenance/status", map[string]any{}, &status); err != nil {
		return fmt.Errorf("reading etcd's revision: %w", err)
	}
	revision, err := strconv.ParseInt(status.Header.Revision, 10, 64)
	if err != nil {
		return fmt.Errorf("etcd's revision %q: %w", status.Header.Revision, err)
	}
	err = etcdCall(ctx, etcdURL, "/v3/kv/compaction",
		map[string]any{"revision": strconv.FormatInt(revision, 10), "physical": true}, nil)
	if err != nil && !strings.Contains(err.Error(), "required revision has been compacted") {
		return fmt.Errorf("compacting etcd to revision %d: %w", revision, err)
	}
	logf("etcd: history compacted to revision %d in %s, before %s", revision, since(start), before)
	return nil
}

// etcdCall posts a request to etcd's JSON gateway and decodes its answer
// into out (when not nil).
func etcdCall(ctx context.Context, etcdURL, path string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(etcdURL, "/")+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	var answer bytes.Buffer
	if _, err := answer.ReadFrom(resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s: %s", path, resp.Status, strings.TrimSpace(answer.String()))
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(answer.Bytes(), out)
}
