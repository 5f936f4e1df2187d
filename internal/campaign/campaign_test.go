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

package campaign

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

var (
	start = time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	due   = start.Add(30 * 24 * time.Hour)
)

func ownership(ns, name, team string, uid types.UID) nhi.IdentityOwnership {
	o := nhi.IdentityOwnership{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: uid, Generation: 2}}
	o.Spec.Owner = nhi.Owner{Team: team, Contacts: []nhi.Person{"alice@example.com"}}
	o.Status.ObservedGeneration = 2
	o.Status.Identities = []nhi.IdentityStatus{{Kind: nhi.KindServiceAccount, Name: name}}
	o.Status.IdentityCount = 1
	return o
}

func namespace(name string, labels map[string]string) metav1.PartialObjectMetadata {
	return metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}
}

func TestFreeze(t *testing.T) {
	policy := nhi.OwnershipPolicy{ObjectMeta: metav1.ObjectMeta{Name: "prod", CreationTimestamp: metav1.NewTime(start)}}
	policy.Spec.NamespaceSelector = &metav1.LabelSelector{MatchLabels: map[string]string{"env": "prod"}}
	older := nhi.OwnershipPolicy{ObjectMeta: metav1.ObjectMeta{Name: "older", CreationTimestamp: metav1.NewTime(start.Add(-time.Hour))}}
	older.Spec.NamespaceSelector = &metav1.LabelSelector{MatchLabels: map[string]string{"owner": "older"}}
	namespaces := []metav1.PartialObjectMetadata{
		namespace("pay", map[string]string{"env": "prod"}),
		namespace("shop", map[string]string{"env": "prod"}),
		namespace("dev", nil),
		namespace("claimed", map[string]string{"env": "prod", "owner": "older"}),
		namespace("kube-system", map[string]string{"env": "prod"}),
	}
	many := make([]nhi.IdentityOwnership, 0, nhi.MaxCampaignItems+1)
	for i := range nhi.MaxCampaignItems + 1 {
		many = append(many, ownership("pay", "o"+string(rune('a'+i%26))+time.Duration(i).String(), "t", ""))
	}
	unevaluated := ownership("pay", "new", "payments", "u9")
	unevaluated.Generation = 3
	deleting := ownership("pay", "gone", "payments", "u8")
	deleting.DeletionTimestamp = &metav1.Time{Time: start}
	wide := ownership("pay", "wide", "payments", "u7")
	for i := range 25 {
		wide.Status.Identities = append(wide.Status.Identities, nhi.IdentityStatus{Kind: nhi.KindSecret, Name: time.Duration(i).String()})
	}
	wide.Status.IdentityCount = 26
	everyone := []nhi.IdentityOwnership{
		ownership("shop", "web", "storefront", "u2"), ownership("pay", "api", "payments", "u1"),
		ownership("dev", "sandbox", "payments", "u3"), ownership("claimed", "legacy", "payments", "u4"),
		ownership("kube-system", "system", "payments", "u5"), deleting,
	}

	tests := []struct {
		name       string
		scope      nhi.CampaignScope
		ownerships []nhi.IdentityOwnership
		want       []string
		refusal    string
		pending    int
		waitOver   bool
	}{
		{name: "policy: the namespaces it governs, sorted, not protected, not those an older policy wins",
			scope: nhi.CampaignScope{Policy: "prod"}, ownerships: everyone, want: []string{"pay/api", "shop/web"}},
		{name: "policy and team narrow each other", scope: nhi.CampaignScope{Policy: "prod", Teams: []string{"payments"}},
			ownerships: everyone, want: []string{"pay/api"}},
		{name: "namespaces alone, any policy or none", scope: nhi.CampaignScope{Namespaces: []string{"dev", "shop"}},
			ownerships: everyone, want: []string{"dev/sandbox", "shop/web"}},
		{name: "teams alone", scope: nhi.CampaignScope{Teams: []string{"storefront"}}, ownerships: everyone, want: []string{"shop/web"}},
		{name: "a policy that does not exist is refused", scope: nhi.CampaignScope{Policy: "missing"}, ownerships: everyone,
			refusal: nhi.ReasonPolicyNotFound},
		{name: "more than MaxCampaignItems is refused", scope: nhi.CampaignScope{Namespaces: []string{"pay"}}, ownerships: many,
			refusal: nhi.ReasonScopeTooLarge},
		{name: "exactly MaxCampaignItems is frozen", scope: nhi.CampaignScope{Namespaces: []string{"pay"}},
			ownerships: many[:nhi.MaxCampaignItems], want: nil},
		{name: "an ownership not yet evaluated holds the freeze", scope: nhi.CampaignScope{Namespaces: []string{"pay"}},
			ownerships: []nhi.IdentityOwnership{ownership("pay", "api", "payments", "u1"), unevaluated}, pending: 1},
		{name: "after FreezeWait, it is frozen from its last evaluation", scope: nhi.CampaignScope{Namespaces: []string{"pay"}},
			ownerships: []nhi.IdentityOwnership{ownership("pay", "api", "payments", "u1"), unevaluated}, waitOver: true,
			want: []string{"pay/api", "pay/" + unevaluated.Name}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := &nhi.AccessReviewCampaignSpec{Scope: tt.scope, DueBy: metav1.NewTime(due)}
			frozen, refusal, pending := Freeze(spec, Inputs{Policies: []nhi.OwnershipPolicy{policy, older},
				Namespaces: namespaces, Ownerships: tt.ownerships, WaitOver: tt.waitOver})
			switch {
			case tt.refusal != "":
				if refusal == nil || refusal.Reason != tt.refusal || frozen != nil {
					t.Fatalf("refusal = %+v, want %s", refusal, tt.refusal)
				}
				return
			case tt.pending > 0:
				if len(pending) != tt.pending || frozen != nil || refusal != nil {
					t.Fatalf("pending = %v, want %d", pending, tt.pending)
				}
				return
			}
			if refusal != nil || pending != nil {
				t.Fatalf("refusal %+v, pending %v", refusal, pending)
			}
			if tt.want == nil {
				if len(frozen.Items) != nhi.MaxCampaignItems {
					t.Fatalf("%d items, want %d", len(frozen.Items), nhi.MaxCampaignItems)
				}
				return
			}
			var got []string
			for _, item := range frozen.Items {
				got = append(got, item.Namespace+"/"+item.Ownership)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("items = %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("items = %v, want %v", got, tt.want)
				}
			}
		})
	}

	t.Run("an item records the ownership as frozen, at most 20 identities, the decision log every one", func(t *testing.T) {
		frozen, _, _ := Freeze(&nhi.AccessReviewCampaignSpec{Scope: nhi.CampaignScope{Namespaces: []string{"pay"}}},
			Inputs{Ownerships: []nhi.IdentityOwnership{wide}})
		item := frozen.Items[0]
		if item.OwnershipUID != "u7" || item.OwnershipGeneration != 2 || item.Team != "payments" || len(item.Contacts) != 1 ||
			item.IdentityCount != 26 || len(item.Identities) != nhi.MaxCampaignItemIdentities || len(frozen.Identities[0]) != 26 {
			t.Fatalf("item = %+v, %d identities logged", item, len(frozen.Identities[0]))
		}
	})
}

// TestFreezeFitsTheStatus: a scope of the most ownerships, each with long
// names and many identities, lists fewer identities per item so the
// campaign's status stays under etcd's limit; one whose contacts alone are
// too large is refused.
func TestFreezeFitsTheStatus(t *testing.T) {
	long := func(prefix string, i int) string {
		return fmt.Sprintf("%s-%03d-%s", prefix, i, strings.Repeat("x", 200))
	}
	wide := func(contacts int) []nhi.IdentityOwnership {
		out := make([]nhi.IdentityOwnership, nhi.MaxCampaignItems)
		for i := range out {
			o := ownership("pay", long("ownership", i), "payments", types.UID(fmt.Sprint(i)))
			o.Status.Identities = nil
			for j := range 40 {
				o.Status.Identities = append(o.Status.Identities, nhi.IdentityStatus{Kind: nhi.KindSecret, Name: long("secret", j)})
			}
			o.Status.IdentityCount = 40
			o.Spec.Owner.Contacts = nil
			for j := range contacts {
				o.Spec.Owner.Contacts = append(o.Spec.Owner.Contacts, nhi.Person(fmt.Sprintf("%s@example.com", long("person", j))))
			}
			out[i] = o
		}
		return out
	}
	spec := &nhi.AccessReviewCampaignSpec{Scope: nhi.CampaignScope{Namespaces: []string{"pay"}}}

	frozen, refusal, pending := Freeze(spec, Inputs{Ownerships: wide(1)})
	if refusal != nil || pending != nil {
		t.Fatalf("refused %+v, pending %v", refusal, pending)
	}
	size, err := json.Marshal(frozen.Items)
	if err != nil || len(size) > MaxItemsBytes {
		t.Fatalf("items take %d bytes, more than %d (%v)", len(size), MaxItemsBytes, err)
	}
	item := frozen.Items[0]
	if len(item.Identities) >= nhi.MaxCampaignItemIdentities || item.IdentityCount != 40 || len(frozen.Identities[0]) != 40 {
		t.Errorf("item lists %d identities of %d (decision log: %d), want fewer than %d listed and every one counted and logged",
			len(item.Identities), item.IdentityCount, len(frozen.Identities[0]), nhi.MaxCampaignItemIdentities)
	}

	_, refusal, _ = Freeze(spec, Inputs{Ownerships: wide(8)})
	if refusal == nil || refusal.Reason != nhi.ReasonScopeTooLarge || !strings.Contains(refusal.Message, "split it") {
		t.Errorf("refusal = %+v, want ScopeTooLarge", refusal)
	}
}
