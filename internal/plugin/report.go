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
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/evidence"
	"github.com/nhi-steward/steward/internal/report"
)

func newReportCommand(o *options) *cobra.Command {
	var output, campaign, since, until string
	var logs []string
	cmd := &cobra.Command{
		Use:   "report [--campaign NAME] [--since DATE] [--until DATE] [--log FILE...] -o html|markdown|json",
		Short: "A self-contained evidence pack for a period: summary, campaign, revocations, exceptions, departures, controls",
		Long: `A self-contained evidence pack for a period, for every namespace: identities by state
(with charts drawn inline), the access-review campaign's completion and outstanding
items, the revocations of the period with their records, the exceptions active or
expired in it, owner departures and the time each took to revocation, a section per
control, and an integrity section: when and from which cluster it was generated, and
the SHA-256 digest of the data it rests on. -o json carries that data ("inputs"), so
the digest can be re-derived: kubectl steward report -o json | jq -cjS .inputs | sha256sum

DATE is YYYY-MM-DD (UTC midnight; --until's day is included) or RFC 3339.
--log reads decision-log files (the current file and its rotated ones, gzip-compressed or
not, in any order): the report then also holds what the log records and the cluster no
longer does (revocations past an ownership's history, departures of deleted ownerships,
campaigns deleted after their quarter), and its Integrity section says whether the log's
hash chain is intact.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			now := time.Now().UTC()
			period, err := parsePeriod(since, until, now)
			if err != nil {
				return err
			}
			o.allNamespaces = true
			src, err := o.sources(cmd.Context())
			if err != nil {
				return err
			}
			c, err := o.client()
			if err != nil {
				return err
			}
			campaigns, err := readCampaigns(cmd.Context(), c, "")
			if err != nil {
				return err
			}
			decisions, check, err := readDecisionLogs(logs)
			if err != nil {
				return err
			}
			in := report.InputsFrom(src, campaigns, decisions, period)
			in.LogCheck, in.Campaign = check, campaign
			r, err := report.Build(in, o.cluster(), now)
			if err != nil {
				return err
			}
			if campaign != "" && len(r.Campaigns) == 0 {
				return fmt.Errorf("no AccessReviewCampaign %s overlaps the period, in the cluster or in the decision log given (--log)",
					campaign)
			}
			if err := printWarnings(cmd, r.Warnings); err != nil {
				return err
			}
			return report.Write(cmd.OutOrStdout(), output, r)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "html", "Output format: "+strings.Join(report.Formats, ", ")+".")
	cmd.Flags().StringVar(&campaign, "campaign", "", "Only this AccessReviewCampaign, read from the cluster or rebuilt from --log once deleted (default: every campaign overlapping the period).")
	cmd.Flags().StringVar(&since, "since", "", "Start of the period (default: the beginning).")
	cmd.Flags().StringVar(&until, "until", "", "End of the period (default: now).")
	cmd.Flags().StringArrayVar(&logs, "log", nil, "A decision-log file, rotated or gzip-compressed ones included; repeat for several.")
	return cmd
}

// parsePeriod reads --since and --until.
func parsePeriod(since, until string, now time.Time) (report.Period, error) {
	p := report.Period{Until: now}
	var err error
	if since != "" {
		if p.Since, err = parseDate(since, false); err != nil {
			return p, fmt.Errorf("--since: %w", err)
		}
	}
	if until != "" {
		if p.Until, err = parseDate(until, true); err != nil {
			return p, fmt.Errorf("--until: %w", err)
		}
	}
	if p.Until.Before(p.Since) {
		return p, fmt.Errorf("--until %s is before --since %s", until, since)
	}
	return p, nil
}

// parseDate reads YYYY-MM-DD or RFC 3339. A day given as the end of a
// period includes the whole day.
func parseDate(value string, endOfDay bool) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, value); err == nil {
		if endOfDay {
			t = t.Add(24*time.Hour - time.Nanosecond)
		}
		return t.UTC(), nil
	}
	t, err := time.Parse(time.RFC3339, value)
	if err != nil {
		return time.Time{}, fmt.Errorf("want YYYY-MM-DD or RFC 3339, got %q", value)
	}
	return t.UTC(), nil
}

// readCampaigns lists the AccessReviewCampaigns, or gets the one named.
// Without the campaign CRD there are none.
func readCampaigns(ctx context.Context, c client.Client, name string) ([]nhi.AccessReviewCampaign, error) {
	if name != "" {
		campaign := &nhi.AccessReviewCampaign{}
		if err := c.Get(ctx, client.ObjectKey{Name: name}, campaign); err != nil {
			return nil, fmt.Errorf("reading AccessReviewCampaign %s: %w", name, err)
		}
		return []nhi.AccessReviewCampaign{*campaign}, nil
	}
	list := &nhi.AccessReviewCampaignList{}
	if err := c.List(ctx, list); err != nil {
		if meta.IsNoMatchError(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("listing AccessReviewCampaigns: %w", err)
	}
	return list.Items, nil
}

// readDecisionLogs reads the --log files (rotated, gzip-compressed or not,
// in any order) and checks their hash chain. A broken chain does not stop
// the report: it says where the chain breaks. A file that cannot be read,
// or a line that is not JSON, does: dropping it would hide a record.
func readDecisionLogs(paths []string) ([]evidence.Decision, *report.LogCheck, error) {
	if len(paths) == 0 {
		return nil, nil, nil
	}
	lines, err := evidence.ReadDecisionLog(paths...)
	if err != nil {
		return nil, nil, fmt.Errorf("reading the decision log: %w", err)
	}
	decisions := make([]evidence.Decision, 0, len(lines))
	for _, d := range lines {
		if d.Schema == evidence.SchemaVersion && d.Type != evidence.DecisionChain {
			decisions = append(decisions, d)
		}
	}
	check := &report.LogCheck{Files: paths}
	v, err := evidence.VerifyDecisionLog(paths...)
	var broken *evidence.ChainBreak
	switch {
	case errors.As(err, &broken):
		check.Break = broken.Error()
	case err != nil:
		return nil, nil, fmt.Errorf("checking the decision log: %w", err)
	default:
		check.Intact, check.Files, check.Lines, check.FirstSeq = true, v.Files, v.Lines, v.FirstSeq
		if v.Lines > 0 {
			check.First, check.Last = &v.First, &v.Last
		}
	}
	return decisions, check, nil
}

// cluster names the kubeconfig context and API server read.
func (o *options) cluster() report.Cluster {
	var c report.Cluster
	if raw, err := o.flags.ToRawKubeConfigLoader().RawConfig(); err == nil {
		c.Context = raw.CurrentContext
	}
	if o.flags.Context != nil && *o.flags.Context != "" {
		c.Context = *o.flags.Context
	}
	if config, err := o.flags.ToRESTConfig(); err == nil {
		c.Server = config.Host
	}
	return c
}
