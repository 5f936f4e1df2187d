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
	"time"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

// policyDurations are the governing policy's durations, parsed once per
// evaluation: every identity asks for them, and parsing a duration costs
// more than the rest of most identities' decisions.
type policyDurations struct {
	warnBefore, staleAfter, unusedAfter time.Duration
	// revokeAfter is the grace period of each finding's rule (the first
	// rule of the finding, as ruleFor); absent when it has none.
	revokeAfter map[nhi.Finding]time.Duration
}

func parsePolicyDurations(policy *nhi.OwnershipPolicy) policyDurations {
	if policy == nil {
		return policyDurations{}
	}
	d := policyDurations{
		warnBefore:  warnBefore(policy),
		staleAfter:  ParseDuration(policy.Spec.StaleAfter),
		unusedAfter: ParseDuration(policy.Spec.UnusedAfter),
		revokeAfter: map[nhi.Finding]time.Duration{},
	}
	for _, rule := range policy.Spec.Rules {
		if _, seen := d.revokeAfter[rule.Finding]; !seen {
			d.revokeAfter[rule.Finding] = ParseDuration(rule.RevokeAfter)
		}
	}
	return d
}
