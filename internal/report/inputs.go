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

package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/evidence"
)

// CanonicalisationNote says how Digest serialises the inputs, so that an
// auditor can do the same with any JSON tool.
const CanonicalisationNote = "SHA-256 of the report's \"inputs\" as compact JSON with object keys sorted, " +
	"no insignificant whitespace and no HTML escaping (jq -cjS .inputs | sha256sum)"

// Inputs are everything a report rests on: Steward's objects as read, the
// campaigns, the decision-log lines and the period. The JSON output carries
// them, so the report can be re-derived and its digest checked.
type Inputs struct {
	Period           Period                      `json:"period"`
	Ownerships       []nhi.IdentityOwnership     `json:"ownerships"`
	Exceptions       []nhi.OwnershipException    `json:"exceptions"`
	Policies         []nhi.OwnershipPolicy       `json:"policies"`
	Reports          []unstructured.Unstructured `json:"reports"`
	ReportsAvailable bool                        `json:"reportsAvailable"`
	Campaigns        []nhi.AccessReviewCampaign  `json:"campaigns"`
	Decisions        []evidence.Decision         `json:"decisions"`
	// Campaign, when set, limits the report's campaigns to the one of
	// this name (--campaign), whether read from the cluster or the log.
	Campaign string `json:"campaign,omitempty"`
	// LogCheck is the check of the decision log's chain the decisions were
	// read from. It is derived from the log files, not data of its own, so
	// it is not part of the digest.
	LogCheck *LogCheck `json:"-"`
}

// InputsFrom gathers the inputs from the evidence sources.
func InputsFrom(src evidence.Sources, campaigns []nhi.AccessReviewCampaign, decisions []evidence.Decision,
	period Period) Inputs {
	return Inputs{Period: period, Ownerships: src.Ownerships, Exceptions: src.Exceptions, Policies: src.Policies,
		Reports: src.Reports, ReportsAvailable: src.ReportsAvailable, Campaigns: campaigns, Decisions: decisions}
}

func (in Inputs) sources() evidence.Sources {
	return evidence.Sources{Ownerships: in.Ownerships, Exceptions: in.Exceptions, Policies: in.Policies,
		Reports: in.Reports, ReportsAvailable: in.ReportsAvailable}
}

// normalised drops what carries no evidence and only makes the digest
// depend on the API server's bookkeeping (managed fields), and turns nil
// lists into empty ones so that the JSON says [] rather than null.
func (in Inputs) normalised() Inputs {
	out := in
	out.Period.Since, out.Period.Until = in.Period.Since.UTC(), in.Period.Until.UTC()
	out.Ownerships = withoutManagedFields(in.Ownerships)
	out.Exceptions = withoutManagedFields(in.Exceptions)
	out.Policies = withoutManagedFields(in.Policies)
	out.Campaigns = withoutManagedFields(in.Campaigns)
	out.Reports = withoutManagedFields(in.Reports)
	out.Decisions = append([]evidence.Decision{}, in.Decisions...)
	return out
}

// withoutManagedFields copies objects, never nil, without their managed
// fields.
func withoutManagedFields[T any, P interface {
	*T
	DeepCopy() *T
	SetManagedFields([]metav1.ManagedFieldsEntry)
}](objects []T) []T {
	out := make([]T, len(objects))
	for i := range objects {
		out[i] = *P(&objects[i]).DeepCopy()
		P(&out[i]).SetManagedFields(nil)
	}
	return out
}

// Digest is the hex SHA-256 of the inputs' canonical JSON.
func (in Inputs) Digest() (string, error) {
	canonical, err := Canonical(in)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(canonical)
	return hex.EncodeToString(sum[:]), nil
}

// Canonical is v as compact JSON with every object's keys sorted and no
// HTML escaping: what `jq -cjS` prints, so the digest can be re-derived
// from the JSON output without Steward.
func Canonical(v any) ([]byte, error) {
	raw, err := marshal(v)
	if err != nil {
		return nil, err
	}
	// Decoding into generic values and encoding again sorts the keys (Go
	// encodes maps sorted); UseNumber keeps numbers exactly as written.
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var generic any
	if err := dec.Decode(&generic); err != nil {
		return nil, err
	}
	return marshal(generic)
}

func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
