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

package plugin

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/governance"
	"github.com/nhi-steward/steward/internal/suggest"
)

// suggestPageSize is how many objects one list request asks for: a
// cluster with thousands of identities is read in pages.
const suggestPageSize = 500

// defaultExpiresIn is how far ahead a draft's spec.expiresAt lies unless
// --expires-in or the policy's maxValidity says sooner.
const defaultExpiresIn = 365 * 24 * time.Hour

type suggestOptions struct {
	output           string
	outputDir        string
	teamKeys         []string
	expiresIn        time.Duration
	stewardNamespace string
}

// newSuggestCommand is `kubectl steward suggest`. Unlike the auditor's
// commands it reads identities, so it needs list on ServiceAccounts and
// Secrets; it asks for Secrets' metadata only.
func newSuggestCommand(o *options) *cobra.Command {
	so := &suggestOptions{}
	cmd := &cobra.Command{
		Use:   "suggest [-n NAMESPACE | -A] [-o yaml] [--output-dir DIR] [--team-key KEY]...",
		Short: "Draft IdentityOwnerships for Unowned identities from Helm, Argo CD, Flux, app labels and owner references",
		Long: "suggest reads the metadata of ServiceAccounts and Secrets (never Secret data), namespaces, ownerships " +
			"and policies, and drafts one IdentityOwnership per application for the identities no ownership covers. " +
			"Purpose, contacts and any team it cannot infer are placeholders the API server rejects until a person " +
			"writes them; no draft carries an approval. See docs/suggest.md.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if so.output != "yaml" {
				return fmt.Errorf("output format %q is not supported: suggest writes yaml, with comments", so.output)
			}
			if so.expiresIn <= 0 {
				return fmt.Errorf("--expires-in must be positive, got %s", so.expiresIn)
			}
			return runSuggest(cmd, o, so)
		},
	}
	cmd.Flags().BoolVarP(&o.allNamespaces, "all-namespaces", "A", false, "Every namespace.")
	cmd.Flags().StringVarP(&so.output, "output", "o", "yaml", "Output format: yaml.")
	cmd.Flags().StringVar(&so.outputDir, "output-dir", "",
		"Write one file per namespace, DIR/<namespace>.yaml, instead of standard output.")
	cmd.Flags().StringArrayVar(&so.teamKeys, "team-key", slices.Clone(suggest.DefaultTeamKeys),
		"A label or annotation key naming the owning team, on identities or their namespace; repeat it, in order of precedence.")
	cmd.Flags().DurationVar(&so.expiresIn, "expires-in", defaultExpiresIn,
		"How far ahead the drafts' spec.expiresAt lies, at most the policy's maxValidity.")
	cmd.Flags().StringVar(&so.stewardNamespace, "steward-namespace", "steward-system",
		"Steward's own namespace, which is never governed.")
	return cmd
}

func runSuggest(cmd *cobra.Command, o *options, so *suggestOptions) error {
	ctx := cmd.Context()
	c, err := o.client()
	if err != nil {
		return err
	}
	ns, err := o.namespace()
	if err != nil {
		return err
	}
	namespaces, err := readSuggestInputs(ctx, c, ns, so.stewardNamespace)
	if err != nil {
		return err
	}
	now := time.Now()
	var suggestions []suggest.Suggestion
	var totals suggest.Totals
	for _, n := range namespaces {
		s := suggest.Suggest(n, suggest.Options{TeamKeys: so.teamKeys, ExpiresAt: expiresAt(n.Policy, now, so.expiresIn)})
		if !s.Governed && !o.allNamespaces {
			if _, err := fmt.Fprintf(cmd.ErrOrStderr(), "namespace %s is not governed by any OwnershipPolicy: nothing there is Unowned\n",
				n.Name); err != nil {
				return err
			}
		}
		if len(s.Unowned) > 0 {
			suggestions = append(suggestions, s)
			totals.Add(&s)
		}
	}

	if so.outputDir != "" {
		err = writeSuggestionFiles(cmd.ErrOrStderr(), so.outputDir, suggestions)
	} else {
		err = writeSuggestions(cmd.OutOrStdout(), suggestions, o.allNamespaces, totals)
	}
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(cmd.ErrOrStderr(), "coverage: %s\n", totals)
	return err
}

// expiresAt is the expiry drafts propose: expiresIn from now, no later than
// the policy's maxValidity allows for an approval given from now on, at the
// start of a UTC day so that runs on the same day agree.
func expiresAt(policy *nhi.OwnershipPolicy, now time.Time, expiresIn time.Duration) time.Time {
	validity := expiresIn
	if policy != nil {
		if limit := governance.ParseDuration(policy.Spec.MaxValidity); limit > 0 && limit < validity {
			validity = limit
		}
	}
	return now.Add(validity).UTC().Truncate(24 * time.Hour)
}

func writeSuggestions(w io.Writer, suggestions []suggest.Suggestion, all bool, totals suggest.Totals) error {
	var b bytes.Buffer
	for i := range suggestions {
		if i > 0 {
			b.WriteString("---\n")
		}
		if err := suggest.Write(&b, &suggestions[i]); err != nil {
			return err
		}
	}
	if all && len(suggestions) > 1 {
		fmt.Fprintf(&b, "# Total: %s.\n", totals)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// writeSuggestionFiles writes DIR/<namespace>.yaml for every namespace with
// a draft, replacing what an earlier run wrote there. Namespaces without a
// draft get no file; their identities are listed on stderr.
func writeSuggestionFiles(stderr io.Writer, dir string, suggestions []suggest.Suggestion) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	for i := range suggestions {
		s := &suggestions[i]
		if len(s.Drafts) == 0 {
			if _, err := fmt.Fprintf(stderr, "%s: %s, none with a signal: %s\n", s.Namespace,
				suggest.Count(len(s.Unowned), "Unowned identity", "Unowned identities"), refText(s.NoSignal)); err != nil {
				return err
			}
			continue
		}
		var b bytes.Buffer
		if err := suggest.Write(&b, s); err != nil {
			return err
		}
		path := filepath.Join(dir, s.Namespace+".yaml")
		if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
			return err
		}
		if _, err := fmt.Fprintf(stderr, "wrote %s: %s covering %d of %s\n", path,
			suggest.Count(len(s.Drafts), "draft", "drafts"), s.Covered,
			suggest.Count(len(s.Unowned), "Unowned identity", "Unowned identities")); err != nil {
			return err
		}
	}
	return nil
}

func refText(refs []nhi.IdentityReference) string {
	var b bytes.Buffer
	for i, r := range refs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(string(r.Kind) + "/" + r.Name)
	}
	return b.String()
}

// readSuggestInputs reads what suggest needs about one namespace, or every
// namespace when ns is "": namespaces, policies, ownerships, and the
// metadata of ServiceAccounts and Secrets. Secrets are listed as metadata
// only, one Secret type at a time (a Secret's type is not metadata), so no
// Secret data is ever requested.
func readSuggestInputs(ctx context.Context, c client.Client, ns, stewardNamespace string) ([]suggest.Namespace, error) {
	nsMeta, err := readNamespaces(ctx, c, ns)
	if err != nil {
		return nil, err
	}
	policies := &nhi.OwnershipPolicyList{}
	if err := c.List(ctx, policies); err != nil {
		return nil, fmt.Errorf("listing OwnershipPolicies: %w", err)
	}
	byName := map[string]*suggest.Namespace{}
	var out []*suggest.Namespace
	var secretTypes []string
	for i := range nsMeta {
		m := &nsMeta[i]
		policy, _ := governance.GoverningPolicy(policies.Items, m.Name, m.Labels, stewardNamespace)
		n := &suggest.Namespace{Name: m.Name, Labels: m.Labels, Annotations: m.Annotations, Policy: policy}
		byName[m.Name] = n
		out = append(out, n)
		if policy != nil {
			secretTypes = append(secretTypes, governance.SecretTypes(policy)...)
		}
	}

	accounts, err := listMetadata(ctx, c, "ServiceAccountList", ns)
	if err != nil {
		return nil, fmt.Errorf("listing ServiceAccounts: %w", err)
	}
	add := func(items []metav1.PartialObjectMetadata, secretType string) {
		for i := range items {
			m := &items[i]
			if n := byName[m.Namespace]; n != nil && n.Policy != nil {
				n.Identities = append(n.Identities, identityOf(m, secretType))
			}
		}
	}
	add(accounts, "")
	for _, secretType := range slices.Compact(slices.Sorted(slices.Values(secretTypes))) {
		secrets, err := listMetadata(ctx, c, "SecretList", ns,
			client.MatchingFieldsSelector{Selector: fields.OneTermEqualSelector("type", secretType)})
		if err != nil {
			return nil, fmt.Errorf("listing the metadata of %s Secrets: %w", secretType, err)
		}
		add(secrets, secretType)
	}

	ownerships := &nhi.IdentityOwnershipList{}
	if err := c.List(ctx, ownerships, client.InNamespace(ns)); err != nil {
		return nil, fmt.Errorf("listing IdentityOwnerships: %w", err)
	}
	for _, o := range ownerships.Items {
		if n := byName[o.Namespace]; n != nil {
			n.Ownerships = append(n.Ownerships, o)
		}
	}

	result := make([]suggest.Namespace, len(out))
	for i, n := range out {
		result[i] = *n
	}
	slices.SortFunc(result, func(a, b suggest.Namespace) int { return strings.Compare(a.Name, b.Name) })
	return result, nil
}

// readNamespaces is the metadata of one namespace, or of all when ns is "".
func readNamespaces(ctx context.Context, c client.Client, ns string) ([]metav1.PartialObjectMetadata, error) {
	typeMeta := metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"}
	if ns != "" {
		m := metav1.PartialObjectMetadata{TypeMeta: typeMeta}
		if err := c.Get(ctx, types.NamespacedName{Name: ns}, &m); err != nil {
			return nil, fmt.Errorf("reading namespace %s: %w", ns, err)
		}
		return []metav1.PartialObjectMetadata{m}, nil
	}
	list, err := listMetadata(ctx, c, "NamespaceList", "")
	if err != nil {
		return nil, fmt.Errorf("listing namespaces: %w", err)
	}
	return list, nil
}

// listMetadata lists objects as metadata only, page by page.
func listMetadata(ctx context.Context, c client.Client, listKind, ns string, opts ...client.ListOption) (
	[]metav1.PartialObjectMetadata, error) {
	var items []metav1.PartialObjectMetadata
	next := ""
	for {
		list := &metav1.PartialObjectMetadataList{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: listKind}}
		page := append([]client.ListOption{client.Limit(suggestPageSize), client.Continue(next)}, opts...)
		if ns != "" {
			page = append(page, client.InNamespace(ns))
		}
		if err := c.List(ctx, list, page...); err != nil {
			return nil, err
		}
		items = append(items, list.Items...)
		if next = list.Continue; next == "" {
			return items, nil
		}
	}
}

func identityOf(m *metav1.PartialObjectMetadata, secretType string) suggest.Identity {
	kind := nhi.KindServiceAccount
	if secretType != "" {
		kind = nhi.KindSecret
	}
	return suggest.Identity{
		Identity: governance.Identity{Kind: kind, Name: m.Name, UID: m.UID, Labels: m.Labels, Annotations: m.Annotations,
			SecretType: secretType, Created: m.CreationTimestamp.Time},
		OwnerReferences: m.OwnerReferences,
	}
}
