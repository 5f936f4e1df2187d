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
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
	"github.com/nhi-steward/steward/internal/report"
)

// scenario is a real API server holding a campaign in progress: two
// ownerships in it, one decided Revoke (its identity revoked after its
// owner left), one outstanding; and an active exception.
type scenario struct {
	kubeconfig string
	client     client.Client
}

func startScenario(t *testing.T) scenario {
	t.Helper()
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		t.Skip("KUBEBUILDER_ASSETS is not set: export KUBEBUILDER_ASSETS=$(hack/envtest-bins.sh | tail -n1)")
	}
	env := &envtest.Environment{CRDDirectoryPaths: []string{filepath.Join("..", "..", "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true}
	config, err := env.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Stop() })
	user, err := env.AddUser(envtest.User{Name: "rev@example.com", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := user.KubeConfig()
	if err != nil {
		t.Fatal(err)
	}
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(kubeconfig, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	scheme := runtime.NewScheme()
	_ = clientgoscheme.AddToScheme(scheme)
	_ = nhi.AddToScheme(scheme)
	c, err := client.New(config, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	seed(t, c)
	return scenario{kubeconfig: kubeconfig, client: c}
}

func seed(t *testing.T, c client.Client) {
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	ago := func(h int) metav1.Time { return metav1.NewTime(now.Add(-time.Duration(h) * time.Hour)) }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "payments"}}))
	approval := &nhi.Approval{ApprovedBy: "lead@example.com", ApprovedAt: ago(2000), Reference: "CHG-1"}
	ownerships := []*nhi.IdentityOwnership{
		{ObjectMeta: metav1.ObjectMeta{Namespace: "payments", Name: "api"}, Spec: nhi.IdentityOwnershipSpec{
			Identities: []nhi.IdentityReference{{Kind: nhi.KindServiceAccount, Name: "api"}},
			Owner:      nhi.Owner{Team: "payments", Contacts: []nhi.Person{"ann@example.com"}},
			Purpose:    "serves the payments API", Approval: approval, ExpiresAt: metav1.NewTime(now.Add(2000 * time.Hour))}},
		{ObjectMeta: metav1.ObjectMeta{Namespace: "payments", Name: "mine"}, Spec: nhi.IdentityOwnershipSpec{
			Identities: []nhi.IdentityReference{{Kind: nhi.KindServiceAccount, Name: "tooling"}},
			Owner:      nhi.Owner{Team: "platform", Contacts: []nhi.Person{"rev@example.com"}},
			Purpose:    "the reviewer's own", Approval: approval, ExpiresAt: metav1.NewTime(now.Add(2000 * time.Hour))}},
		{ObjectMeta: metav1.ObjectMeta{Namespace: "payments", Name: "legacy-batch"}, Spec: nhi.IdentityOwnershipSpec{
			Identities: []nhi.IdentityReference{{Kind: nhi.KindServiceAccount, Name: "batch"}},
			Owner:      nhi.Owner{Team: "payments", Contacts: []nhi.Person{"gone@example.com"}},
			Purpose:    "nightly batch", Approval: approval, ExpiresAt: metav1.NewTime(now.Add(2000 * time.Hour))}},
	}
	for _, o := range ownerships {
		must(c.Create(ctx, o))
	}
	ownerships[0].Status = nhi.IdentityOwnershipStatus{IdentityCount: 1, Identities: []nhi.IdentityStatus{{
		Kind: nhi.KindServiceAccount, Name: "api", State: nhi.StateOwned,
		Usage: &nhi.IdentityUsage{Count: 2, Workloads: []nhi.WorkloadReference{{Kind: "Deployment", Name: "payments-api"},
			{Kind: "CronJob", Name: "settlement"}}},
		Access: &nhi.AccessSummary{Namespaces: []string{"payments"}, NamespaceCount: 1, Roles: []string{"Role/payments/reader"},
			Risky: []nhi.RiskyPermission{"ReadSecrets"}}}}}
	ownerships[1].Status = nhi.IdentityOwnershipStatus{IdentityCount: 1, Identities: []nhi.IdentityStatus{{
		Kind: nhi.KindServiceAccount, Name: "tooling", State: nhi.StateOwned}}}
	allGone := ago(50)
	ownerships[2].Status = nhi.IdentityOwnershipStatus{IdentityCount: 1, Identities: []nhi.IdentityStatus{{
		Kind: nhi.KindServiceAccount, Name: "batch", State: nhi.StateRevoked, Findings: []nhi.Finding{nhi.FindingOwnerDeparted}}},
		Departure: &nhi.OwnerDeparture{DepartedContacts: []nhi.Person{"gone@example.com"}, FirstSeen: ago(50), AllDepartedAt: &allGone},
		History: []nhi.HistoryEntry{{Time: ago(26), Type: "Transition", Kind: nhi.KindServiceAccount, Name: "batch",
			Reason: "Revoked", Message: "revoked: OwnerDeparted"}}}
	for _, o := range ownerships {
		must(c.Status().Update(ctx, o))
	}
	exception := &nhi.OwnershipException{ObjectMeta: metav1.ObjectMeta{Namespace: "payments", Name: "vendor-key"},
		Spec: nhi.OwnershipExceptionSpec{Identities: []nhi.IdentityReference{{Kind: nhi.KindServiceAccount, Name: "api"}},
			Findings: []nhi.Finding{nhi.FindingRotationOverdue}, RiskAcceptedBy: "ciso@example.com",
			Justification: "the vendor rotates it yearly", ExpiresAt: metav1.NewTime(now.Add(500 * time.Hour))}}
	must(c.Create(ctx, exception))
	exception.Status.Conditions = []metav1.Condition{{Type: nhi.ConditionActive, Status: metav1.ConditionTrue,
		Reason: "Active", LastTransitionTime: ago(1)}}
	must(c.Status().Update(ctx, exception))
	campaign := &nhi.AccessReviewCampaign{ObjectMeta: metav1.ObjectMeta{Name: "q4-2026"},
		Spec: nhi.AccessReviewCampaignSpec{Scope: nhi.CampaignScope{Namespaces: []string{"payments"}},
			DueBy: metav1.NewTime(now.Add(300 * time.Hour)), Description: "Q4 2026 access review"}}
	must(c.Create(ctx, campaign))
	started, decided := ago(100), ago(26)
	campaign.Status = nhi.AccessReviewCampaignStatus{StartedAt: &started, Total: 3, Decided: 1, Revoked: 1, Outstanding: 2,
		PercentComplete: 33, Progress: "1/3",
		Items: []nhi.CampaignItem{
			{Namespace: "payments", Ownership: "api", Team: "payments", Contacts: []nhi.Person{"ann@example.com"}, IdentityCount: 1},
			{Namespace: "payments", Ownership: "legacy-batch", Team: "payments", Contacts: []nhi.Person{"gone@example.com"},
				IdentityCount: 1, Decision: nhi.DecisionRevoke, Reviewer: "rev@example.com", Review: "legacy-batch-q4", DecidedAt: &decided},
			{Namespace: "payments", Ownership: "mine", Team: "platform", Contacts: []nhi.Person{"REV@example.com"}, IdentityCount: 1},
		},
		Conditions: []metav1.Condition{{Type: "Reconciling", Status: metav1.ConditionTrue, Reason: "Outstanding",
			LastTransitionTime: started}}}
	must(c.Status().Update(ctx, campaign))
}

func (s scenario) run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := NewRootCommand()
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(append(args, "--kubeconfig", s.kubeconfig))
	err := cmd.ExecuteContext(context.Background())
	return out.String() + errOut.String(), err
}

func TestReviewAndReportAgainstAnAPIServer(t *testing.T) {
	s := startScenario(t)

	t.Run("review lists what the reviewer may decide, with context", func(t *testing.T) {
		out, err := s.run(t, "review")
		if err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		for _, want := range []string{"Campaign q4-2026", "1 outstanding items for rev@example.com",
			"1 more list you as a contact", "payments/api", "2 workloads: Deployment/payments-api, CronJob/settlement",
			"ReadSecrets", "review decide payments/api"} {
			if !strings.Contains(out, want) {
				t.Errorf("review output lacks %q:\n%s", want, out)
			}
		}
		if strings.Contains(out, "payments/mine ") || strings.Contains(out, "payments/legacy-batch ") {
			t.Errorf("review lists an item the reviewer owns or one already decided:\n%s", out)
		}
	})

	t.Run("a reviewer not in spec.reviewers gets nothing", func(t *testing.T) {
		campaign := &nhi.AccessReviewCampaign{}
		if err := s.client.Get(context.Background(), client.ObjectKey{Name: "q4-2026"}, campaign); err != nil {
			t.Fatal(err)
		}
		campaign.Spec.Reviewers = []nhi.Person{"rev@example.com"}
		if err := s.client.Update(context.Background(), campaign); err != nil {
			t.Fatal(err)
		}
		out, _ := s.run(t, "review", "--reviewer", "someone@example.com")
		if !strings.Contains(out, "is not one of its reviewers") || strings.Contains(out, "review decide") {
			t.Errorf("output:\n%s", out)
		}
	})

	t.Run("decide prints a manifest, and --apply files it", func(t *testing.T) {
		out, err := s.run(t, "review", "decide", "payments/api", "--decision", "Recertify", "--notes", "still used",
			"--name", "api-q4")
		if err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		for _, want := range []string{"kind: OwnershipReview", "name: api-q4", "namespace: payments",
			"reviewer: rev@example.com", "decision: Recertify", "name: api\n", "notes: still used"} {
			if !strings.Contains(out, want) {
				t.Errorf("manifest lacks %q:\n%s", want, out)
			}
		}
		if _, err := s.run(t, "review", "decide", "payments/mine", "--decision", "Recertify"); err == nil ||
			!strings.Contains(err.Error(), "is a contact") {
			t.Errorf("a contact may decide their own ownership: %v", err)
		}
		if out, err := s.run(t, "review", "decide", "payments/api", "--decision", "Revoke", "--apply", "--name", "api-q4"); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		review := &nhi.OwnershipReview{}
		if err := s.client.Get(context.Background(), client.ObjectKey{Namespace: "payments", Name: "api-q4"}, review); err != nil {
			t.Fatal(err)
		}
		if review.Spec.Reviewer != "rev@example.com" || review.Spec.Decision != nhi.DecisionRevoke {
			t.Errorf("filed %+v", review.Spec)
		}
	})

	t.Run("report -o json", func(t *testing.T) {
		out, err := s.run(t, "report", "-o", "json")
		if err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		var r report.Report
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		if r.Summary.Identities != 3 || len(r.Campaigns) != 1 || r.Campaigns[0].Decided != 1 ||
			len(r.Revocations) != 1 || len(r.Exceptions) != 1 || len(r.Departures) != 1 ||
			r.Departures[0].TimeToRevocation != "24h0m0s" || !strings.HasPrefix(r.Cluster.Server, "https://127.0.0.1") {
			t.Errorf("report: %+v", r)
		}
	})
}
