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

package metricsauth

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/go-logr/logr"
	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	clocktesting "k8s.io/utils/clock/testing"
)

// The API server's answers are stood in for here, to count the reviews
// and move the clock; test/e2e scrapes the manager with real tokens.

type tokens struct {
	users map[string]string // token → username
	err   error
	calls int
}

func (t *tokens) Create(_ context.Context, review *authenticationv1.TokenReview,
	_ metav1.CreateOptions) (*authenticationv1.TokenReview, error) {
	t.calls++
	if t.err != nil {
		return nil, t.err
	}
	name, found := t.users[review.Spec.Token]
	review.Status = authenticationv1.TokenReviewStatus{Authenticated: found,
		User: authenticationv1.UserInfo{Username: name, Groups: []string{"system:authenticated"}}}
	return review, nil
}

type access struct {
	allowed map[string]bool // "user verb path" → allowed
	calls   int
}

func (a *access) Create(_ context.Context, review *authorizationv1.SubjectAccessReview,
	_ metav1.CreateOptions) (*authorizationv1.SubjectAccessReview, error) {
	a.calls++
	attrs := review.Spec.NonResourceAttributes
	review.Status.Allowed = a.allowed[review.Spec.User+" "+attrs.Verb+" "+attrs.Path]
	return review, nil
}

func scrape(t *testing.T, h http.Handler, authorization string) int {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code
}

func newHandler(t *testing.T, tk *tokens, ac *access, clk *clocktesting.FakePassiveClock) http.Handler {
	t.Helper()
	h, err := NewGuard(tk, ac, clk).Filter(logr.Discard(), http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
	}))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestFilterStatusCodes(t *testing.T) {
	tk := &tokens{users: map[string]string{"prometheus-token": "prometheus", "intruder-token": "intruder"}}
	ac := &access{allowed: map[string]bool{"prometheus get /metrics": true}}
	h := newHandler(t, tk, ac, clocktesting.NewFakePassiveClock(time.Now()))
	for _, tc := range []struct {
		name          string
		authorization string
		want          int
	}{
		{"no header", "", http.StatusUnauthorized},
		{"not a bearer token", "Basic cHJvbWV0aGV1czpzZWNyZXQ=", http.StatusUnauthorized},
		{"empty bearer token", "Bearer ", http.StatusUnauthorized},
		{"unknown token", "Bearer forged", http.StatusUnauthorized},
		{"valid token, no permission", "Bearer intruder-token", http.StatusForbidden},
		{"valid token with permission", "Bearer prometheus-token", http.StatusOK},
		{"scheme is case-insensitive", "bearer prometheus-token", http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := scrape(t, h, tc.authorization); got != tc.want {
				t.Errorf("status = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestFilterRemembersAnswersForTheirLifetimes(t *testing.T) {
	clk := clocktesting.NewFakePassiveClock(time.Now())
	tk := &tokens{users: map[string]string{"prometheus-token": "prometheus", "intruder-token": "intruder"}}
	ac := &access{allowed: map[string]bool{"prometheus get /metrics": true}}
	h := newHandler(t, tk, ac, clk)

	for range 3 {
		scrape(t, h, "Bearer prometheus-token")
		scrape(t, h, "Bearer intruder-token")
	}
	if tk.calls != 2 || ac.calls != 2 {
		t.Fatalf("3 scrapes each by 2 callers: %d TokenReviews and %d SubjectAccessReviews, want 2 and 2", tk.calls, ac.calls)
	}

	clk.SetTime(clk.Now().Add(tokenTTL))
	scrape(t, h, "Bearer prometheus-token")
	scrape(t, h, "Bearer intruder-token")
	if tk.calls != 4 || ac.calls != 3 {
		t.Fatalf("after %s: %d TokenReviews and %d SubjectAccessReviews, want 4 (tokens expired) and 3 (the denial, %s, expired; the allowance, %s, did not)",
			tokenTTL, tk.calls, ac.calls, denyTTL, allowTTL)
	}

	// A permission taken away is noticed once the allowance expires.
	delete(ac.allowed, "prometheus get /metrics")
	clk.SetTime(clk.Now().Add(allowTTL))
	if got := scrape(t, h, "Bearer prometheus-token"); got != http.StatusForbidden {
		t.Fatalf("after the allowance expired and the permission was removed: status %d, want 403", got)
	}
}

func TestFilterFailsClosedWhenTheAPIServerCannotAnswer(t *testing.T) {
	forbidden := apierrors.NewForbidden(schema.GroupResource{Group: "authentication.k8s.io", Resource: "tokenreviews"},
		"", errors.New("the manager may not create tokenreviews"))
	tk := &tokens{err: forbidden}
	ac := &access{}
	h := newHandler(t, tk, ac, clocktesting.NewFakePassiveClock(time.Now()))
	if got := scrape(t, h, "Bearer prometheus-token"); got != http.StatusInternalServerError {
		t.Fatalf("status = %d, want 500", got)
	}
	if tk.calls != 1 {
		t.Errorf("a refusal was retried: %d TokenReviews, want 1", tk.calls)
	}
	if ac.calls != 0 {
		t.Errorf("authorization was asked without an authenticated user")
	}
}

func TestExpiringCacheIsBounded(t *testing.T) {
	clk := clocktesting.NewFakePassiveClock(time.Now())
	c := newExpiringCache[bool](clk, 2)
	c.put("a", true, time.Minute)
	c.put("b", true, time.Hour)
	c.put("c", true, time.Minute)
	if _, found := c.get("c"); found {
		t.Fatal("a full cache with nothing expired remembered a third answer")
	}
	clk.SetTime(clk.Now().Add(time.Minute))
	c.put("c", true, time.Minute)
	for key, want := range map[string]bool{"a": false, "b": true, "c": true} {
		if _, found := c.get(key); found != want {
			t.Errorf("%s remembered = %v, want %v", key, found, want)
		}
	}
}
