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

package governance

import (
	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

// sharedMetadata hands every identity of one evaluation whose desired
// metadata is the same the same pair of maps: in a namespace of thousands,
// most identities share an ownership, a state and a since, and building two
// maps for each was most of an evaluation's allocations.
type sharedMetadata map[metadataKey]metadataMaps

// metadataKey is everything desiredMetadata reads, for the identities it
// shares maps between: neither Revoked (their record is their own) nor
// excepted (their exceptions are).
type metadataKey struct {
	state    nhi.IdentityState
	action   Action
	findings string
	since    int64 // Unix seconds, as annotated; 0 for Owned, which has none
	owner    *ownershipFacts
}

type metadataMaps struct{ labels, annotations map[string]string }

// of is desiredMetadata, shared where it can be.
func (c sharedMetadata) of(r *IdentityResult) (labels, annotations map[string]string) {
	if c == nil || r.State == nhi.StateRevoked || len(r.Waived) > 0 {
		return desiredMetadata(r, r.owner)
	}
	key := metadataKey{state: r.State, action: r.Action, findings: findingsAnnotation(r.Findings), owner: r.owner}
	if r.State != nhi.StateOwned {
		key.since = r.Since.Unix()
	}
	if m, ok := c[key]; ok {
		return m.labels, m.annotations
	}
	labels, annotations = desiredMetadata(r, r.owner)
	c[key] = metadataMaps{labels, annotations}
	return labels, annotations
}
