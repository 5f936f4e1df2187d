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

// Package plugin is the kubectl plugin for Steward: `kubectl steward
// evidence`, `explain`, `who-owns` and `suggest`. evidence, explain and
// who-owns read only Steward's own objects and reports (PolicyReports or
// OpenReports), so an auditor needs no access to Secrets; suggest, which a
// platform engineer runs, also lists ServiceAccounts and Secret metadata
// (never Secret data).
package plugin

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/evidence"
)

// options are the flags every subcommand shares with kubectl.
type options struct {
	flags         *genericclioptions.ConfigFlags
	allNamespaces bool
}

// NewRootCommand is `kubectl steward` with its subcommands and kubectl's
// connection flags (--kubeconfig, --context, -n, --as, ...).
func NewRootCommand() *cobra.Command {
	o := &options{flags: genericclioptions.NewConfigFlags(true)}
	root := &cobra.Command{
		Use:           "kubectl-steward",
		Short:         "Evidence and explanations of Steward's machine-identity governance",
		SilenceUsage:  true,
		SilenceErrors: false,
	}
	o.flags.AddFlags(root.PersistentFlags())
	root.AddCommand(newEvidenceCommand(o), newExplainCommand(o), newWhoOwnsCommand(o))
	root.AddCommand(newSuggestCommand(o))
	root.AddCommand(newVerifyLogCommand())
	root.AddCommand(newReviewCommand(o), newReportCommand(o))
	return root
}

func (o *options) client() (client.Client, error) {
	config, err := o.flags.ToRESTConfig()
	if err != nil {
		return nil, err
	}
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return nil, err
	}
	if err := nhi.AddToScheme(scheme); err != nil {
		return nil, err
	}
	return client.New(config, client.Options{Scheme: scheme})
}

// namespace is the namespace to read: "" with -A, else -n or the context's.
func (o *options) namespace() (string, error) {
	if o.allNamespaces {
		return "", nil
	}
	ns, _, err := o.flags.ToRawKubeConfigLoader().Namespace()
	return ns, err
}

// sources reads everything the evidence is built from.
func (o *options) sources(ctx context.Context) (evidence.Sources, error) {
	c, err := o.client()
	if err != nil {
		return evidence.Sources{}, err
	}
	ns, err := o.namespace()
	if err != nil {
		return evidence.Sources{}, err
	}
	in := client.InNamespace(ns)
	ownerships := &nhi.IdentityOwnershipList{}
	exceptions := &nhi.OwnershipExceptionList{}
	policies := &nhi.OwnershipPolicyList{}
	if err := c.List(ctx, ownerships, in); err != nil {
		return evidence.Sources{}, fmt.Errorf("listing IdentityOwnerships: %w", err)
	}
	if err := c.List(ctx, exceptions, in); err != nil {
		return evidence.Sources{}, fmt.Errorf("listing OwnershipExceptions: %w", err)
	}
	if err := c.List(ctx, policies); err != nil {
		return evidence.Sources{}, fmt.Errorf("listing OwnershipPolicies: %w", err)
	}
	src := evidence.Sources{Ownerships: ownerships.Items, Exceptions: exceptions.Items, Policies: policies.Items}
	if src.Reports, src.ReportsAvailable, err = stewardReports(ctx, c, ns); err != nil {
		return evidence.Sources{}, err
	}
	if !o.allNamespaces {
		src.Policies = policiesIn(src.Policies, ns)
	}
	return src, nil
}

// policiesIn keeps only the violations of one namespace.
func policiesIn(policies []nhi.OwnershipPolicy, namespace string) []nhi.OwnershipPolicy {
	out := make([]nhi.OwnershipPolicy, 0, len(policies))
	for _, p := range policies {
		var kept []nhi.Violation
		for _, v := range p.Status.Violations {
			if v.Namespace == namespace {
				kept = append(kept, v)
			}
		}
		p.Status.Violations = kept
		out = append(out, p)
	}
	return out
}

func newEvidenceCommand(o *options) *cobra.Command {
	var output string
	var clusters fleet
	cmd := &cobra.Command{
		Use:   "evidence [-n NAMESPACE | -A] [-o table|csv|json|markdown] [--context NAME... | --all-contexts]",
		Short: "One row per identity: owner, approval, expiry, review, state, findings, exceptions and controls",
		Long: `One row per identity: owner, approval, expiry, review, state, findings, exceptions and controls.

With --context (repeatable) or --all-contexts it reads each of those kubeconfig
contexts and merges them into one export with a CLUSTER column. A cluster that
cannot be read is named on stderr (and in json's "clusters"), and the command
exits non-zero: the export never leaves a cluster out silently.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if clusters.enabled() {
				rows, read, warnings, err := o.fleetEvidence(cmd.Context(), clusters)
				if err != nil {
					return err
				}
				if err := printWarnings(cmd, warnings); err != nil {
					return err
				}
				if err := evidence.WriteFleet(cmd.OutOrStdout(), output, rows, read); err != nil {
					return err
				}
				return unreadClusters(cmd.ErrOrStderr(), read)
			}
			src, err := o.sources(cmd.Context())
			if err != nil {
				return err
			}
			rows, warnings := evidence.Inventory(src)
			if err := printWarnings(cmd, warnings); err != nil {
				return err
			}
			return evidence.Write(cmd.OutOrStdout(), output, rows)
		},
	}
	cmd.Flags().BoolVarP(&o.allNamespaces, "all-namespaces", "A", false, "Every namespace.")
	cmd.Flags().StringVarP(&output, "output", "o", "table", "Output format: table, csv, json or markdown.")
	cmd.Flags().StringArrayVar(&clusters.contexts, "context", nil,
		"A kubeconfig context to read; repeat it to merge several clusters into one export with a CLUSTER column.")
	cmd.Flags().BoolVar(&clusters.allContexts, "all-contexts", false,
		"Read every context of the kubeconfig and merge them into one export with a CLUSTER column.")
	return cmd
}

// printWarnings writes the export's warnings to stderr.
func printWarnings(cmd *cobra.Command, warnings []string) error {
	for _, w := range warnings {
		if _, err := fmt.Fprintln(cmd.ErrOrStderr(), "warning:", w); err != nil {
			return err
		}
	}
	return nil
}
