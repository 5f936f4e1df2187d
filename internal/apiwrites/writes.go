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

// Package apiwrites counts the manager's mutating requests to the API server
// by resource, subresource and verb. client-go's rest_client_requests_total
// says how many writes there were; this says what they were (identity
// patches, status patches, Events, reports, ledger records), which is what
// "steady state is zero writes" and "only the necessary patches" are checked
// against.
package apiwrites

import (
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
)

// MetricName is the counter of mutating requests.
const MetricName = "steward_api_writes_total"

// Metric counts mutating requests sent, whatever their response.
var Metric = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: MetricName,
	Help: "Mutating requests the manager sent to the API server, by resource, subresource and verb.",
}, []string{"resource", "subresource", "verb"})

func init() { metrics.Registry.MustRegister(Metric) }

// Wrap is a rest.Config WrapTransport that counts every mutating request.
func Wrap(rt http.RoundTripper) http.RoundTripper { return counting{next: rt} }

type counting struct{ next http.RoundTripper }

// RoundTrip implements http.RoundTripper.
func (c counting) RoundTrip(req *http.Request) (*http.Response, error) {
	switch req.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		resource, subresource := Resource(req.URL.Path)
		Metric.WithLabelValues(resource, subresource, req.Method).Inc()
	}
	return c.next.RoundTrip(req)
}

// Resource is the resource and subresource an API path names:
// /api/v1/namespaces/NS/secrets/NAME is ("secrets", ""),
// /apis/G/V/namespaces/NS/R/NAME/status is (R, "status"), and
// /api/v1/namespaces/NAME is ("namespaces", "").
func Resource(path string) (resource, subresource string) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case len(parts) >= 2 && parts[0] == "api":
		parts = parts[2:] // api, v1
	case len(parts) >= 3 && parts[0] == "apis":
		parts = parts[3:] // apis, group, version
	default:
		return "other", ""
	}
	if len(parts) >= 3 && parts[0] == "namespaces" {
		parts = parts[2:] // namespaces, NS: a namespaced resource follows
	}
	switch len(parts) {
	case 0:
		return "namespaces", ""
	case 1, 2:
		return parts[0], ""
	default:
		return parts[0], parts[2]
	}
}
