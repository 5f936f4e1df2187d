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
	"sync"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"
)

// DirectoryCaches caches exactly the owner-directory ConfigMaps that
// policies name: one small cache per named ConfigMap (a field selector on
// its name, in its namespace), started the first time a policy reads it.
// No ConfigMap a policy does not name is ever held in memory, so a tenant
// cannot fill the manager's memory with ConfigMaps, labelled or not.
type DirectoryCaches struct {
	mgr manager.Manager

	mu       sync.Mutex
	watchers []directoryWatcher
	caches   map[types.NamespacedName]cache.Cache
}

// directoryWatcher is a controller told about changes of every directory.
type directoryWatcher struct {
	controller controller.Controller
	handler    handler.TypedEventHandler[*corev1.ConfigMap, reconcile.Request]
}

// NewDirectoryCaches returns caches started on demand in mgr.
func NewDirectoryCaches(mgr manager.Manager) *DirectoryCaches {
	return &DirectoryCaches{mgr: mgr, caches: map[types.NamespacedName]cache.Cache{}}
}

// Bind has a controller watch every directory cache, those started already
// and those started later.
func (d *DirectoryCaches) Bind(c controller.Controller, h handler.TypedEventHandler[*corev1.ConfigMap, reconcile.Request]) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	w := directoryWatcher{controller: c, handler: h}
	d.watchers = append(d.watchers, w)
	for _, dc := range d.caches {
		if err := c.Watch(source.TypedKind(dc, &corev1.ConfigMap{}, h)); err != nil {
			return err
		}
	}
	return nil
}

// Get reads a directory ConfigMap from its cache, starting the cache first
// if needed.
func (d *DirectoryCaches) Get(ctx context.Context, key types.NamespacedName, cm *corev1.ConfigMap) error {
	c, err := d.ensure(key)
	if err != nil {
		return err
	}
	if !c.WaitForCacheSync(ctx) {
		return fmt.Errorf("the cache of ConfigMap %s did not sync: %w", key, ctx.Err())
	}
	return c.Get(ctx, key, cm)
}

func (d *DirectoryCaches) ensure(key types.NamespacedName) (cache.Cache, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if c, found := d.caches[key]; found {
		return c, nil
	}
	c, err := cache.New(d.mgr.GetConfig(), cache.Options{
		Scheme:            d.mgr.GetScheme(),
		Mapper:            d.mgr.GetRESTMapper(),
		DefaultTransform:  StripUnusedMetadata,
		DefaultNamespaces: map[string]cache.Config{key.Namespace: {}},
		ByObject: map[client.Object]cache.ByObject{
			&corev1.ConfigMap{}: {
				Field: fields.OneTermEqualSelector("metadata.name", key.Name),
				Label: labels.SelectorFromSet(labels.Set{DirectoryLabel: "true"}),
			},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("creating the cache of ConfigMap %s: %w", key, err)
	}
	if err := d.mgr.Add(c); err != nil {
		return nil, fmt.Errorf("starting the cache of ConfigMap %s: %w", key, err)
	}
	for _, w := range d.watchers {
		if err := w.controller.Watch(source.TypedKind(c, &corev1.ConfigMap{}, w.handler)); err != nil {
			return nil, fmt.Errorf("watching ConfigMap %s: %w", key, err)
		}
	}
	d.caches[key] = c
	return c, nil
}
