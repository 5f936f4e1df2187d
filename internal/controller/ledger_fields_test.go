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
	"sigs.k8s.io/controller-runtime/pkg/client"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

var _ = Describe("The ledger on the API server", func() {
	It("tracks its entries as one field, not one field per identity", func() {
		s := newScenario()
		const count = 12
		for i := range count {
			s.serviceAccount(fmt.Sprintf("account-%d", i))
		}
		Eventually(func() int {
			n := 0
			for i := range count {
				if ledgerEntryOf(s.namespace, sa(fmt.Sprintf("account-%d", i)))() != "" {
					n++
				}
			}
			return n
		}).Should(Equal(count))

		// Every write of a ledger sends the API server its managedFields
		// too: tracked key by key, they named every identity again. The
		// suite's ledgers hold a few entries each, so these are in shards.
		list := &nhi.LedgerList{}
		Expect(k8sClient.List(ctx, list, client.InNamespace(stewardNamespace))).To(Succeed())
		name := nhi.LedgerPrefixNamespace + s.namespace
		entries := 0
		for _, ledger := range list.Items {
			if ledger.Name != name && !strings.HasPrefix(ledger.Name, name+".") || len(ledger.Status.Identities) == 0 {
				continue
			}
			entries += len(ledger.Status.Identities)
			fields := managedFieldsOf(&ledger)
			Expect(fields).To(ContainSubstring(`"f:identities":{}`), "ledger %s", ledger.Name)
			for uid := range ledger.Status.Identities {
				Expect(fields).NotTo(ContainSubstring(uid), "ledger %s", ledger.Name)
			}
		}
		Expect(entries).To(Equal(count))
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
