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
	"slices"
	"sync"

	rbacv1 "k8s.io/api/rbac/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

// AccessProbe lets the specs of package controller_test run the access
// plumbing in a manager of their own, before it is wired into the
// namespace controller: its reads, and its watches, in a controller that
// only records the namespaces they wake.
type AccessProbe struct {
	r *NamespaceReconciler

	mu    sync.Mutex
	woken []string
}

// NewAccessProbe registers the access indexes and the probe controller in
// mgr, whose cache must hold AccessCacheObjects.
func NewAccessProbe(ctx context.Context, mgr manager.Manager) (*AccessProbe, error) {
	if err := indexAccessBindings(ctx, mgr); err != nil {
		return nil, err
	}
	p := &AccessProbe{r: &NamespaceReconciler{Client: mgr.GetClient()}}
	bindings, changed := p.r.accessChangedBindings()
	err := p.r.watchAccess(ctrl.NewControllerManagedBy(mgr).Named("access-probe")).
		Watches(&rbacv1.RoleBinding{}, bindings, builder.WithPredicates(changed)).
		Watches(&rbacv1.ClusterRoleBinding{}, bindings, builder.WithPredicates(changed)).
		Complete(reconcile.Func(func(_ context.Context, req reconcile.Request) (reconcile.Result, error) {
			p.mu.Lock()
			defer p.mu.Unlock()
			p.woken = append(p.woken, req.Name)
			return reconcile.Result{}, nil
		}))
	return p, err
}

// Read is readAccess.
func (p *AccessProbe) Read(ctx context.Context, namespace string, names ...string) (map[string]*nhi.AccessSummary, error) {
	return p.r.readAccess(ctx, namespace, names)
}

// Woken returns the namespaces the watches woke since the last call.
func (p *AccessProbe) Woken() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	woken := slices.Compact(slices.Sorted(slices.Values(p.woken)))
	p.woken = nil
	return woken
}

// RoleChanged is what a change to a role enqueues.
func (p *AccessProbe) RoleChanged(ctx context.Context, role client.Object) []reconcile.Request {
	return p.r.roleNamespaces(ctx, role)
}

// BindingChanged is what accessChangedBindings enqueues for a binding.
func (p *AccessProbe) BindingChanged(ctx context.Context, binding client.Object) []reconcile.Request {
	return p.r.bindingNamespaces(ctx, binding)
}
