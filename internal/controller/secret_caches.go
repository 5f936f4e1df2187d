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

package controller

import (
	"context"
	"fmt"
	"slices"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/source"

	"github.com/nhi-steward/steward/internal/governance"
)

// secretTypeMeta makes a PartialObjectMetadata stand for a Secret.
var secretTypeMeta = metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"}

// SecretCaches holds one metadata-only cache of Secrets per governed Secret
// type.
//
// A Secret's type is not part of its metadata, and Steward must never hold
// Secret data in memory. So instead of one full-Secret informer, Steward
// runs a metadata-only informer per type, selected server-side with the
// field selector type=<type>: the type of every cached Secret is known, and
// no byte of Secret data ever reaches the manager. Informers are added when
// a policy first names a type.
type SecretCaches struct {
	mgr     manager.Manager
	handler handler.TypedEventHandler[*metav1.PartialObjectMetadata, reconcileRequest]
	preds   []predicate.TypedPredicate[*metav1.PartialObjectMetadata]

	mu         sync.Mutex
	controller controller.Controller
	caches     map[string]cache.Cache
}

// NewSecretCaches prepares per-type caches whose events go to handler once
// Bind gives them a controller.
func NewSecretCaches(mgr manager.Manager, h handler.TypedEventHandler[*metav1.PartialObjectMetadata, reconcileRequest],
	preds ...predicate.TypedPredicate[*metav1.PartialObjectMetadata]) *SecretCaches {
	return &SecretCaches{mgr: mgr, handler: h, preds: preds, caches: map[string]cache.Cache{}}
}

// Bind sets the controller whose queue receives the Secret events.
func (s *SecretCaches) Bind(c controller.Controller) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.controller = c
}

// Ensure starts a cache for every type not yet cached and waits until they
// have all synced: no decision is made on a partial view.
func (s *SecretCaches) Ensure(ctx context.Context, secretTypes []string) error {
	pending := make([]cache.Cache, 0, len(secretTypes))
	s.mu.Lock()
	for _, secretType := range secretTypes {
		c, found := s.caches[secretType]
		if !found {
			var err error
			if c, err = s.start(secretType); err != nil {
				s.mu.Unlock()
				return err
			}
			s.caches[secretType] = c
		}
		pending = append(pending, c)
	}
	s.mu.Unlock()
	for _, c := range pending {
		if !c.WaitForCacheSync(ctx) {
			return fmt.Errorf("secret caches did not sync: %w", ctx.Err())
		}
	}
	return nil
}

func (s *SecretCaches) start(secretType string) (cache.Cache, error) {
	if s.controller == nil {
		return nil, fmt.Errorf("secret caches are not bound to a controller")
	}
	obj := &metav1.PartialObjectMetadata{TypeMeta: secretTypeMeta}
	c, err := cache.New(s.mgr.GetConfig(), cache.Options{
		Scheme:           s.mgr.GetScheme(),
		Mapper:           s.mgr.GetRESTMapper(),
		DefaultTransform: StripUnusedMetadata,
		ByObject: map[client.Object]cache.ByObject{
			obj: {Field: fields.OneTermEqualSelector("type", secretType)},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("creating the cache of %s Secrets: %w", secretType, err)
	}
	if err := s.mgr.Add(c); err != nil {
		return nil, fmt.Errorf("starting the cache of %s Secrets: %w", secretType, err)
	}
	src := source.TypedKind(c, obj, s.handler, s.preds...)
	if err := s.controller.Watch(src); err != nil {
		return nil, fmt.Errorf("watching %s Secrets: %w", secretType, err)
	}
	return c, nil
}

// ResourceVersion is the version of a Secret its type's cache holds; false
// if the cache does not hold it.
func (s *SecretCaches) ResourceVersion(ctx context.Context, key client.ObjectKey, secretType string) (string, bool) {
	s.mu.Lock()
	c := s.caches[secretType]
	s.mu.Unlock()
	obj := &metav1.PartialObjectMetadata{TypeMeta: secretTypeMeta}
	if c == nil || c.Get(ctx, key, obj) != nil {
		return "", false
	}
	return obj.ResourceVersion, true
}

// List returns the metadata of the Secrets of the given types in a
// namespace. Every type must have been ensured.
func (s *SecretCaches) List(ctx context.Context, namespace string, secretTypes []string) ([]governance.Identity, error) {
	var identities []governance.Identity
	for _, secretType := range slices.Compact(slices.Sorted(slices.Values(secretTypes))) {
		s.mu.Lock()
		c := s.caches[secretType]
		s.mu.Unlock()
		if c == nil {
			return nil, fmt.Errorf("no cache for %s Secrets", secretType)
		}
		list := &metav1.PartialObjectMetadataList{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "SecretList"}}
		// Not copied: identities only read the cached labels and
		// annotations (the write ledger's overlay replaces, never edits, them).
		if err := c.List(ctx, list, client.InNamespace(namespace), client.UnsafeDisableDeepCopy); err != nil {
			return nil, fmt.Errorf("listing %s Secrets in %s: %w", secretType, namespace, err)
		}
		identities = slices.Grow(identities, len(list.Items))
		for i := range list.Items {
			identities = append(identities, identityFromMeta(&list.Items[i].ObjectMeta, secretType))
		}
	}
	return identities, nil
}
