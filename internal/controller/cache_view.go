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
	"reflect"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// cachedInNamespace returns the objects of one kind the cache holds in a
// namespace: the cache's own objects, neither copied nor gathered into a
// typed list, since a namespace may hold tens of thousands and every
// reconcile reads them all. Callers only read them. Without an informer
// index to read (a client that is no cache, in tests), it lists into list.
func cachedInNamespace[T client.Object](ctx context.Context, c cache.Cache, reader client.Reader,
	list client.ObjectList, namespace string) ([]T, error) {
	// A new, empty T names the kind: T is a pointer type.
	kind := reflect.New(reflect.TypeFor[T]().Elem()).Interface().(T)
	return cachedInNamespaceAs(ctx, c, reader, kind, list, namespace, func(o runtime.Object) (T, bool) {
		typed, ok := o.(T)
		return typed, ok
	})
}

// cachedInNamespaceAs is cachedInNamespace for a kind whose strip
// transform caches it as another type, T: kind names the informer, and as
// reads both what the cache holds and what a plain reader lists.
func cachedInNamespaceAs[T any](ctx context.Context, c cache.Cache, reader client.Reader, kind client.Object,
	list client.ObjectList, namespace string, as func(runtime.Object) (T, bool)) ([]T, error) {
	var out []T
	add := func(o runtime.Object) error {
		typed, ok := as(o)
		if !ok {
			return fmt.Errorf("the cache holds a %T where a %T belongs", o, *new(T))
		}
		out = append(out, typed)
		return nil
	}
	if c != nil {
		informer, err := c.GetInformer(ctx, kind)
		if err != nil {
			return nil, err
		}
		if indexed, ok := informer.(interface{ GetIndexer() toolscache.Indexer }); ok {
			objects, err := indexed.GetIndexer().ByIndex(toolscache.NamespaceIndex, namespace)
			if err != nil {
				return nil, err
			}
			out = make([]T, 0, len(objects))
			for _, o := range objects {
				obj, _ := o.(runtime.Object) // nil, if not one: add says so
				if err := add(obj); err != nil {
					return nil, err
				}
			}
			return out, nil
		}
	}
	if err := reader.List(ctx, list, client.InNamespace(namespace), client.UnsafeDisableDeepCopy); err != nil {
		return nil, err
	}
	// Pointers into the list's items: typed lists hold values.
	return out, meta.EachListItem(list, add)
}
