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

package apiwrites

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestResource(t *testing.T) {
	for _, tc := range []struct{ path, resource, subresource string }{
		{"/api/v1/namespaces/team-a/secrets/db", "secrets", ""},
		{"/api/v1/namespaces/team-a/serviceaccounts/ci", "serviceaccounts", ""},
		{"/api/v1/namespaces/team-a/serviceaccounts/ci/token", "serviceaccounts", "token"},
		{"/apis/nhi.steward.dev/v1alpha1/namespaces/team-a/identityownerships/web/status", "identityownerships", "status"},
		{"/apis/events.k8s.io/v1/namespaces/team-a/events", "events", ""},
		{"/apis/nhi.steward.dev/v1alpha1/ownershippolicies/default/status", "ownershippolicies", "status"},
		{"/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/admin", "clusterrolebindings", ""},
		{"/api/v1/namespaces/team-a", "namespaces", ""},
		{"/api/v1/namespaces", "namespaces", ""},
		{"/healthz", "other", ""},
	} {
		resource, subresource := Resource(tc.path)
		if resource != tc.resource || subresource != tc.subresource {
			t.Errorf("Resource(%q) = %q, %q; want %q, %q", tc.path, resource, subresource, tc.resource, tc.subresource)
		}
	}
}

func TestWrapCountsOnlyWrites(t *testing.T) {
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer server.Close()
	client := &http.Client{Transport: Wrap(http.DefaultTransport)}
	send := func(method, path string) {
		req, err := http.NewRequest(method, server.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
	}
	patches := Metric.WithLabelValues("secrets", "", http.MethodPatch)
	before := testutil.ToFloat64(patches)
	send(http.MethodPatch, "/api/v1/namespaces/a/secrets/db")
	send(http.MethodGet, "/api/v1/namespaces/a/secrets/db")
	send(http.MethodPatch, "/api/v1/namespaces/a/secrets/db")
	if got := testutil.ToFloat64(patches) - before; got != 2 {
		t.Errorf("counted %v Secret patches, want 2 (a GET is not a write)", got)
	}
	if got := testutil.ToFloat64(Metric.WithLabelValues("secrets", "", http.MethodGet)); got != 0 {
		t.Errorf("counted %v GETs, want none", got)
	}
}
