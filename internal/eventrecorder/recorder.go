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

// Package eventrecorder sends Steward's events.k8s.io/v1 Events.
//
// client-go's broadcaster folds repeated Events into series: it keeps every
// Event it sent for six minutes to recognise a repeat, and starts a
// goroutine per Event. Steward emits an Event only when something changed
// (a transition, an action), so there are no repeats to fold, but a first
// evaluation of a large cluster emits one Event per unowned identity: tens
// of thousands of Events kept in memory for nothing. This recorder sends
// each Event once, from a bounded queue, and keeps nothing afterwards. The
// decision log, not the Events, is the durable record: like client-go's, it
// drops Events rather than block reconciliation when the API server cannot
// keep up, and counts what it dropped.
package eventrecorder

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	eventsclient "k8s.io/client-go/kubernetes/typed/events/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/reference"
	"k8s.io/utils/clock"

	"github.com/nhi-steward/steward/internal/apiretry"
)

const (
	// QueueLength is how many Events may wait to be sent; beyond it new
	// Events are dropped (and counted), as client-go's broadcaster does
	// beyond its 1,000.
	QueueLength = 1000
	// senders is how many Events are sent at once.
	senders = 4
	// maxNoteBytes is the API's limit on an Event's note.
	maxNoteBytes = 1024
	// sendTimeout bounds one attempt, so that a request the API server never
	// answers does not hold a sender.
	sendTimeout = 30 * time.Second
)

// sendBackoff retries an Event the API server did not answer, or answered
// with a server error or throttling.
var sendBackoff = wait.Backoff{Duration: time.Second, Factor: 2, Jitter: 0.2, Steps: 4}

// Creator creates Events; the typed events.k8s.io client satisfies it.
type Creator interface {
	Create(ctx context.Context, event *eventsv1.Event, opts metav1.CreateOptions) (*eventsv1.Event, error)
}

// namespacedCreator creates each Event in its own namespace.
type namespacedCreator struct{ client eventsclient.EventsGetter }

func (c namespacedCreator) Create(ctx context.Context, event *eventsv1.Event,
	opts metav1.CreateOptions) (*eventsv1.Event, error) {
	return c.client.Events(event.Namespace).Create(ctx, event, opts)
}

// Recorder sends Events. It is a manager Runnable: Events recorded before
// Start wait in the queue.
type Recorder struct {
	creator    Creator
	scheme     *runtime.Scheme
	controller string
	instance   string
	clock      clock.PassiveClock
	log        logr.Logger
	queue      chan *eventsv1.Event
}

// New returns a Recorder sending Events as reportingController through its
// own client: Events have their own request budget (QPS and burst as in
// config) and never slow the reconcilers' writes.
func New(config *rest.Config, httpClient *http.Client, scheme *runtime.Scheme, reportingController string,
	log logr.Logger) (*Recorder, error) {
	client, err := eventsclient.NewForConfigAndClient(config, httpClient)
	if err != nil {
		return nil, fmt.Errorf("creating the Event client: %w", err)
	}
	hostname, _ := os.Hostname()
	return NewWithCreator(namespacedCreator{client}, scheme, reportingController, reportingController+"-"+hostname,
		clock.RealClock{}, log), nil
}

// NewWithCreator returns a Recorder sending Events through creator.
func NewWithCreator(creator Creator, scheme *runtime.Scheme, reportingController, reportingInstance string,
	clk clock.PassiveClock, log logr.Logger) *Recorder {
	return &Recorder{creator: creator, scheme: scheme, controller: reportingController, instance: reportingInstance,
		clock: clk, log: log, queue: make(chan *eventsv1.Event, QueueLength)}
}

// Eventf queues an Event about regarding (and optionally related). It
// never blocks: when the queue is full the Event is dropped and counted.
func (r *Recorder) Eventf(regarding, related runtime.Object, eventtype, reason, action, note string, args ...any) {
	event, err := r.makeEvent(regarding, related, eventtype, reason, action, fmt.Sprintf(note, args...))
	if err != nil {
		r.log.Error(err, "not recording an Event", "reason", reason)
		EventsMetric.WithLabelValues(ResultInvalid).Inc()
		return
	}
	select {
	case r.queue <- event:
	default:
		// Counted always; logged only verbosely, as a backlog drops many.
		r.log.V(1).Info("Event queue full: Event dropped", "reason", reason, "regarding", event.Regarding.Name,
			"namespace", event.Namespace)
		EventsMetric.WithLabelValues(ResultDropped).Inc()
	}
}

func (r *Recorder) makeEvent(regarding, related runtime.Object, eventtype, reason, action, note string) (*eventsv1.Event, error) {
	if eventtype != corev1.EventTypeNormal && eventtype != corev1.EventTypeWarning {
		return nil, fmt.Errorf("event type %q is neither Normal nor Warning", eventtype)
	}
	regardingRef, err := reference.GetReference(r.scheme, regarding)
	if err != nil {
		return nil, fmt.Errorf("referring to the Event's object: %w", err)
	}
	var relatedRef *corev1.ObjectReference
	if related != nil {
		if relatedRef, err = reference.GetReference(r.scheme, related); err != nil {
			return nil, fmt.Errorf("referring to the Event's related object: %w", err)
		}
	}
	now := r.clock.Now()
	namespace := regardingRef.Namespace
	if namespace == "" {
		namespace = metav1.NamespaceDefault
	}
	return &eventsv1.Event{
		// The name scheme of client-go's recorder: object name and time.
		ObjectMeta:          metav1.ObjectMeta{Name: fmt.Sprintf("%s.%x", regardingRef.Name, now.UnixNano()), Namespace: namespace},
		EventTime:           metav1.NewMicroTime(now),
		ReportingController: r.controller,
		ReportingInstance:   r.instance,
		Action:              action,
		Reason:              reason,
		Regarding:           *regardingRef,
		Related:             relatedRef,
		Note:                truncate(note, maxNoteBytes),
		Type:                eventtype,
	}, nil
}

// truncate cuts s to at most n bytes without splitting a character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Start sends queued Events until ctx ends; Events still queued then are
// dropped, as the manager is stopping.
func (r *Recorder) Start(ctx context.Context) error {
	var wg sync.WaitGroup
	for range senders {
		wg.Go(func() {
			for {
				select {
				case <-ctx.Done():
					return
				case event := <-r.queue:
					r.send(ctx, event)
				}
			}
		})
	}
	wg.Wait()
	return nil
}

// NeedLeaderElection is false: only the leader's reconcilers record Events,
// and a replica becoming leader must find its recorder running.
func (r *Recorder) NeedLeaderElection() bool { return false }

func (r *Recorder) send(ctx context.Context, event *eventsv1.Event) {
	err := apiretry.Do(ctx, sendBackoff, func() error {
		attempt, cancel := context.WithTimeout(ctx, sendTimeout)
		defer cancel()
		_, err := r.creator.Create(attempt, event, metav1.CreateOptions{})
		return err
	})
	if err != nil {
		// Typically the namespace is being deleted; nothing to retry.
		r.log.V(1).Info("Event not recorded", "reason", event.Reason, "regarding", event.Regarding.Name,
			"namespace", event.Namespace, "error", err.Error())
		EventsMetric.WithLabelValues(ResultFailed).Inc()
		return
	}
	EventsMetric.WithLabelValues(ResultSent).Inc()
}
