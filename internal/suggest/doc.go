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

// Package suggest drafts IdentityOwnerships for the Unowned identities of a
// namespace from what the cluster already records about them: Helm, Argo CD
// and Flux metadata, the app.kubernetes.io labels, owner references, and the
// team labels of the namespace. It is the logic of `kubectl steward
// suggest`, with no Kubernetes client and no clock of its own.
//
// The flow is signals -> groups -> drafts -> coverage: each Unowned identity
// yields at most one signal (the strongest it carries), identities with the
// same signal form one group, each group becomes one draft, and the drafts
// are checked with Steward's own coverage index (internal/governance), so
// the coverage reported is what the controller will find once they are
// applied.
//
// A draft never approves anything and never invents a person: purpose,
// contacts and (when nothing names it) the team are placeholders that the
// API server rejects until someone fills them in (see nhi.Placeholder).
// The labels and annotations read here are written by tenants; they only
// shape a draft that a person reviews, never a decision Steward acts on.
package suggest
