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

// Package apiretry retries API requests that failed on the way, never those
// the API server refused.
package apiretry

import (
	"context"
	"errors"
	"net/http"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/util/retry"
)

// Transient is true for an error that may pass: no answer at all,
// throttling, or a server error. A refusal (forbidden, invalid, conflict…)
// is not transient.
func Transient(err error) bool {
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		code := status.Status().Code
		return code == http.StatusTooManyRequests || code >= http.StatusInternalServerError
	}
	return true
}

// Do runs request, retrying transient errors with backoff while ctx lasts.
func Do(ctx context.Context, backoff wait.Backoff, request func() error) error {
	return retry.OnError(backoff, func(err error) bool { return ctx.Err() == nil && Transient(err) }, request)
}
