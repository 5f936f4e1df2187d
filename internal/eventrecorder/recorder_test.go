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
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus/testutil"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/scheme"
	clocktesting "k8s.io/utils/clock/testing"
)

// The controller envtest suites read the Events this recorder sends through
// a real API server; these tests cover what they cannot provoke: a full
// queue, a refused Event, the shape of each field.

type creator struct {
	mu      sync.Mutex
	created []*eventsv1.Event
	err     error
	calls   int
}

func (c *creator) Create(_ context.Context, event *eventsv1.Event, _ metav1.CreateOptions) (*eventsv1.Event, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	if c.err != nil {
		return nil, c.err
	}
	c.created = append(c.created, event)
	return event, nil
}

func (c *creator) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.created)
}

var now = time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)

// reporter is the ServiceAccount payments/reporter, which the events are about.
func reporter() *metav1.PartialObjectMetadata {
	return &metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
		ObjectMeta: metav1.ObjectMeta{Namespace: "payments", Name: "reporter", UID: "uid-1"}}
}

func newRecorder(c Creator) *Recorder {
	return NewWithCreator(c, scheme.Scheme, "steward", "steward-host", clocktesting.NewFakePassiveClock(now), logr.Discard())
}

func TestEventFields(t *testing.T) {
	r := newRecorder(&creator{})
	r.Eventf(reporter(), nil, corev1.EventTypeWarning, "Unowned", "Evaluate",
		"%s is Unowned", "ServiceAccount reporter")
	event := <-r.queue
	want := &eventsv1.Event{
		ObjectMeta:          metav1.ObjectMeta{Name: fmt.Sprintf("reporter.%x", now.UnixNano()), Namespace: "payments"},
		EventTime:           metav1.NewMicroTime(now),
		ReportingController: "steward", ReportingInstance: "steward-host",
		Action: "Evaluate", Reason: "Unowned", Type: corev1.EventTypeWarning,
		Regarding: corev1.ObjectReference{APIVersion: "v1", Kind: "ServiceAccount", Namespace: "payments",
			Name: "reporter", UID: "uid-1"},
		Note: "ServiceAccount reporter is Unowned",
	}
	if event.Name != want.Name || event.Namespace != want.Namespace || !event.EventTime.Equal(&want.EventTime) ||
		event.ReportingController != want.ReportingController || event.ReportingInstance != want.ReportingInstance ||
		event.Action != want.Action || event.Reason != want.Reason || event.Type != want.Type ||
		event.Regarding != want.Regarding || event.Related != nil || event.Note != want.Note || event.Series != nil {
		t.Errorf("event =\n%+v\nwant\n%+v", event, want)
	}
}

func TestClusterScopedObjectsGetEventsInDefault(t *testing.T) {
	r := newRecorder(&creator{})
	namespace := &metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
		ObjectMeta: metav1.ObjectMeta{Name: "payments"}}
	r.Eventf(namespace, nil, corev1.EventTypeNormal, "Governed", "Evaluate", "governed")
	if event := <-r.queue; event.Namespace != metav1.NamespaceDefault {
		t.Errorf("namespace = %q, want %q", event.Namespace, metav1.NamespaceDefault)
	}
}

func TestLongNotesAreCutAtACharacterBoundary(t *testing.T) {
	r := newRecorder(&creator{})
	r.Eventf(reporter(), nil, corev1.EventTypeNormal, "Owned", "Evaluate", "%s",
		strings.Repeat("é", maxNoteBytes)) // two bytes each
	note := (<-r.queue).Note
	if len(note) != maxNoteBytes || !strings.HasSuffix(note, "é") {
		t.Errorf("note of %d bytes ending %q, want %d bytes of whole characters", len(note), note[len(note)-2:], maxNoteBytes)
	}
}

func TestInvalidEventsAreNotQueued(t *testing.T) {
	r := newRecorder(&creator{})
	before := testutil.ToFloat64(EventsMetric.WithLabelValues(ResultInvalid))
	r.Eventf(reporter(), nil, "Critical", "Unowned", "Evaluate", "no such type")
	r.Eventf(&metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Name: "kindless"}}, nil,
		corev1.EventTypeNormal, "Owned", "Evaluate", "no kind")
	if len(r.queue) != 0 {
		t.Errorf("%d invalid Events queued", len(r.queue))
	}
	if got := testutil.ToFloat64(EventsMetric.WithLabelValues(ResultInvalid)) - before; got != 2 {
		t.Errorf("invalid Events counted: %v, want 2", got)
	}
}

func TestAFullQueueDropsAndCountsInsteadOfBlocking(t *testing.T) {
	r := newRecorder(&creator{})
	before := testutil.ToFloat64(EventsMetric.WithLabelValues(ResultDropped))
	for range QueueLength + 3 {
		r.Eventf(reporter(), nil, corev1.EventTypeWarning, "Unowned", "Evaluate", "unowned")
	}
	if len(r.queue) != QueueLength {
		t.Errorf("queue holds %d Events, want %d", len(r.queue), QueueLength)
	}
	if got := testutil.ToFloat64(EventsMetric.WithLabelValues(ResultDropped)) - before; got != 3 {
		t.Errorf("dropped Events counted: %v, want 3", got)
	}
}

func TestStartSendsQueuedEventsAndDoesNotRetryARefusal(t *testing.T) {
	c := &creator{}
	r := newRecorder(c)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for range 10 {
		r.Eventf(reporter(), nil, corev1.EventTypeWarning, "Unowned", "Evaluate", "unowned")
	}
	done := make(chan struct{})
	go func() { _ = r.Start(ctx); close(done) }()
	deadline := time.Now().Add(10 * time.Second)
	for c.count() < 10 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if c.count() != 10 {
		t.Fatalf("%d of 10 queued Events sent", c.count())
	}

	// A namespace being deleted refuses new Events: counted, not retried.
	failedBefore := testutil.ToFloat64(EventsMetric.WithLabelValues(ResultFailed))
	c.mu.Lock()
	c.err = apierrors.NewForbidden(schema.GroupResource{Group: "events.k8s.io", Resource: "events"}, "x",
		errors.New("namespace payments is being terminated"))
	c.mu.Unlock()
	r.Eventf(reporter(), nil, corev1.EventTypeWarning, "Unowned", "Evaluate", "unowned")
	for testutil.ToFloat64(EventsMetric.WithLabelValues(ResultFailed)) == failedBefore && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := testutil.ToFloat64(EventsMetric.WithLabelValues(ResultFailed)) - failedBefore; got != 1 {
		t.Errorf("refused Events counted: %v, want 1", got)
	}
	c.mu.Lock()
	if c.calls != 11 {
		t.Errorf("%d Create calls for 10 Events and a refused one, want 11: a refusal was retried", c.calls)
	}
	c.mu.Unlock()
	cancel()
	<-done
}
