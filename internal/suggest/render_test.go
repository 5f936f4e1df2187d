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
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/util/yaml"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

func renderFixture() Suggestion {
	helmLabels, helmAnnotations := helm("billing")
	ns := Namespace{Name: "shop", Labels: kv("team", "payments"), Policy: policy()}
	for _, f := range []fixture{
		sa("billing", helmLabels, helmAnnotations),
		secret("orders-db", nil, nil, externalSecret("orders-db", true)),
		sa("forgotten", nil, nil),
		secret("vendor-key", nil, nil),
	} {
		ns.Identities = append(ns.Identities, f.identity())
	}
	return Suggest(ns, Options{ExpiresAt: expiry})
}

func TestWrite(t *testing.T) {
	s := renderFixture()
	var out bytes.Buffer
	if err := Write(&out, &s); err != nil {
		t.Fatal(err)
	}
	text := out.String()

	// Every document is an ownership exactly as drafted: what is committed
	// is what was suggested.
	decoder := yaml.NewYAMLOrJSONDecoder(strings.NewReader(text), 4096)
	var decoded []nhi.IdentityOwnership
	for {
		var o nhi.IdentityOwnership
		err := decoder.Decode(&o)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("the output is not YAML: %v\n%s", err, text)
		}
		if o.Kind != "" {
			decoded = append(decoded, o)
		}
	}
	if len(decoded) != len(s.Drafts) {
		t.Fatalf("decoded %d ownerships, want %d:\n%s", len(decoded), len(s.Drafts), text)
	}
	for i := range decoded {
		if !equality.Semantic.DeepEqual(decoded[i], s.Drafts[i].Ownership) {
			t.Errorf("document %d decodes to %+v, want %+v", i, decoded[i], s.Drafts[i].Ownership)
		}
	}

	for _, want := range []string{
		"# billing: Helm release \"billing\" (annotation meta.helm.sh/release-name).\n" +
			"# Covers by selector: identities created later with the same labels are covered too.\n" +
			"# Covers now (1): ServiceAccount/billing\n" +
			"# spec.owner.team is from the label team of namespace shop: check it.\n",
		"# orders-db: ExternalSecret \"orders-db\" (ownerReference).\n" +
			"# Lists identities by name: the signal is not a label a selector can match.\n",
		"No draft approves anything",
		"purpose: 'FILL-IN: describe the business need these identities serve'",
		"- FILL-IN:person@example.com",
		"# Coverage of namespace shop: 4 Unowned identities; 2 drafts would cover 2.\n" +
			"# No signal (2): nothing groups these; draft their ownership by hand.\n" +
			"#   Secret/vendor-key\n" +
			"#   ServiceAccount/forgotten\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the output lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "approval:") || strings.Contains(text, "status:") {
		t.Errorf("a draft carries an approval or a status:\n%s", text)
	}
	if !strings.HasSuffix(text, "#   ServiceAccount/forgotten\n") {
		t.Errorf("the output does not end with its coverage:\n%s", text)
	}

	var again bytes.Buffer
	if err := Write(&again, &s); err != nil || again.String() != text {
		t.Errorf("rendering twice gave different output (err %v)", err)
	}
}

func TestTotals(t *testing.T) {
	if got := (Totals{Namespaces: 2, Drafts: 1, Unowned: 1, Covered: 1}).String(); got !=
		"1 Unowned identity in 2 namespaces; 1 draft would cover 1 of them, 0 with no signal" {
		t.Errorf("totals read %q", got)
	}
	s := renderFixture()
	empty := Suggestion{Namespace: "quiet", Governed: true}
	var totals Totals
	totals.Add(&s)
	totals.Add(&empty)
	want := Totals{Namespaces: 1, Drafts: 2, Unowned: 4, Covered: 2, NoSignal: 2}
	if totals != want {
		t.Errorf("totals = %+v, want %+v", totals, want)
	}
	if got := totals.String(); got != "4 Unowned identities in 1 namespace; 2 drafts would cover 2 of them, 2 with no signal" {
		t.Errorf("totals read %q", got)
	}
}
