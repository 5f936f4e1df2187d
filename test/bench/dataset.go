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

package main

import (
	"fmt"
	"strings"
)

// The shapes of data set.
const (
	shapeSpread = "spread"
	shapeHot    = "hot"
	shapeSkewed = "skewed"
)

// dataSet is how the identities are laid out: perNamespace[i]
// ServiceAccounts, and as many Secrets, in namespaceName(i).
type dataSet struct {
	shape        string
	perNamespace []int
}

func newDataSet(c config) (dataSet, error) {
	if c.identities < 2 || c.identities%2 != 0 {
		return dataSet{}, fmt.Errorf("--identities must be even and at least 2, not %d", c.identities)
	}
	perKind := c.identities / 2
	d := dataSet{shape: c.shape}
	switch c.shape {
	case shapeSpread:
		if c.namespaces < 1 || c.namespaces > perKind {
			return dataSet{}, fmt.Errorf("--namespaces must be between 1 and %d, not %d", perKind, c.namespaces)
		}
		d.perNamespace = spreadOver(perKind, c.namespaces)
	case shapeHot:
		d.perNamespace = []int{perKind}
	case shapeSkewed:
		hot := perKind / 2
		if c.namespaces < 2 || c.namespaces-1 > perKind-hot {
			return dataSet{}, fmt.Errorf("--namespaces must be between 2 and %d for the skewed shape, not %d",
				perKind-hot+1, c.namespaces)
		}
		d.perNamespace = append([]int{hot}, spreadOver(perKind-hot, c.namespaces-1)...)
	default:
		return dataSet{}, fmt.Errorf("--shape: %q is none of %s, %s, %s", c.shape, shapeSpread, shapeHot, shapeSkewed)
	}
	return d, nil
}

// spreadOver shares n as evenly as possible over k parts, the larger first.
func spreadOver(n, k int) []int {
	parts := make([]int, k)
	for i := range parts {
		parts[i] = n / k
		if i < n%k {
			parts[i]++
		}
	}
	return parts
}

func namespaceName(i int) string { return fmt.Sprintf("bench-%04d", i) }

func identityName(i int) string { return fmt.Sprintf("id-%05d", i) }

// namespaces are the data set's namespace names, as a set.
func (d dataSet) namespaces() map[string]bool {
	names := make(map[string]bool, len(d.perNamespace))
	for i := range d.perNamespace {
		names[namespaceName(i)] = true
	}
	return names
}

// identities is the number of ServiceAccounts plus Secrets.
func (d dataSet) identities() int {
	total := 0
	for _, n := range d.perNamespace {
		total += 2 * n
	}
	return total
}

// describe says what the data set holds, for the log and the report.
func (d dataSet) describe(c config) string {
	perKind := d.identities() / 2
	var layout string
	switch d.shape {
	case shapeHot:
		layout = "all in one namespace"
	case shapeSkewed:
		rest := d.perNamespace[1:]
		layout = fmt.Sprintf("%d of each kind in one namespace, the other %d over %d namespaces (%s each)",
			d.perNamespace[0], perKind-d.perNamespace[0], len(rest), evenText(rest))
	default:
		layout = fmt.Sprintf("over %d namespaces (%s of each kind each)", len(d.perNamespace), evenText(d.perNamespace))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d ServiceAccounts + %d Secrets of %d bytes", perKind, perKind, c.secretBytes)
	if c.pods {
		fmt.Fprintf(&b, " + %d Pods (one per ServiceAccount, mounting its Secret)", perKind)
	}
	fmt.Fprintf(&b, ", %s; half of each kind labelled owned and covered by one selector ownership per namespace", layout)
	return b.String()
}

// evenText describes the parts of spreadOver: "100", or "50 or 51".
func evenText(parts []int) string {
	lo, hi := parts[len(parts)-1], parts[0]
	if lo == hi {
		return fmt.Sprint(lo)
	}
	return fmt.Sprintf("%d or %d", lo, hi)
}
