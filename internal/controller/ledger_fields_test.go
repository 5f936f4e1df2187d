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

package controller_test

import (
	"fmt"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

var _ = Describe("The ledger on the API server", func() {
	It("tracks its entries as one field, not one field per identity", func() {
		s := newScenario()
		const count = 12
		for i := range count {
			s.serviceAccount(fmt.Sprintf("account-%d", i))
		}
		// The suite's ledgers hold a few entries each, so these are in shards.
		entries := func() int {
			n := 0
			for _, ledger := range ledgersOf(s.namespace) {
				n += len(ledger.Status.Identities)
			}
			return n
		}
		Eventually(entries).Should(Equal(count))

		// Every write of a ledger sends the API server its managedFields
		// too: tracked key by key, they named every identity again.
		for _, ledger := range ledgersOf(s.namespace) {
			if len(ledger.Status.Identities) == 0 {
				continue
			}
			fields := managedFieldsOf(&ledger)
			Expect(fields).To(ContainSubstring(`"f:identities":{}`), "ledger %s", ledger.Name)
			for uid := range ledger.Status.Identities {
				Expect(fields).NotTo(ContainSubstring(uid), "ledger %s", ledger.Name)
			}
		}
	})
})

// managedFieldsOf is every field set a ledger's managedFields record, as
// the API server stores them.
func managedFieldsOf(ledger *nhi.Ledger) string {
	var fields strings.Builder
	for _, entry := range ledger.ManagedFields {
		if entry.FieldsV1 != nil {
			fields.WriteString(entry.FieldsV1.GetRawString())
		}
	}
	return fields.String()
}
