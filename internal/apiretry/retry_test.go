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

package apiretry

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
)

func TestTransient(t *testing.T) {
	events := schema.GroupResource{Group: "events.k8s.io", Resource: "events"}
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{errors.New("connection refused"), true},
		{apierrors.NewTooManyRequests("slow down", 1), true},
		{apierrors.NewInternalError(errors.New("etcd")), true},
		{apierrors.NewServiceUnavailable("restarting"), true},
		{apierrors.NewServerTimeout(events, "create", 1), true},
		{fmt.Errorf("wrapped: %w", apierrors.NewServiceUnavailable("restarting")), true},
		{apierrors.NewForbidden(events, "x", errors.New("namespace is terminating")), false},
		{apierrors.NewBadRequest("invalid"), false},
		{apierrors.NewUnauthorized("who are you"), false},
		{apierrors.NewAlreadyExists(events, "x"), false},
		{apierrors.NewNotFound(events, "x"), false},
	} {
		if got := Transient(tc.err); got != tc.want {
			t.Errorf("Transient(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

func TestDo(t *testing.T) {
	backoff := wait.Backoff{Duration: time.Millisecond, Steps: 4}
	calls := 0
	err := Do(context.Background(), backoff, func() error {
		calls++
		if calls < 3 {
			return apierrors.NewServiceUnavailable("restarting")
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Errorf("transient errors: err %v after %d calls, want success on the 3rd", err, calls)
	}

	calls = 0
	err = Do(context.Background(), backoff, func() error { calls++; return apierrors.NewBadRequest("invalid") })
	if err == nil || calls != 1 {
		t.Errorf("a refusal: err %v after %d calls, want the error after 1", err, calls)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	calls = 0
	_ = Do(ctx, backoff, func() error { calls++; return errors.New("connection refused") })
	if calls != 1 {
		t.Errorf("a cancelled context: %d calls, want 1", calls)
	}
}
