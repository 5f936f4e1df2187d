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
	"maps"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/governance"
)

// fixture is one identity for the tests: kind SA or Secret, labels and
// annotations as key=value pairs.
type fixture struct {
	kind        nhi.IdentityKind
	name        string
	secretType  string
	labels      map[string]string
	annotations map[string]string
	owners      []metav1.OwnerReference
}

func (f fixture) identity() Identity {
	secretType := f.secretType
	if f.kind == nhi.KindSecret && secretType == "" {
		secretType = "Opaque"
	}
	return Identity{
		Identity: governance.Identity{Kind: f.kind, Name: f.name, SecretType: secretType,
			Labels: f.labels, Annotations: f.annotations},
		OwnerReferences: f.owners,
	}
}

func sa(name string, labels, annotations map[string]string) fixture {
	return fixture{kind: nhi.KindServiceAccount, name: name, labels: labels, annotations: annotations}
}

func secret(name string, labels, annotations map[string]string, owners ...metav1.OwnerReference) fixture {
	return fixture{kind: nhi.KindSecret, name: name, labels: labels, annotations: annotations, owners: owners}
}

func kv(pairs ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(pairs); i += 2 {
		m[pairs[i]] = pairs[i+1]
	}
	return m
}

func externalSecret(name string, controller bool) metav1.OwnerReference {
	return metav1.OwnerReference{APIVersion: "external-secrets.io/v1", Kind: "ExternalSecret", Name: name,
		UID: types.UID("uid-" + name), Controller: new(controller)}
}

func TestDetect(t *testing.T) {
	cases := []struct {
		name         string
		identity     fixture
		wantSource   Source // "" when no signal
		wantApp      string
		wantSelector map[string]string // nil when names are the only way
	}{
		{name: "no metadata", identity: sa("forgotten", nil, nil)},
		{name: "unrelated labels only", identity: sa("x", kv("tier", "backend"), kv("note", "hand-made"))},
		{name: "Argo CD instance label", identity: sa("api", kv(ArgoInstanceLabel, "payments"), nil),
			wantSource: SourceArgoCD, wantApp: "payments", wantSelector: kv(ArgoInstanceLabel, "payments")},
		{name: "Argo CD tracking annotation", identity: sa("api", nil,
			kv(ArgoTrackingAnnotation, "payments-prod:/ServiceAccount:shop/api")),
			wantSource: SourceArgoCD, wantApp: "payments-prod"},
		{name: "Argo CD tracking annotation without an application", identity: sa("api", nil,
			kv(ArgoTrackingAnnotation, ":/ServiceAccount:shop/api"))},
		{name: "Flux Kustomization with its namespace", identity: sa("api",
			kv(FluxKustomizationLabel, "apps", FluxKustomizationNS, "flux-system"), nil),
			wantSource: SourceFluxKustomization, wantApp: "apps",
			wantSelector: kv(FluxKustomizationLabel, "apps", FluxKustomizationNS, "flux-system")},
		{name: "Flux HelmRelease", identity: secret("db", kv(FluxHelmReleaseLabel, "postgres"), nil),
			wantSource: SourceFluxHelmRelease, wantApp: "postgres", wantSelector: kv(FluxHelmReleaseLabel, "postgres")},
		{name: "Helm annotation and labels", identity: sa("api",
			kv(ManagedByLabel, "Helm", InstanceLabel, "billing"), kv(HelmReleaseAnnotation, "billing")),
			wantSource: SourceHelm, wantApp: "billing", wantSelector: kv(ManagedByLabel, "Helm", InstanceLabel, "billing")},
		{name: "Helm annotation alone: no selector", identity: sa("api", nil, kv(HelmReleaseAnnotation, "billing")),
			wantSource: SourceHelm, wantApp: "billing"},
		{name: "Helm annotation naming another release than the instance label", identity: sa("api",
			kv(ManagedByLabel, "Helm", InstanceLabel, "other"), kv(HelmReleaseAnnotation, "billing")),
			wantSource: SourceHelm, wantApp: "billing"},
		{name: "Helm labels without the annotation", identity: sa("api", kv(ManagedByLabel, "Helm", InstanceLabel, "billing"), nil),
			wantSource: SourceHelm, wantApp: "billing", wantSelector: kv(ManagedByLabel, "Helm", InstanceLabel, "billing")},
		{name: "managed by Helm but no release named: the app name decides", identity: sa("api",
			kv(ManagedByLabel, "Helm", NameLabel, "grafana"), nil),
			wantSource: SourceName, wantApp: "grafana", wantSelector: kv(NameLabel, "grafana")},
		{name: "an instance label not managed by Helm is an app instance", identity: sa("api", kv(InstanceLabel, "billing"), nil),
			wantSource: SourceInstance, wantApp: "billing", wantSelector: kv(InstanceLabel, "billing")},
		{name: "part-of wins over instance and name", identity: sa("api",
			kv(PartOfLabel, "shop", InstanceLabel, "shop-api", NameLabel, "api"), nil),
			wantSource: SourcePartOf, wantApp: "shop", wantSelector: kv(PartOfLabel, "shop")},
		{name: "Argo CD wins over Helm and app labels", identity: sa("api",
			kv(ArgoInstanceLabel, "shop-prod", ManagedByLabel, "Helm", InstanceLabel, "shop", PartOfLabel, "shop"),
			kv(HelmReleaseAnnotation, "shop")),
			wantSource: SourceArgoCD, wantApp: "shop-prod", wantSelector: kv(ArgoInstanceLabel, "shop-prod")},
		{name: "app labels win over an owner reference", identity: secret("db", kv(NameLabel, "orders"), nil,
			externalSecret("orders-db", true)),
			wantSource: SourceName, wantApp: "orders", wantSelector: kv(NameLabel, "orders")},
		{name: "owner reference: ExternalSecret", identity: secret("db", nil, nil, externalSecret("orders-db", true)),
			wantSource: SourceOwnerReference, wantApp: "orders-db"},
		{name: "owner reference: the controller among several", identity: secret("db", nil, nil,
			externalSecret("aaa", false), externalSecret("zzz", true)),
			wantSource: SourceOwnerReference, wantApp: "zzz"},
		{name: "owner reference: no controller, the first in a stable order", identity: secret("db", nil, nil,
			externalSecret("zzz", false), externalSecret("aaa", false)),
			wantSource: SourceOwnerReference, wantApp: "aaa"},
		{name: "empty label values are no signal", identity: sa("api", kv(ArgoInstanceLabel, "", PartOfLabel, ""), nil)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			id := tc.identity.identity()
			got, ok := detect(&id)
			if ok != (tc.wantSource != "") {
				t.Fatalf("detect() found a signal = %v (%v), want %v", ok, got, tc.wantSource != "")
			}
			if !ok {
				return
			}
			if got.Source != tc.wantSource || got.App != tc.wantApp {
				t.Errorf("detect() = %s %q, want %s %q", got.Source, got.App, tc.wantSource, tc.wantApp)
			}
			if !maps.Equal(got.Selector, tc.wantSelector) || (got.Selector == nil) != (tc.wantSelector == nil) {
				t.Errorf("selector = %v, want %v", got.Selector, tc.wantSelector)
			}
		})
	}
}

// Two identities are grouped together exactly when their signals' keys are
// equal: the same name from two sources, or from two Flux namespaces, are
// different applications.
func TestSignalKeysTellApplicationsApart(t *testing.T) {
	cases := []struct {
		name string
		a, b fixture
		same bool
	}{
		{"same Argo CD application by label", sa("a", kv(ArgoInstanceLabel, "x"), nil), secret("b", kv(ArgoInstanceLabel, "x"), nil), true},
		{"Argo CD label and tracking annotation of one application", sa("a", kv(ArgoInstanceLabel, "x"), nil),
			sa("b", nil, kv(ArgoTrackingAnnotation, "x:/Secret:ns/b")), false},
		{"Flux Kustomizations of one name in two namespaces",
			sa("a", kv(FluxKustomizationLabel, "apps", FluxKustomizationNS, "team-a"), nil),
			sa("b", kv(FluxKustomizationLabel, "apps", FluxKustomizationNS, "team-b"), nil), false},
		{"Helm release by annotation and by labels", sa("a", nil, kv(HelmReleaseAnnotation, "r")),
			sa("b", kv(ManagedByLabel, "Helm", InstanceLabel, "r"), nil), true},
		{"Helm releases of one name from two namespaces", sa("a", nil, kv(HelmReleaseAnnotation, "r", HelmReleaseNSAnnotation, "x")),
			sa("b", nil, kv(HelmReleaseAnnotation, "r", HelmReleaseNSAnnotation, "y")), false},
		{"the same name as Helm release and as part-of", sa("a", nil, kv(HelmReleaseAnnotation, "shop")),
			sa("b", kv(PartOfLabel, "shop"), nil), false},
		{"owners of one name and two kinds", secret("a", nil, nil, externalSecret("x", true)),
			secret("b", nil, nil, metav1.OwnerReference{APIVersion: "cert-manager.io/v1", Kind: "Certificate", Name: "x", UID: "u"}), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, b := tc.a.identity(), tc.b.identity()
			sa, _ := detect(&a)
			sb, _ := detect(&b)
			if (sa.key == sb.key) != tc.same {
				t.Errorf("keys %q and %q: same = %v, want %v", sa.key, sb.key, sa.key == sb.key, tc.same)
			}
		})
	}
}
