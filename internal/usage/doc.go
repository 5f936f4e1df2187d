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

// Package usage knows which workloads of a namespace use each of its
// identities: the ServiceAccount a Pod or a workload template runs as, and
// every Secret it, or a ServiceAccount, references. Steward holds an
// identity in use rather than revoke it (SPEC §6), and reports it Unused
// when nothing uses it (SPEC §2).
//
// It is pure: the cache transforms in strip.go keep only what Users reads,
// so that caching every Pod and workload of a cluster costs little memory,
// and Users computes the answer from those stripped objects.
//
// Its Pod is an object of the cache, not of any API: no CRD is generated
// for it.
//
// +kubebuilder:skip
package usage
