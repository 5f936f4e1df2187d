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
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/nhi-steward/steward/internal/evidence"
)

// fleet is the evidence command's choice of clusters: kubeconfig contexts
// named with --context (repeatable) or all of them with --all-contexts.
type fleet struct {
	contexts    []string
	allContexts bool
}

// enabled says whether the export spans clusters, with a CLUSTER column.
func (f fleet) enabled() bool { return len(f.contexts) > 0 || f.allContexts }

// names are the contexts to read, in the order given, or every context of
// the kubeconfig sorted by name.
func (f fleet) names(o *options) ([]string, error) {
	if len(f.contexts) > 0 && f.allContexts {
		return nil, errors.New("--context and --all-contexts: choose one")
	}
	if !f.allContexts {
		return slices.Compact(f.contexts), nil
	}
	raw, err := o.flags.ToRawKubeConfigLoader().RawConfig()
	if err != nil {
		return nil, fmt.Errorf("reading the kubeconfig: %w", err)
	}
	var names []string
	for name := range raw.Contexts {
		names = append(names, name)
	}
	if len(names) == 0 {
		return nil, errors.New("--all-contexts: the kubeconfig has no contexts")
	}
	slices.Sort(names)
	return names, nil
}

// forContext is o reading another context of the same kubeconfig, with the
// same namespace choice and identity (--as) but that context's server and
// credentials.
func (o *options) forContext(name string) *options {
	flags := genericclioptions.NewConfigFlags(true)
	contextName := name
	flags.Context = &contextName
	flags.KubeConfig, flags.CacheDir, flags.Namespace, flags.Timeout = o.flags.KubeConfig, o.flags.CacheDir,
		o.flags.Namespace, o.flags.Timeout
	flags.Impersonate, flags.ImpersonateUID, flags.ImpersonateGroup = o.flags.Impersonate, o.flags.ImpersonateUID,
		o.flags.ImpersonateGroup
	return &options{flags: flags, allNamespaces: o.allNamespaces}
}

// fleetEvidence reads every cluster of the fleet and merges their rows, each
// with its cluster. A cluster that cannot be read is never dropped
// silently: it is listed, with its error, in the clusters returned.
func (o *options) fleetEvidence(ctx context.Context, f fleet) ([]evidence.Row, []evidence.ClusterRead, []string, error) {
	names, err := f.names(o)
	if err != nil {
		return nil, nil, nil, err
	}
	var rows []evidence.Row
	var warnings []string
	clusters := make([]evidence.ClusterRead, 0, len(names))
	for _, name := range names {
		src, err := o.forContext(name).sources(ctx)
		if err != nil {
			clusters = append(clusters, evidence.ClusterRead{Name: name, Error: err.Error()})
			continue
		}
		clusterRows, clusterWarnings := evidence.Inventory(src)
		for i := range clusterRows {
			clusterRows[i].Cluster = name
		}
		for _, w := range clusterWarnings {
			warnings = append(warnings, name+": "+w)
		}
		rows = append(rows, clusterRows...)
		clusters = append(clusters, evidence.ClusterRead{Name: name, Read: true, Identities: len(clusterRows)})
	}
	return rows, clusters, warnings, nil
}

// unreadClusters reports the clusters that could not be read on w, and
// returns an error naming them, so that the command exits non-zero.
func unreadClusters(w io.Writer, clusters []evidence.ClusterRead) error {
	var unread []string
	for _, c := range clusters {
		if c.Read {
			continue
		}
		unread = append(unread, c.Name)
		if _, err := fmt.Fprintf(w, "error: cluster %s could not be read, and the export has none of its identities: %s\n",
			c.Name, c.Error); err != nil {
			return err
		}
	}
	if len(unread) == 0 {
		return nil
	}
	return fmt.Errorf("%d of %d clusters could not be read (%s): the export is incomplete",
		len(unread), len(clusters), strings.Join(unread, ", "))
}
