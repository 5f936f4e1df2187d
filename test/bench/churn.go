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
	"context"
	"crypto/rand"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/metadata/metadatainformer"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

const (
	// churnLabel marks the identities churn creates, for its watch.
	churnLabel = "bench.steward.dev/churn"
	// namedOwnership is the ownership churn changes: it names identities.
	namedOwnership = "churn-named"
	// namedPerChange is how many identities of each sort an update names:
	// upcoming ones, created after it, and existing unowned ones.
	namedPerChange = 5
)

// churnResult is what a period of churn in the hot namespace cost and how
// fast Steward followed it.
type churnResult struct {
	created int
	rate    float64 // creations per second achieved
	updates int
	// flips are the existing identities whose state an update changed.
	flips int
	// createLatencies run from just before each Create to the watch seeing
	// the identity's correct state; flipLatencies from just before an
	// update to the watch seeing a flipped identity's new state. Sorted.
	createLatencies, flipLatencies []time.Duration
	createMissed, flipMissed       int
	window                         time.Duration // churn plus settling
	cpuSeconds                     float64
	evaluations                    float64
	evaluatedIdentities            float64
	writes                         writeCounts
	eventsLost                     int
}

func (r *churnResult) necessary() int { return r.created + r.flips }

// churnIdentity is the i-th identity churn creates: ServiceAccounts and
// Secrets alternate, and half of each kind carry the owned label.
type churnIdentity struct {
	kind     nhi.IdentityKind
	name     string
	labelled bool
}

func churnItem(i int) churnIdentity {
	kind := nhi.KindServiceAccount
	if i%2 == 1 {
		kind = nhi.KindSecret
	}
	return churnIdentity{kind: kind, name: fmt.Sprintf("churn-%05d", i), labelled: (i/2)%2 == 0}
}

func (it churnIdentity) key() string { return string(it.kind) + "/" + it.name }

func wantState(labelled, named bool) string {
	if labelled || named {
		return string(nhi.StateOwned)
	}
	return string(nhi.StateUnowned)
}

// tracked is what churn expects of one identity, and since when.
type tracked struct {
	labelled bool
	want     string
	since    time.Time
	settled  bool
	flip     bool // want last changed by an ownership update, not by creation
}

type churnTracker struct {
	mu    sync.Mutex
	named map[string]bool // the keys the named ownership lists now
	ids   map[string]*tracked
	r     *churnResult
}

// observe settles an identity when the watch shows the state it expects.
func (t *churnTracker) observe(kind nhi.IdentityKind, item *metav1.PartialObjectMetadata) {
	now := time.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	x := t.ids[string(kind)+"/"+item.Name]
	if x == nil || x.settled || !carriesState(item, x.want) {
		return
	}
	x.settled = true
	if x.flip {
		t.r.flipLatencies = append(t.r.flipLatencies, now.Sub(x.since))
	} else {
		t.r.createLatencies = append(t.r.createLatencies, now.Sub(x.since))
	}
}

// carriesState says whether an identity shows want: the state annotation,
// and the Unowned finding label exactly when unowned.
func carriesState(item *metav1.PartialObjectMetadata, want string) bool {
	if item.Annotations[stateAnnotation] != want {
		return false
	}
	if want == string(nhi.StateUnowned) {
		return item.Labels[findingLabel] == "unowned"
	}
	return item.Labels[findingLabel] == ""
}

// register records a creation about to be made.
func (t *churnTracker) register(it churnIdentity) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.ids[it.key()] = &tracked{labelled: it.labelled, want: wantState(it.labelled, t.named[it.key()]),
		since: time.Now()}
}

// rename makes names the named ownership's list, and re-expects every
// existing identity whose state that changes.
func (t *churnTracker) rename(names []churnIdentity) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.named = map[string]bool{}
	for _, it := range names {
		t.named[it.key()] = true
	}
	now := time.Now()
	for key, x := range t.ids {
		want := wantState(x.labelled, t.named[key])
		if want == x.want {
			continue
		}
		if !x.settled { // an earlier expectation was never seen met
			if x.flip {
				t.r.flipMissed++
			} else {
				t.r.createMissed++
			}
		}
		x.want, x.since, x.settled, x.flip = want, now, false, true
		t.r.flips++
	}
}

// counts is the identities registered, and those not yet seen right.
func (t *churnTracker) counts() (registered, unsettled int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, x := range t.ids {
		if !x.settled {
			unsettled++
		}
	}
	return len(t.ids), unsettled
}

func (t *churnTracker) unsettled() int {
	_, n := t.counts()
	return n
}

// churnPlan says which identities the named ownership lists at each update.
type churnPlan struct {
	total, perWindow int
}

// named is the list of update k (0 creates the ownership): a few unowned
// identities of window k that are yet to be created, and from update 1 on
// a few unowned ones of window k-1 that exist and were not named. Margins
// of a fifth of a window keep each name clear of the update's own moment.
func (p churnPlan) named(k int, previous []churnIdentity) []churnIdentity {
	margin := p.perWindow / 5
	var names []churnIdentity
	pick := func(from, to int, skip []churnIdentity) {
		picked := 0
		for i := from; i < to && i < p.total && picked < namedPerChange; i++ {
			it := churnItem(i)
			if !it.labelled && !slices.Contains(skip, it) {
				names = append(names, it)
				picked++
			}
		}
	}
	pick(k*p.perWindow+margin, (k+1)*p.perWindow, nil)
	if k > 0 {
		pick((k-1)*p.perWindow+margin, k*p.perWindow-margin, previous)
	}
	return names
}

func references(names []churnIdentity) []nhi.IdentityReference {
	refs := make([]nhi.IdentityReference, 0, len(names))
	for _, it := range names {
		refs = append(refs, nhi.IdentityReference{Kind: it.kind, Name: it.name})
	}
	return refs
}

// churn creates churnRate identities per second in the hot namespace for
// churnDuration, and every churnEvery changes which identities an ownership
// names (as the approver, who re-approves it). It measures how soon each
// change shows, and what the manager spent on them.
func churn(ctx context.Context, cl *clients, c config, m *runningManager) (*churnResult, error) {
	ns := namespaceName(0)
	interval := time.Second / time.Duration(c.churnRate)
	plan := churnPlan{total: int(c.churnDuration / interval), perWindow: int(c.churnEvery / interval)}
	updates := int(c.churnDuration/c.churnEvery) - 1
	r := &churnResult{}
	t := &churnTracker{named: map[string]bool{}, ids: map[string]*tracked{}, r: r}

	factory := metadatainformer.NewFilteredSharedInformerFactory(cl.metadata, 0, ns,
		func(o *metav1.ListOptions) { o.LabelSelector = churnLabel })
	for gvr, kind := range map[schema.GroupVersionResource]nhi.IdentityKind{
		serviceAccounts: nhi.KindServiceAccount, secrets: nhi.KindSecret} {
		observe := func(obj any) {
			if item, ok := obj.(*metav1.PartialObjectMetadata); ok {
				t.observe(kind, item)
			}
		}
		_, _ = factory.ForResource(gvr).Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
			AddFunc: observe, UpdateFunc: func(_, obj any) { observe(obj) },
		})
	}
	stop := make(chan struct{})
	defer close(stop)
	factory.Start(stop)
	factory.WaitForCacheSync(stop)

	named := plan.named(0, nil)
	t.rename(named)
	o := &nhi.IdentityOwnership{
		ObjectMeta: metav1.ObjectMeta{Name: namedOwnership, Namespace: ns},
		Spec: nhi.IdentityOwnershipSpec{
			Identities: references(named),
			Owner:      benchOwner(),
			Purpose:    benchPurpose,
			Approval:   benchApproval(time.Now().Add(-2 * time.Second)),
			ExpiresAt:  metav1.NewTime(time.Now().Add(365 * 24 * time.Hour)),
		},
	}
	if err := cl.approver.Create(ctx, o); err != nil {
		return nil, err
	}
	before, err := m.settle(3*time.Second, 30*time.Second)
	if err != nil {
		return nil, err
	}
	payload := make([]byte, c.secretBytes)
	if _, err := rand.Read(payload); err != nil {
		return nil, err
	}

	logf("churn: %d identities per second for %s in %s, and the ownership %s renamed every %s",
		c.churnRate, c.churnDuration, ns, namedOwnership, c.churnEvery)
	start := time.Now()
	var updated atomic.Int64
	stopProgress := progress(func() string {
		created, unsettled := t.counts()
		return fmt.Sprintf("churn: %d identities created, %d updates, %d not yet seen right after %s",
			created, updated.Load(), unsettled, since(start))
	})
	var (
		wg       sync.WaitGroup
		errMu    sync.Mutex
		firstErr error
	)
	fail := func(err error) {
		errMu.Lock()
		defer errMu.Unlock()
		if firstErr == nil {
			firstErr = err
		}
	}
	wg.Go(func() {
		for k := 1; k <= updates; k++ {
			time.Sleep(time.Until(start.Add(time.Duration(k) * c.churnEvery)))
			named = plan.named(k, named)
			t.rename(named)
			if err := renameOwnership(ctx, cl.approver, ns, named); err != nil {
				fail(fmt.Errorf("updating %s: %w", namedOwnership, err))
				return
			}
			updated.Add(1)
		}
	})
	slots := make(chan struct{}, 16)
	for i := range plan.total {
		time.Sleep(time.Until(start.Add(time.Duration(i) * interval)))
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			if err := createChurnIdentity(ctx, cl, t, ns, churnItem(i), payload); err != nil {
				fail(err)
			}
		})
	}
	wg.Wait()
	stopProgress()
	if firstErr != nil {
		return nil, firstErr
	}
	r.created, r.updates = plan.total, int(updated.Load())
	r.rate = float64(plan.total) / time.Since(start).Seconds()
	end := time.Now().Add(time.Minute)
	for t.unsettled() > 0 && time.Now().Before(end) {
		time.Sleep(100 * time.Millisecond)
	}
	after, err := m.settle(3*time.Second, 30*time.Second)
	if err != nil {
		return nil, err
	}
	r.window = time.Since(start)

	t.mu.Lock()
	defer t.mu.Unlock()
	for _, x := range t.ids {
		if !x.settled {
			if x.flip {
				r.flipMissed++
			} else {
				r.createMissed++
			}
		}
	}
	slices.Sort(r.createLatencies)
	slices.Sort(r.flipLatencies)
	r.cpuSeconds = after.total(cpuMetric) - before.total(cpuMetric)
	r.evaluations = after.total(evaluationsMetric) - before.total(evaluationsMetric)
	r.evaluatedIdentities = after.total(evaluatedMetric) - before.total(evaluatedMetric)
	r.writes = after.writes().minus(before.writes())
	r.eventsLost = after.eventsLost() - before.eventsLost()
	logf("churn: %d created (%.1f/s), %d updates flipping %d; creation latency p50 %s p99 %s; %d missed; writes: %s",
		r.created, r.rate, r.updates, r.flips, percentile(r.createLatencies, 0.5), percentile(r.createLatencies, 0.99),
		r.createMissed+r.flipMissed, r.writes)
	return r, nil
}

func createChurnIdentity(ctx context.Context, cl *clients, t *churnTracker, ns string, it churnIdentity,
	payload []byte) error {
	labels := map[string]string{churnLabel: "true"}
	if it.labelled {
		labels[ownedLabel] = ownedValue
	}
	var obj client.Object = serviceAccount(ns, it.name, labels)
	if it.kind == nhi.KindSecret {
		obj = &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: it.name, Namespace: ns, Labels: labels},
			Type: corev1.SecretTypeOpaque, Data: map[string][]byte{credential: payload}}
	}
	t.register(it)
	return cl.ctrl.Create(ctx, obj)
}

// renameOwnership makes the named ownership list names, approved afresh.
func renameOwnership(ctx context.Context, approverClient client.Client, ns string, names []churnIdentity) error {
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		var o nhi.IdentityOwnership
		if err := approverClient.Get(ctx, client.ObjectKey{Namespace: ns, Name: namedOwnership}, &o); err != nil {
			return err
		}
		o.Spec.Identities = references(names)
		o.Spec.Approval = benchApproval(time.Now().Add(-2 * time.Second))
		return approverClient.Update(ctx, &o)
	})
}

// percentile is the p-th quantile of sorted durations (0 when empty).
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[int(float64(len(sorted)-1)*p)].Round(time.Millisecond)
}
