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

// Package governance is Steward's decision logic, with no Kubernetes client
// and no clock of its own.
//
// Its input is a Snapshot of one namespace — identities (metadata only),
// ownerships, exceptions, reviews, the governing policy, the owner directory
// — and the time. Its output is a Result: the state, findings, labels,
// annotations and due action of every identity, the status of every
// ownership, exception and review, and the next instant at which anything
// changes. Controllers apply the differences and requeue at that instant.
//
// Evaluate is deterministic: the same Snapshot gives the same Result.
package governance
