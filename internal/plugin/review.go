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
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	authenticationv1 "k8s.io/api/authentication/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/campaign"
	"github.com/nhi-steward/steward/internal/evidence"
	"github.com/nhi-steward/steward/internal/governance"
)

func newReviewCommand(o *options) *cobra.Command {
	var campaignName, reviewer string
	cmd := &cobra.Command{
		Use:   "review [--campaign NAME] [--reviewer EMAIL]",
		Short: "The campaign items due for a reviewer, with who uses each identity and what it can do",
		Long: `Lists the outstanding items of the access-review campaigns in progress (or of --campaign)
that the reviewer may decide: the campaign's spec.reviewers must name them (when set), and an
item whose ownership lists the reviewer as a contact is never theirs to decide. Each item shows
its identities' state, who uses them and what each ServiceAccount can do.

The reviewer is --reviewer, or the user the API server authenticates.
Decide an item with: kubectl steward review decide NAMESPACE/OWNERSHIP --decision Recertify|Revoke`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := o.client()
			if err != nil {
				return err
			}
			if reviewer == "" {
				if reviewer, err = whoAmI(cmd.Context(), c); err != nil {
					return fmt.Errorf("%w; name the reviewer with --reviewer", err)
				}
			}
			campaigns, err := readCampaigns(cmd.Context(), c, campaignName)
			if err != nil {
				return err
			}
			p := &printer{w: cmd.OutOrStdout()}
			shown := 0
			for i := range campaigns {
				arc := &campaigns[i]
				if campaignName == "" && !inProgress(arc) {
					continue
				}
				shown++
				printCampaignItems(cmd.Context(), p, c, arc, nhi.Person(reviewer))
			}
			if shown == 0 {
				p.printf("No access-review campaign in progress.\n")
			}
			return p.err
		},
	}
	cmd.Flags().StringVar(&campaignName, "campaign", "", "The AccessReviewCampaign (default: every one in progress).")
	cmd.Flags().StringVar(&reviewer, "reviewer", "", "The reviewer's e-mail address (default: the authenticated user).")
	cmd.AddCommand(newDecideCommand(o))
	return cmd
}

// inProgress: started and not completed.
func inProgress(c *nhi.AccessReviewCampaign) bool {
	return c.Status.StartedAt != nil && !meta.IsStatusConditionTrue(c.Status.Conditions, "Completed")
}

// reviewable are the outstanding items reviewer may decide, and how many
// were left out because the reviewer is one of their contacts.
func reviewable(c *nhi.AccessReviewCampaign, reviewer nhi.Person) (items []nhi.CampaignItem, ownContacts int) {
	for _, item := range c.Status.Items {
		if !campaign.Outstanding(&item) {
			continue
		}
		if governance.IsOneOf(item.Contacts, reviewer) {
			ownContacts++
			continue
		}
		items = append(items, item)
	}
	return items, ownContacts
}

func printCampaignItems(ctx context.Context, p *printer, c client.Client, arc *nhi.AccessReviewCampaign, reviewer nhi.Person) {
	p.printf("Campaign %s (due %s): %s decided", arc.Name, arc.Spec.DueBy.UTC().Format(time.RFC3339), arc.Status.Progress)
	if arc.Spec.Description != "" {
		p.printf(": %s", arc.Spec.Description)
	}
	p.printf("\n")
	if !campaign.AllowedReviewer(arc, reviewer) {
		p.printf("  %s is not one of its reviewers (spec.reviewers); none of its items is yours to decide.\n\n", reviewer)
		return
	}
	items, ownContacts := reviewable(arc, reviewer)
	p.printf("  %d outstanding items for %s", len(items), reviewer)
	if ownContacts > 0 {
		p.printf(" (%d more list you as a contact: another reviewer decides those)", ownContacts)
	}
	p.printf("\n\n")
	for _, item := range items {
		p.printf("%s/%s  team %s; contacts %s\n", item.Namespace, item.Ownership, item.Team,
			joinPeople(item.Contacts))
		ownership := &nhi.IdentityOwnership{}
		err := c.Get(ctx, client.ObjectKey{Namespace: item.Namespace, Name: item.Ownership}, ownership)
		switch {
		case apierrors.IsNotFound(err):
			p.field("Ownership", "deleted since the campaign started; a review can no longer be filed")
		case err != nil:
			p.field("Ownership", "cannot be read: "+err.Error())
		default:
			printOwnershipContext(p, ownership)
		}
		p.printf("  To decide: kubectl steward review decide %s/%s --decision Recertify|Revoke --reviewer %s\n\n",
			item.Namespace, item.Ownership, reviewer)
	}
}

// printOwnershipContext shows what a reviewer certifies: each identity's
// state, who uses it and what it can do, as explain shows it.
func printOwnershipContext(p *printer, o *nhi.IdentityOwnership) {
	p.field("Purpose", o.Spec.Purpose)
	if a := o.Spec.Approval; a != nil {
		p.field("Approved by", fmt.Sprintf("%s at %s (%s)", a.ApprovedBy, a.ApprovedAt.UTC().Format(time.RFC3339), a.Reference))
	}
	p.field("Expires", o.Spec.ExpiresAt.UTC().Format(time.RFC3339))
	if r := o.Status.LastReview; r != nil {
		p.field("Last review", fmt.Sprintf("%s (%s) by %s at %s", r.Name, r.Decision, r.Reviewer,
			r.CompletedAt.UTC().Format(time.RFC3339)))
	}
	for _, id := range o.Status.Identities {
		row := evidence.Row{Namespace: o.Namespace, Kind: string(id.Kind), Name: id.Name, State: string(id.State),
			Findings: nhi.FindingNames(id.Findings), Context: evidence.ContextOf(id)}
		p.printf("  %s %s: %s", row.Kind, row.Name, row.State)
		if len(row.Findings) > 0 {
			p.printf(" (%s)", strings.Join(row.Findings, ", "))
		}
		p.printf("\n")
		p.explainContext(&row)
	}
	if int(o.Status.IdentityCount) > len(o.Status.Identities) {
		p.field("", fmt.Sprintf("… and %d more identities", int(o.Status.IdentityCount)-len(o.Status.Identities)))
	}
}

func joinPeople(people []nhi.Person) string {
	names := make([]string, len(people))
	for i, p := range people {
		names[i] = string(p)
	}
	return orNone(strings.Join(names, ", "))
}

// whoAmI is the username the API server authenticates.
func whoAmI(ctx context.Context, c client.Client) (string, error) {
	review := &authenticationv1.SelfSubjectReview{}
	if err := c.Create(ctx, review); err != nil {
		return "", fmt.Errorf("asking the API server who you are: %w", err)
	}
	return review.Status.UserInfo.Username, nil
}

func newDecideCommand(o *options) *cobra.Command {
	var decision, reviewer, notes, name string
	var apply bool
	cmd := &cobra.Command{
		Use:   "decide NAMESPACE/OWNERSHIP --decision Recertify|Revoke [--reviewer EMAIL] [--notes TEXT] [--apply]",
		Short: "Write the OwnershipReview recording a decision (YAML for Git), or file it with --apply",
		Long: `Prints the OwnershipReview recording the reviewer's decision on an ownership, as YAML
ready to commit to the Git repository your pipeline applies. With --apply it files it
directly, as the current user: Steward's admission policy then requires spec.reviewer to
be that user (only a trusted pipeline files reviews for others).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			namespace, ownershipName, found := strings.Cut(args[0], "/")
			if !found || namespace == "" || ownershipName == "" {
				return fmt.Errorf("want NAMESPACE/OWNERSHIP, such as payments/payments-api; got %q", args[0])
			}
			d := nhi.ReviewDecision(decision)
			if d != nhi.DecisionRecertify && d != nhi.DecisionRevoke {
				return fmt.Errorf("--decision must be %s or %s; got %q", nhi.DecisionRecertify, nhi.DecisionRevoke, decision)
			}
			c, err := o.client()
			if err != nil {
				return err
			}
			if reviewer == "" {
				if reviewer, err = whoAmI(cmd.Context(), c); err != nil {
					return fmt.Errorf("%w; name the reviewer with --reviewer", err)
				}
			}
			ownership := &nhi.IdentityOwnership{}
			if err := c.Get(cmd.Context(), client.ObjectKey{Namespace: namespace, Name: ownershipName}, ownership); err != nil {
				return fmt.Errorf("reading IdentityOwnership %s/%s: %w", namespace, ownershipName, err)
			}
			if governance.IsOneOf(ownership.Spec.Owner.Contacts, nhi.Person(reviewer)) {
				return fmt.Errorf("%s is a contact of IdentityOwnership %s/%s: an owner cannot review their own "+
					"ownership (Steward would not accept it); ask another reviewer", reviewer, namespace, ownershipName)
			}
			review := newOwnershipReview(namespace, ownershipName, name, nhi.Person(reviewer), d, notes, time.Now())
			if !apply {
				out, err := yaml.Marshal(review)
				if err != nil {
					return err
				}
				_, err = cmd.OutOrStdout().Write(append([]byte("---\n"), out...))
				return err
			}
			if err := c.Create(cmd.Context(), review); err != nil {
				return explainRefusal(err, review)
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "ownershipreview.nhi.steward.dev/%s created in %s (%s by %s)\n",
				review.Name, namespace, d, reviewer)
			return err
		},
	}
	cmd.Flags().StringVar(&decision, "decision", "", "Recertify or Revoke.")
	cmd.Flags().StringVar(&reviewer, "reviewer", "", "The reviewer's e-mail address (default: the authenticated user).")
	cmd.Flags().StringVar(&notes, "notes", "", "Why: recorded in spec.notes.")
	cmd.Flags().StringVar(&name, "name", "", "The OwnershipReview's name (default: OWNERSHIP-review-YYYYMMDD-HHMMSS).")
	cmd.Flags().BoolVar(&apply, "apply", false, "File the review in the cluster as the current user, instead of printing it.")
	_ = cmd.MarkFlagRequired("decision")
	return cmd
}

// newOwnershipReview is the review recording one decision.
func newOwnershipReview(namespace, ownership, name string, reviewer nhi.Person, d nhi.ReviewDecision, notes string,
	now time.Time) *nhi.OwnershipReview {
	if name == "" {
		suffix := "-review-" + now.UTC().Format("20060102-150405")
		name = truncate(ownership, 253-len(suffix)) + suffix
	}
	return &nhi.OwnershipReview{
		TypeMeta:   metav1.TypeMeta{APIVersion: nhi.GroupVersion.String(), Kind: "OwnershipReview"},
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Spec: nhi.OwnershipReviewSpec{OwnershipRef: nhi.LocalObjectReference{Name: ownership}, Reviewer: reviewer,
			Decision: d, Notes: notes},
	}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// explainRefusal says why the API server refused the review, and what to
// do, when it is the separation-of-duties policy.
func explainRefusal(err error, review *nhi.OwnershipReview) error {
	if (apierrors.IsInvalid(err) || apierrors.IsForbidden(err)) &&
		strings.Contains(err.Error(), "cannot file an OwnershipReview in the name of") {
		return fmt.Errorf("the admission policy refused the review: spec.reviewer (%s) must be the user who files it, "+
			"unless that user is a trusted pipeline. Run it as %s, or drop --apply and commit the manifest for "+
			"your pipeline to apply: %w", review.Spec.Reviewer, review.Spec.Reviewer, err)
	}
	return fmt.Errorf("filing OwnershipReview %s/%s: %w", review.Namespace, review.Name, err)
}
