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
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/api/meta"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/evidence"
	"github.com/nhi-steward/steward/internal/governance"
)

// none is what explain shows for something absent.
const none = "none"

// parseTarget reads KIND/NAME, accepting kubectl's short names.
func parseTarget(arg string) (string, string, error) {
	kind, name, found := strings.Cut(arg, "/")
	if !found || name == "" {
		return "", "", fmt.Errorf("want KIND/NAME, such as sa/payments-api or secret/stripe-api-key; got %q", arg)
	}
	switch strings.ToLower(kind) {
	case "sa", "serviceaccount", "serviceaccounts":
		return string(nhi.KindServiceAccount), name, nil
	case "secret", "secrets":
		return string(nhi.KindSecret), name, nil
	}
	return "", "", fmt.Errorf("kind %q is not governed: Steward governs ServiceAccounts (sa) and Secrets", kind)
}

// lookup finds one identity's row, with the sources it came from.
func lookup(cmd *cobra.Command, o *options, arg string) (*evidence.Row, evidence.Sources, error) {
	kind, name, err := parseTarget(arg)
	if err != nil {
		return nil, evidence.Sources{}, err
	}
	src, err := o.sources(cmd.Context())
	if err != nil {
		return nil, src, err
	}
	ns, _ := o.namespace()
	rows, _ := evidence.Inventory(src)
	for i := range rows {
		if rows[i].Kind == kind && rows[i].Name == name && rows[i].Namespace == ns {
			return &rows[i], src, nil
		}
	}
	return nil, src, fmt.Errorf("no record of %s %s/%s in Steward: it is not governed by any OwnershipPolicy, "+
		"or not yet evaluated", kind, ns, name)
}

func newExplainCommand(o *options) *cobra.Command {
	return &cobra.Command{
		Use:   "explain KIND/NAME [-n NAMESPACE]",
		Short: "Why an identity has its state, what happens next, and when",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			row, src, err := lookup(cmd, o, args[0])
			if err != nil {
				return err
			}
			return explain(cmd.OutOrStdout(), row, src, time.Now())
		},
	}
}

func newWhoOwnsCommand(o *options) *cobra.Command {
	return &cobra.Command{
		Use:   "who-owns KIND/NAME [-n NAMESPACE]",
		Short: "The team and people accountable for an identity, and who approved it",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			row, _, err := lookup(cmd, o, args[0])
			if err != nil {
				return err
			}
			p := &printer{w: cmd.OutOrStdout()}
			if row.Ownership == "" {
				p.printf("%s %s/%s is Unowned: no IdentityOwnership covers it.\n", row.Kind, row.Namespace, row.Name)
				return p.err
			}
			p.printf("%s %s/%s\n", row.Kind, row.Namespace, row.Name)
			p.field("Ownership", row.Ownership)
			p.field("Team", row.Team)
			p.field("Contacts", strings.Join(row.Contacts, ", "))
			p.field("Purpose", row.Purpose)
			p.field("Approved by", approval(row))
			p.field("Expires", stamp(row.ExpiresAt))
			return p.err
		},
	}
}

// explain prints why an identity has its state, and returns the first
// error writing to w.
func explain(w io.Writer, row *evidence.Row, src evidence.Sources, now time.Time) error {
	p := &printer{w: w}
	p.explain(row, src, now)
	return p.err
}

func (p *printer) explain(row *evidence.Row, src evidence.Sources, now time.Time) {
	p.printf("%s %s/%s\n", row.Kind, row.Namespace, row.Name)
	p.field("State", row.State+sinceText(row.Since, now))
	if len(row.Findings) == 0 {
		p.field("Findings", none)
	}
	for i, f := range row.Findings {
		label := ""
		if i == 0 {
			label = "Findings"
		}
		p.field(label, fmt.Sprintf("%s — %s", f, strings.Join(evidence.ControlIDs([]nhi.Finding{nhi.Finding(f)}), "; ")))
	}
	ownership := findOwnership(src, row)
	switch row.Ownership {
	case "":
		p.field("Ownership", "none: no IdentityOwnership covers it")
	default:
		p.field("Ownership", fmt.Sprintf("%s (team %s; contacts %s)", row.Ownership, row.Team, strings.Join(row.Contacts, ", ")))
		p.field("Approval", approval(row))
		p.field("Expires", stamp(row.ExpiresAt))
		if row.NextReview != nil {
			p.field("Review due", stamp(row.NextReview))
		}
		if row.LastReview != "" {
			p.field("Last review", fmt.Sprintf("%s by %s at %s", row.LastReview, row.Reviewer, stamp(row.ReviewedAt)))
		}
	}
	if ownership != nil {
		for _, t := range []string{nhi.ConditionReady, nhi.ConditionExpired, nhi.ConditionReviewDue, nhi.ConditionOwnerDeparted, nhi.ConditionConflict} {
			if c := meta.FindStatusCondition(ownership.Status.Conditions, t); c != nil && c.Message != "" &&
				(t == nhi.ConditionReady || c.Status == "True" || t == nhi.ConditionExpired) {
				p.field("Why ("+t+")", c.Message)
			}
		}
	}
	if len(row.Exceptions) > 0 {
		p.field("Exceptions", strings.Join(row.Exceptions, ", "))
	}
	p.explainContext(row)
	policy := findPolicy(src, row.Policy)
	if policy == nil {
		p.field("Policy", orNone(row.Policy))
		return
	}
	p.field("Policy", fmt.Sprintf("%s (%s)", policy.Name, policy.Spec.Enforcement))
	if row.Action != "" {
		p.field("Action now", row.Action)
	}
	if ownership != nil && ownership.Status.RevokedAt != nil && ownership.Status.LastReview != nil {
		// A Revoke review acts at once, whatever the rules say.
		verb := "revoked"
		if policy.Spec.Enforcement != nhi.EnforcementEnforce {
			verb = "reported as WouldRevoke (DryRun)"
		}
		p.field("Next", fmt.Sprintf("OwnershipReview %s decided Revoke: %s now, whatever the rules say",
			ownership.Status.LastReview.Name, verb))
		return
	}
	for _, f := range row.Findings {
		p.field("Next", nextStep(policy, nhi.Finding(f), row, now))
		if info, ok := nhi.FindingInfoOf(nhi.Finding(f)); ok {
			p.field("", "to fix: "+info.Remedy)
		}
	}
	if row.Held {
		p.field("Held", "the revocation is held because workloads use it (spec.revocation.inUse: Hold); "+
			"decide: an OwnershipException, a new IdentityOwnership, or inUse: Revoke")
	}
}

// explainContext prints what a reviewer certifies: who uses the identity,
// what it can do, the cloud identities it is linked to, and the deadlines
// ahead.
func (p *printer) explainContext(row *evidence.Row) {
	if row.UsageCount == 0 {
		p.field("Used by", "no workload (a ServiceAccount used only from outside the cluster looks unused)")
	} else {
		text := fmt.Sprintf("%d workloads: %s", row.UsageCount, strings.Join(row.UsedBy, ", "))
		if row.UsageCount > len(row.UsedBy) {
			text += ", …"
		}
		p.field("Used by", text)
	}
	if row.Kind == string(nhi.KindServiceAccount) {
		scope := "no RoleBinding or ClusterRoleBinding reaches it"
		switch {
		case row.ClusterWide:
			scope = "cluster-wide"
		case len(row.AccessNamespaces) > 0:
			scope = "namespaces " + strings.Join(row.AccessNamespaces, ", ")
		}
		if len(row.Roles) > 0 {
			scope += "; roles " + strings.Join(row.Roles, ", ")
		}
		p.field("Access", scope)
		risky := none
		if len(row.Risky) > 0 {
			risky = strings.Join(row.Risky, ", ") + " — " + strings.Join(privilegeControlIDs(), "; ")
		}
		p.field("Risky permissions", risky)
	}
	for i, c := range row.CloudIdentities {
		label := ""
		if i == 0 {
			label = "Cloud identities"
		}
		p.field(label, c)
	}
	for i, warning := range row.Warnings {
		label := ""
		if i == 0 {
			label = "Deadlines ahead"
		}
		p.field(label, warning)
	}
}

func privilegeControlIDs() []string {
	ids := make([]string, len(nhi.PrivilegeControls))
	for i, c := range nhi.PrivilegeControls {
		ids[i] = c.Framework + " " + c.ID
	}
	return ids
}

// nextStep says what the policy does about a finding, and when.
func nextStep(policy *nhi.OwnershipPolicy, f nhi.Finding, row *evidence.Row, now time.Time) string {
	for _, rule := range policy.Spec.Rules {
		if rule.Finding != f {
			continue
		}
		if rule.Action != nhi.ActionRevoke {
			return fmt.Sprintf("%s: %s", f, rule.Action)
		}
		grace := governance.ParseDuration(rule.RevokeAfter)
		if row.Since == nil {
			return fmt.Sprintf("%s: Revoke after %s", f, grace)
		}
		at := row.Since.Add(grace)
		verb := "revoked"
		if policy.Spec.Enforcement != nhi.EnforcementEnforce {
			verb = "reported as WouldRevoke (DryRun)"
		}
		if at.After(now) {
			return fmt.Sprintf("%s: Revoke after %s — %s at %s (in %s)", f, grace, verb, stamp(&at), at.Sub(now).Round(time.Second))
		}
		return fmt.Sprintf("%s: Revoke after %s — due since %s, %s", f, grace, stamp(&at), verb)
	}
	return fmt.Sprintf("%s: no rule; annotated only", f)
}

func findOwnership(src evidence.Sources, row *evidence.Row) *nhi.IdentityOwnership {
	for i := range src.Ownerships {
		if src.Ownerships[i].Namespace == row.Namespace && src.Ownerships[i].Name == row.Ownership {
			return &src.Ownerships[i]
		}
	}
	return nil
}

func findPolicy(src evidence.Sources, name string) *nhi.OwnershipPolicy {
	for i := range src.Policies {
		if src.Policies[i].Name == name {
			return &src.Policies[i]
		}
	}
	return nil
}

func approval(row *evidence.Row) string {
	if row.ApprovedBy == "" {
		return none
	}
	return fmt.Sprintf("%s at %s (%s)", row.ApprovedBy, stamp(row.ApprovedAt), row.ApprovalRef)
}

// printer writes to w and remembers the first error, after which it
// writes nothing more.
type printer struct {
	w   io.Writer
	err error
}

func (p *printer) printf(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

func (p *printer) field(label, value string) {
	if label != "" {
		label += ":"
	}
	p.printf("  %-20s %s\n", label, value)
}

func stamp(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

func sinceText(since *time.Time, now time.Time) string {
	if since == nil {
		return ""
	}
	return fmt.Sprintf(" since %s (%s ago)", stamp(since), now.Sub(*since).Round(time.Second))
}

func orNone(s string) string {
	if s == "" {
		return none
	}
	return s
}
