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

package controller

import (
	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/evidence"
	"github.com/nhi-steward/steward/internal/governance"
)

// deadlines are the namespace's deadlines within its policy's warnBefore,
// each on the object whose deadline it is: an ownership's expiry and
// review on the ownership, an exception's end on the exception, a rotation
// or a scheduled revocation on the identity (warned of only under Enforce).
func deadlines(in *namespaceInputs, result *governance.Result) []evidence.Deadline {
	teams := map[string]string{}
	for i := range in.snapshot.Ownerships {
		teams[in.snapshot.Ownerships[i].Name] = in.snapshot.Ownerships[i].Spec.Owner.Team
	}
	var out []evidence.Deadline
	for i := range result.Identities {
		id := &result.Identities[i]
		team := teams[id.Ownership]
		for _, w := range id.Warnings {
			d := evidence.Deadline{Kind: string(id.Identity.Kind), Name: id.Identity.Name, Team: team,
				Deadline: w.Deadline, At: w.At.Time}
			switch w.Deadline {
			case nhi.DeadlineExpiry, nhi.DeadlineReview:
				d.Kind, d.Name = evidence.KindIdentityOwnership, w.Object
			case nhi.DeadlineExceptionExpiry:
				d.Kind, d.Name = evidence.KindOwnershipException, w.Object
			}
			out = append(out, d)
		}
	}
	return out
}
