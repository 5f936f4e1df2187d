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

package eventrecorder

import (
	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
)

// Results of recording an Event, the result label of EventsMetric.
const (
	// ResultSent: the API server stored the Event.
	ResultSent = "sent"
	// ResultDropped: the queue was full; the Event was never sent.
	ResultDropped = "dropped"
	// ResultFailed: the API server refused the Event, or did not answer
	// after retries.
	ResultFailed = "failed"
	// ResultInvalid: the Event could not be built (an unknown type, or an
	// object without a kind).
	ResultInvalid = "invalid"
)

// EventsMetric counts Events by result.
var EventsMetric = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "steward_events_total",
	Help: "Kubernetes Events Steward recorded, by result (sent, dropped, failed, invalid).",
}, []string{"result"})

func init() {
	metrics.Registry.MustRegister(EventsMetric)
	for _, result := range []string{ResultSent, ResultDropped, ResultFailed, ResultInvalid} {
		EventsMetric.WithLabelValues(result)
	}
}
