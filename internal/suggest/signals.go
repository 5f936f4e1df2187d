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
	"fmt"
	"maps"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// The metadata keys signals are read from.
const (
	ArgoInstanceLabel       = "argocd.argoproj.io/instance"
	ArgoTrackingAnnotation  = "argocd.argoproj.io/tracking-id"
	FluxKustomizationLabel  = "kustomize.toolkit.fluxcd.io/name"
	FluxKustomizationNS     = "kustomize.toolkit.fluxcd.io/namespace"
	FluxHelmReleaseLabel    = "helm.toolkit.fluxcd.io/name"
	FluxHelmReleaseNS       = "helm.toolkit.fluxcd.io/namespace"
	HelmReleaseAnnotation   = "meta.helm.sh/release-name"
	HelmReleaseNSAnnotation = "meta.helm.sh/release-namespace"
	ManagedByLabel          = "app.kubernetes.io/managed-by"
	PartOfLabel             = "app.kubernetes.io/part-of"
	InstanceLabel           = "app.kubernetes.io/instance"
	NameLabel               = "app.kubernetes.io/name"
)

// Source is the kind of evidence a signal comes from.
type Source string

// Sources, strongest first: an identity is grouped by the first one it
// carries. Deployment tools come first, because what one Argo CD
// Application, Flux object or Helm release deploys is what one team ships;
// then the recommended app labels, the application (part-of) before its
// instance and component name; owner references last, because they name
// one object, not an application.
const (
	SourceArgoCD            Source = "Argo CD Application"
	SourceFluxKustomization Source = "Flux Kustomization"
	SourceFluxHelmRelease   Source = "Flux HelmRelease"
	SourceHelm              Source = "Helm release"
	SourcePartOf            Source = "application"
	SourceInstance          Source = "app instance"
	SourceName              Source = "app name"
	SourceOwnerReference    Source = "owner"
)

// Signal is what identifies the application an identity belongs to.
type Signal struct {
	Source Source
	// App is the application's name as the signal gives it.
	App string
	// From says where the signal was read, such as "label
	// argocd.argoproj.io/instance" or "ownerReference".
	From string
	// Selector holds the labels that identify every identity of the
	// application; nil when the signal is an annotation or an owner
	// reference, which no selector can match.
	Selector map[string]string
	// key tells groups apart: the source and everything that identifies
	// the application within it.
	key string
	// ownerKind is the kind of the owner an owner reference names.
	ownerKind string
}

// String describes the signal for a person, such as `Helm release
// "payments" (annotation meta.helm.sh/release-name)` or `ExternalSecret
// "orders-db" (ownerReference)`.
func (s Signal) String() string {
	what := string(s.Source)
	if s.ownerKind != "" {
		what = s.ownerKind
	}
	return fmt.Sprintf("%s %q (%s)", what, s.App, s.From)
}

// detect returns the strongest signal an identity carries; false when it
// carries none.
func detect(id *Identity) (Signal, bool) {
	labels, annotations := id.Labels, id.Annotations
	if app := labels[ArgoInstanceLabel]; app != "" {
		return labelSignal(SourceArgoCD, app, ArgoInstanceLabel, nil), true
	}
	// The tracking id is <application>:<group>/<kind>:<namespace>/<name>.
	if app, _, found := strings.Cut(annotations[ArgoTrackingAnnotation], ":"); found && app != "" {
		return Signal{Source: SourceArgoCD, App: app, From: "annotation " + ArgoTrackingAnnotation,
			key: string(SourceArgoCD) + "/" + app}, true
	}
	if app := labels[FluxKustomizationLabel]; app != "" {
		return labelSignal(SourceFluxKustomization, app, FluxKustomizationLabel, optional(labels, FluxKustomizationNS)), true
	}
	if app := labels[FluxHelmReleaseLabel]; app != "" {
		return labelSignal(SourceFluxHelmRelease, app, FluxHelmReleaseLabel, optional(labels, FluxHelmReleaseNS)), true
	}
	if s, ok := helmSignal(labels, annotations); ok {
		return s, true
	}
	for _, l := range []struct {
		source Source
		key    string
	}{{SourcePartOf, PartOfLabel}, {SourceInstance, InstanceLabel}, {SourceName, NameLabel}} {
		if app := labels[l.key]; app != "" {
			return labelSignal(l.source, app, l.key, nil), true
		}
	}
	if ref, ok := owningReference(id.OwnerReferences); ok {
		group := schema.FromAPIVersionAndKind(ref.APIVersion, ref.Kind).Group
		return Signal{Source: SourceOwnerReference, App: ref.Name, From: "ownerReference", ownerKind: ref.Kind,
			key: strings.Join([]string{string(SourceOwnerReference), group, ref.Kind, ref.Name}, "/")}, true
	}
	return Signal{}, false
}

// labelSignal is a signal read from a label, whose selector is that label
// and the extra labels that qualify it.
func labelSignal(source Source, app, key string, extra map[string]string) Signal {
	selector := map[string]string{key: app}
	parts := make([]string, 0, 2+len(extra))
	parts = append(parts, string(source), key+"="+app)
	for _, k := range slices.Sorted(maps.Keys(extra)) {
		selector[k] = extra[k]
		parts = append(parts, k+"="+extra[k])
	}
	return Signal{Source: source, App: app, From: "label " + key, Selector: selector, key: strings.Join(parts, "/")}
}

// helmSignal reads the release an identity was installed by: Helm's own
// annotation, or the labels Helm charts conventionally set. The selector
// needs the labels; the annotation alone gives none.
func helmSignal(labels, annotations map[string]string) (Signal, bool) {
	managed := labels[ManagedByLabel] == "Helm"
	release, from := annotations[HelmReleaseAnnotation], "annotation "+HelmReleaseAnnotation
	if release == "" {
		if !managed || labels[InstanceLabel] == "" {
			return Signal{}, false
		}
		release, from = labels[InstanceLabel], "labels "+ManagedByLabel+"=Helm, "+InstanceLabel
	}
	s := Signal{Source: SourceHelm, App: release, From: from,
		key: string(SourceHelm) + "/" + annotations[HelmReleaseNSAnnotation] + "/" + release}
	if managed && labels[InstanceLabel] == release {
		s.Selector = map[string]string{ManagedByLabel: "Helm", InstanceLabel: release}
	}
	return s, true
}

// owningReference is the controller among an identity's owners, else the
// first owner in a stable order.
func owningReference(refs []metav1.OwnerReference) (metav1.OwnerReference, bool) {
	if len(refs) == 0 {
		return metav1.OwnerReference{}, false
	}
	for _, ref := range refs {
		if ref.Controller != nil && *ref.Controller {
			return ref, true
		}
	}
	sorted := slices.Clone(refs)
	slices.SortFunc(sorted, func(a, b metav1.OwnerReference) int {
		return strings.Compare(a.APIVersion+"/"+a.Kind+"/"+a.Name, b.APIVersion+"/"+b.Kind+"/"+b.Name)
	})
	return sorted[0], true
}

// optional is the label key, with its value, when the identity carries it.
func optional(labels map[string]string, key string) map[string]string {
	if v := labels[key]; v != "" {
		return map[string]string{key: v}
	}
	return nil
}
