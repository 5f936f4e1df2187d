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

package suggest

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation"
)

func TestDNSLabel(t *testing.T) {
	long := strings.Repeat("payments-", 10) // 90 characters
	cases := []struct {
		in, want string
	}{
		{"payments", "payments"},
		{"Payments API", "payments-api"},
		{"argocd_payments", "argocd-payments"},
		{"--shop..v2--", "shop-v2"},
		{"ünïcode", "n-code"},
		{"___", fallbackName},
		{"", fallbackName},
		{long, strings.TrimRight(long[:54], "-") + "-" + digest(long)},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got := dnsLabel(tc.in)
			if got != tc.want {
				t.Errorf("dnsLabel(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if errs := validation.IsDNS1123Label(got); len(errs) > 0 {
				t.Errorf("dnsLabel(%q) = %q is not a DNS-1123 label: %v", tc.in, got, errs)
			}
		})
	}
	// Two long names that differ only past the cut stay apart.
	if a, b := dnsLabel(long+"a"), dnsLabel(long+"b"); a == b {
		t.Errorf("dnsLabel gave %q to two different names", a)
	}
}

func TestNamesClaim(t *testing.T) {
	long := strings.Repeat("x", 70)
	cases := []struct {
		name     string
		existing []string
		claims   [][2]string // base, key
		want     []string
	}{
		{name: "free names are kept", claims: [][2]string{{"payments", "k1"}, {"orders", "k2"}},
			want: []string{"payments", "orders"}},
		{name: "a name an existing ownership has gets the key's digest", existing: []string{"payments"},
			claims: [][2]string{{"payments", "k1"}}, want: []string{"payments-" + digest("k1")}},
		{name: "two groups wanting one name", claims: [][2]string{{"shop", "helm/shop"}, {"shop", "part-of/shop"}},
			want: []string{"shop", "shop-" + digest("part-of/shop")}},
		{name: "a long base is cut to fit its digest", existing: []string{dnsLabel(long)},
			claims: [][2]string{{dnsLabel(long), "k"}}, want: []string{withSuffix(dnsLabel(long), digest("k"))}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n := newNames(tc.existing)
			for i, c := range tc.claims {
				got := n.claim(c[0], c[1])
				if got != tc.want[i] {
					t.Errorf("claim(%q, %q) = %q, want %q", c[0], c[1], got, tc.want[i])
				}
				if errs := validation.IsDNS1123Label(got); len(errs) > 0 {
					t.Errorf("claim gave %q, not a DNS-1123 label: %v", got, errs)
				}
			}
		})
	}
}
