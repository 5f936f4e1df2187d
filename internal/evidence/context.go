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

package evidence

import (
	"strconv"
	"strings"
	"time"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

// Context is what a reviewer sees before certifying an identity, and an
// auditor next to its state: who uses it, what it can do, the cloud
// identities it is linked to, and the deadlines ahead. It is carried by the
// ownership's status rows and by the report results' properties,
// from which the export reads it back.
type Context struct {
	// UsedBy are the first workloads using the identity, as kind/name;
	// UsageCount counts them all.
	UsedBy     []string `json:"usedBy"`
	UsageCount int      `json:"usageCount"`
	// Held is true when a revocation is due but held because of them.
	Held bool `json:"held,omitempty"`
	// Risky, ClusterWide, AccessNamespaces and Roles summarise the
	// ServiceAccount's RBAC access.
	Risky            []string `json:"risky"`
	ClusterWide      bool     `json:"clusterWide,omitempty"`
	AccessNamespaces []string `json:"accessNamespaces"`
	Roles            []string `json:"roles"`
	// CloudIdentities are provider:identity.
	CloudIdentities []string `json:"cloudIdentities"`
	// Warnings are deadline@time, soonest first.
	Warnings []string `json:"warnings"`
}

// ContextOf reads an ownership status row's context.
func ContextOf(row nhi.IdentityStatus) Context {
	c := emptyContext()
	if u := row.Usage; u != nil {
		c.UsageCount = int(u.Count)
		for _, w := range u.Workloads {
			c.UsedBy = append(c.UsedBy, w.String())
		}
	}
	c.Held = row.Held
	if a := row.Access; a != nil {
		for _, r := range a.Risky {
			c.Risky = append(c.Risky, string(r))
		}
		c.ClusterWide = a.ClusterWide
		c.AccessNamespaces = append(c.AccessNamespaces, a.Namespaces...)
		c.Roles = append(c.Roles, a.Roles...)
	}
	for _, l := range row.CloudIdentities {
		c.CloudIdentities = append(c.CloudIdentities, string(l.Provider)+":"+l.Identity)
	}
	for _, w := range row.Warnings {
		c.Warnings = append(c.Warnings, warningText(w))
	}
	return c
}

func emptyContext() Context {
	return Context{UsedBy: []string{}, Risky: []string{}, AccessNamespaces: []string{}, Roles: []string{},
		CloudIdentities: []string{}, Warnings: []string{}}
}

func warningText(w nhi.DeadlineWarning) string {
	text := string(w.Deadline) + "@" + w.At.UTC().Format(time.RFC3339)
	if w.Object != "" {
		text += " (" + w.Object + ")"
	}
	return text
}

// Report result property keys of the context. Report properties are
// strings; lists are comma-separated.
const (
	propUsedBy           = "usedBy"
	propUsageCount       = "usageCount"
	propHeld             = "revocationHeld"
	propRisky            = "riskyPermissions"
	propClusterWide      = "clusterWide"
	propAccessNamespaces = "accessNamespaces"
	propRoles            = "roles"
	propCloudIdentities  = "cloudIdentities"
	propWarnings         = "warnings"
)

// propTrue is the value of a true boolean property (and of a true column
// in the exports).
const propTrue = "true"

// properties adds the context to a report result's properties, and
// returns about how many bytes it added.
func (c Context) properties(props map[string]any) int {
	size := 0
	list := func(key string, values []string) {
		if len(values) > 0 {
			props[key] = strings.Join(values, ",")
			size += len(key) + len(props[key].(string)) + 6
		}
	}
	list(propUsedBy, c.UsedBy)
	if c.UsageCount > 0 {
		props[propUsageCount] = strconv.Itoa(c.UsageCount)
	}
	if c.Held {
		props[propHeld] = propTrue
	}
	list(propRisky, c.Risky)
	if c.ClusterWide {
		props[propClusterWide] = propTrue
	}
	list(propAccessNamespaces, c.AccessNamespaces)
	list(propRoles, c.Roles)
	list(propCloudIdentities, c.CloudIdentities)
	list(propWarnings, c.Warnings)
	return size
}

// contextFromProperties reads back what properties wrote.
func contextFromProperties(props map[string]any) Context {
	c := emptyContext()
	list := func(key string) []string {
		if s, _ := props[key].(string); s != "" {
			return strings.Split(s, ",")
		}
		return []string{}
	}
	c.UsedBy = list(propUsedBy)
	if s, _ := props[propUsageCount].(string); s != "" {
		c.UsageCount, _ = strconv.Atoi(s)
	}
	c.Held = props[propHeld] == propTrue
	c.Risky = list(propRisky)
	c.ClusterWide = props[propClusterWide] == propTrue
	c.AccessNamespaces = list(propAccessNamespaces)
	c.Roles = list(propRoles)
	c.CloudIdentities = list(propCloudIdentities)
	c.Warnings = list(propWarnings)
	return c
}
