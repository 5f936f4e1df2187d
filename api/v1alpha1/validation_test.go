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

package v1alpha1_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"

	nhiv1alpha1 "github.com/nhi-steward/steward/api/v1alpha1"
)

const samplesDir = "../../config/samples"

// loadManifests reads every YAML document of a file, in order.
func loadManifests(path string) []*unstructured.Unstructured {
	data, err := os.ReadFile(path)
	Expect(err).NotTo(HaveOccurred())
	decoder := yaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var objects []*unstructured.Unstructured
	for {
		obj := &unstructured.Unstructured{}
		if err := decoder.Decode(&obj.Object); err != nil {
			if errors.Is(err, io.EOF) {
				return objects
			}
			Expect(err).NotTo(HaveOccurred(), "decoding %s", path)
		}
		if len(obj.Object) > 0 {
			objects = append(objects, obj)
		}
	}
}

// sampleOf returns a fresh copy of the sample of a kind, placed in namespace
// when the kind is namespaced (its sample has a namespace) and left
// cluster-scoped otherwise. Every copy gets a name of its own (generateName),
// so that tests creating the same cluster-scoped sample do not collide.
func sampleOf(kind, namespace string) *unstructured.Unstructured {
	path := filepath.Join(samplesDir, "nhi_v1alpha1_"+strings.ToLower(kind)+".yaml")
	objects := loadManifests(path)
	Expect(objects).To(HaveLen(1), "%s holds one object", path)
	obj := objects[0]
	Expect(obj.GetKind()).To(Equal(kind))
	obj.SetName("")
	obj.SetGenerateName(strings.ToLower(kind) + "-")
	if obj.GetNamespace() != "" {
		obj.SetNamespace(namespace)
	}
	return obj
}

// mutation edits a manifest before it is sent to the API server.
type mutation func(obj map[string]any)

// set replaces the value at a dotted path.
func set(path string, value any) mutation {
	return func(obj map[string]any) {
		Expect(unstructured.SetNestedField(obj, value, strings.Split(path, ".")...)).To(Succeed())
	}
}

// del removes the value at a dotted path.
func del(path string) mutation {
	return func(obj map[string]any) { unstructured.RemoveNestedField(obj, strings.Split(path, ".")...) }
}

// list is a JSON list; never nil, so that list() is sent as [] (a nil slice
// would be sent as null, which the API server drops as if the field were
// absent).
func list(values ...any) []any { return append([]any{}, values...) }

// reviewers are n distinct e-mail addresses.
func reviewers(n int) []any {
	values := make([]any, 0, n)
	for i := range n {
		values = append(values, fmt.Sprintf("reviewer-%d@example.com", i))
	}
	return values
}

func repeat(format string, n int) []any {
	values := make([]any, 0, n)
	for i := range n {
		values = append(values, strings.ReplaceAll(format, "%d", string(rune('a'+i))))
	}
	return values
}

var _ = Describe("API validation", func() {
	var namespace string

	BeforeEach(func() {
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "validation-"}}
		Expect(k8sClient.Create(ctx, ns)).To(Succeed())
		namespace = ns.Name
	})

	DescribeTable("rejects an invalid manifest with a message that names the field",
		func(kind string, mutations []mutation, wantField, wantMessage string) {
			obj := sampleOf(kind, namespace)
			for _, mutate := range mutations {
				mutate(obj.Object)
			}
			err := k8sClient.Create(ctx, obj)
			Expect(err).To(HaveOccurred(), "the API server accepted an invalid %s", kind)
			Expect(apierrors.IsInvalid(err)).To(BeTrue(), "want an Invalid error, got: %v", err)
			Expect(err.Error()).To(ContainSubstring(wantField))
			Expect(err.Error()).To(ContainSubstring(wantMessage))
		},

		// IdentityOwnership
		Entry("ownership with neither identities nor selector", "IdentityOwnership",
			[]mutation{del("spec.identities"), del("spec.selector")},
			"spec", "at least one of spec.identities or spec.selector is required"),
		Entry("ownership with an empty identities list and no selector", "IdentityOwnership",
			[]mutation{set("spec.identities", list()), del("spec.selector")},
			"spec", "at least one of spec.identities or spec.selector is required"),
		Entry("ownership whose selector has no label requirement", "IdentityOwnership",
			[]mutation{set("spec.selector", map[string]any{"kinds": list("Secret")})},
			"spec.selector", "selector must set matchLabels or matchExpressions"),
		Entry("ownership of an unsupported kind", "IdentityOwnership",
			[]mutation{set("spec.identities", list(map[string]any{"kind": "Pod", "name": "web"}))},
			"spec.identities[0].kind", `Unsupported value: "Pod"`),
		Entry("ownership listing the same identity twice", "IdentityOwnership",
			[]mutation{set("spec.identities", list(
				map[string]any{"kind": "Secret", "name": "key"}, map[string]any{"kind": "Secret", "name": "key"}))},
			"spec.identities[1]", "Duplicate value"),
		Entry("ownership of an identity with an invalid name", "IdentityOwnership",
			[]mutation{set("spec.identities", list(map[string]any{"kind": "Secret", "name": "Stripe_Key"}))},
			"spec.identities[0].name", "should match"),
		Entry("ownership without an owner", "IdentityOwnership",
			[]mutation{del("spec.owner")},
			"spec.owner", "Required value"),
		Entry("ownership without a team", "IdentityOwnership",
			[]mutation{del("spec.owner.team")},
			"spec.owner.team", "Required value"),
		Entry("ownership without contacts", "IdentityOwnership",
			[]mutation{del("spec.owner.contacts")},
			"spec.owner.contacts", "Required value"),
		Entry("ownership with an empty contacts list", "IdentityOwnership",
			[]mutation{set("spec.owner.contacts", list())},
			"spec.owner.contacts", "should have at least 1 items"),
		Entry("ownership whose contact is not a named person", "IdentityOwnership",
			[]mutation{set("spec.owner.contacts", list("IT"))},
			"spec.owner.contacts[0]", "should be at least 3 chars long"),
		Entry("ownership whose contact is not an e-mail address", "IdentityOwnership",
			[]mutation{set("spec.owner.contacts", list("payments team"))},
			"spec.owner.contacts[0]", "should match"),
		Entry("ownership with too many contacts", "IdentityOwnership",
			[]mutation{set("spec.owner.contacts", repeat("person-%d@example.com", 17))},
			"spec.owner.contacts", "must have at most 16 items"),
		Entry("ownership without a purpose", "IdentityOwnership",
			[]mutation{del("spec.purpose")},
			"spec.purpose", "Required value"),
		Entry("ownership with a blank purpose", "IdentityOwnership",
			[]mutation{set("spec.purpose", "   ")},
			"spec.purpose", "spec.purpose must describe the business need"),
		// The placeholders `kubectl steward suggest` leaves for a person.
		Entry("ownership whose purpose is a suggest placeholder", "IdentityOwnership",
			[]mutation{set("spec.purpose", nhiv1alpha1.Placeholder+" describe the business need of payments")},
			"spec.purpose", "spec.purpose is a placeholder from kubectl steward suggest: describe the business need"),
		Entry("ownership whose purpose still holds a placeholder after an edit", "IdentityOwnership",
			[]mutation{set("spec.purpose", "Card payments. "+nhiv1alpha1.Placeholder+" describe the business need")},
			"spec.purpose", "spec.purpose is a placeholder from kubectl steward suggest"),
		Entry("ownership whose contact is a suggest placeholder", "IdentityOwnership",
			[]mutation{set("spec.owner.contacts", list("alice@example.com", nhiv1alpha1.Placeholder+"person@example.com"))},
			"spec.owner.contacts", "spec.owner.contacts has a placeholder from kubectl steward suggest"),
		Entry("ownership whose team is a suggest placeholder", "IdentityOwnership",
			[]mutation{set("spec.owner.team", nhiv1alpha1.Placeholder+"team")},
			"spec.owner.team", "spec.owner.team is a placeholder from kubectl steward suggest: name the accountable team"),
		Entry("ownership approved by one of its own contacts", "IdentityOwnership",
			[]mutation{set("spec.approval.approvedBy", "alice.nguyen@example.com")},
			"spec.approval.approvedBy", "must not be one of spec.owner.contacts"),
		Entry("ownership approved by its own contact in other letter case", "IdentityOwnership",
			[]mutation{set("spec.approval.approvedBy", "Bob.Osei@Example.com")},
			"spec.approval.approvedBy", "must not be one of spec.owner.contacts"),
		Entry("ownership approval without a reference", "IdentityOwnership",
			[]mutation{del("spec.approval.reference")},
			"spec.approval.reference", "Required value"),
		Entry("ownership approval with a malformed time", "IdentityOwnership",
			[]mutation{set("spec.approval.approvedAt", "last tuesday")},
			"spec.approval.approvedAt", "date-time"),
		Entry("ownership without an expiry", "IdentityOwnership",
			[]mutation{del("spec.expiresAt")},
			"spec.expiresAt", "Required value"),
		Entry("ownership expiring before its approval", "IdentityOwnership",
			[]mutation{set("spec.expiresAt", "2026-08-01T00:00:00Z")},
			"spec.expiresAt", "spec.expiresAt must be after spec.approval.approvedAt"),
		Entry("ownership with a zero review interval", "IdentityOwnership",
			[]mutation{set("spec.reviewInterval", "0s")},
			"spec.reviewInterval", "must be a positive duration"),
		Entry("ownership with a review interval in days", "IdentityOwnership",
			[]mutation{set("spec.reviewInterval", "90d")},
			"spec.reviewInterval", "should match"),
		Entry("ownership with a negative rotation age", "IdentityOwnership",
			[]mutation{set("spec.rotation.maxAge", "-1h")},
			"spec.rotation.maxAge", "should match"),
		Entry("ownership with rotation but no maxAge", "IdentityOwnership",
			[]mutation{set("spec.rotation", map[string]any{})},
			"spec.rotation.maxAge", "Required value"),

		// OwnershipPolicy
		Entry("policy with an unknown enforcement mode", "OwnershipPolicy",
			[]mutation{set("spec.enforcement", "Audit")},
			"spec.enforcement", `Unsupported value: "Audit"`),
		Entry("policy rule with an unknown action", "OwnershipPolicy",
			[]mutation{set("spec.rules", list(map[string]any{"finding": "Unowned", "action": "Delete"}))},
			"spec.rules[0].action", `Unsupported value: "Delete"`),
		Entry("policy rule for an unknown finding", "OwnershipPolicy",
			[]mutation{set("spec.rules", list(map[string]any{"finding": "Leaked", "action": "Flag"}))},
			"spec.rules[0].finding", `Unsupported value: "Leaked"`),
		Entry("policy rule with a grace period but no Revoke action", "OwnershipPolicy",
			[]mutation{set("spec.rules", list(map[string]any{"finding": "Unowned", "action": "Flag", "revokeAfter": "24h"}))},
			"spec.rules[0].revokeAfter", "revokeAfter is only allowed when action is Revoke"),
		Entry("policy with two rules for one finding", "OwnershipPolicy",
			[]mutation{set("spec.rules", list(
				map[string]any{"finding": "Unowned", "action": "Flag"}, map[string]any{"finding": "Unowned", "action": "Revoke"}))},
			"spec.rules[1]", "Duplicate value"),
		Entry("policy with a zero grace period", "OwnershipPolicy",
			[]mutation{set("spec.rules", list(map[string]any{"finding": "Expired", "action": "Revoke", "revokeAfter": "0s"}))},
			"spec.rules[0].revokeAfter", "must be a positive duration"),
		Entry("policy governing Helm release Secrets", "OwnershipPolicy",
			[]mutation{set("spec.secretTypes", list("Opaque", "helm.sh/release.v1"))},
			"spec.secretTypes", "must not include helm.sh/release.v1 or bootstrap.kubernetes.io/token"),
		Entry("policy governing an unsupported kind", "OwnershipPolicy",
			[]mutation{set("spec.kinds", list("ConfigMap"))},
			"spec.kinds[0]", `Unsupported value: "ConfigMap"`),
		Entry("policy with a negative blast-radius cap", "OwnershipPolicy",
			[]mutation{set("spec.revocation.maxRevocationsPerHour", int64(-1))},
			"spec.revocation.maxRevocationsPerHour", "should be greater than or equal to 0"),
		Entry("policy with an unknown ServiceAccount revocation strategy", "OwnershipPolicy",
			[]mutation{set("spec.revocation.serviceAccountStrategies", list("Disable"))},
			"spec.revocation.serviceAccountStrategies[0]", `Unsupported value: "Disable"`),
		Entry("policy with a Stale rule but no staleAfter", "OwnershipPolicy",
			[]mutation{del("spec.staleAfter")},
			"spec.staleAfter", "spec.staleAfter is required when spec.rules has a rule for the Stale finding"),
		Entry("policy with an OwnerDeparted rule but no directory", "OwnershipPolicy",
			[]mutation{del("spec.ownerDirectory")},
			"spec.ownerDirectory", "spec.ownerDirectory is required when spec.rules has a rule for the OwnerDeparted finding"),
		Entry("policy whose exceptions may outlast approvals", "OwnershipPolicy",
			[]mutation{set("spec.maxExceptionDuration", "9000h")},
			"spec.maxExceptionDuration", "must not exceed spec.maxValidity"),
		Entry("policy with a zero maximum validity", "OwnershipPolicy",
			[]mutation{set("spec.maxValidity", "0h")},
			"spec.maxValidity", "must be a positive duration"),
		Entry("policy whose directory may shrink by 0%", "OwnershipPolicy",
			[]mutation{set("spec.ownerDirectory.maxShrinkPercent", int64(0))},
			"spec.ownerDirectory.maxShrinkPercent", "should be greater than or equal to 1"),
		Entry("policy whose directory has no ConfigMap namespace", "OwnershipPolicy",
			[]mutation{del("spec.ownerDirectory.configMapRef.namespace")},
			"spec.ownerDirectory.configMapRef.namespace", "Required value"),

		// OwnershipException
		Entry("exception without an expiry", "OwnershipException",
			[]mutation{del("spec.expiresAt")},
			"spec.expiresAt", "Required value"),
		Entry("exception without findings", "OwnershipException",
			[]mutation{del("spec.findings")},
			"spec.findings", "Required value"),
		Entry("exception waiving no finding", "OwnershipException",
			[]mutation{set("spec.findings", list())},
			"spec.findings", "should have at least 1 items"),
		Entry("exception waiving a state that is not a finding", "OwnershipException",
			[]mutation{set("spec.findings", list("Revoked"))},
			"spec.findings[0]", `Unsupported value: "Revoked"`),
		Entry("exception without a risk acceptor", "OwnershipException",
			[]mutation{del("spec.riskAcceptedBy")},
			"spec.riskAcceptedBy", "Required value"),
		Entry("exception with a blank justification", "OwnershipException",
			[]mutation{set("spec.justification", " ")},
			"spec.justification", "spec.justification must explain why the risk is accepted"),
		Entry("exception targeting nothing", "OwnershipException",
			[]mutation{del("spec.identities")},
			"spec", "at least one of spec.identities or spec.selector is required"),

		// OwnershipReview
		Entry("review with an unknown decision", "OwnershipReview",
			[]mutation{set("spec.decision", "Approve")},
			"spec.decision", `Unsupported value: "Approve"`),
		Entry("review without a reviewer", "OwnershipReview",
			[]mutation{del("spec.reviewer")},
			"spec.reviewer", "Required value"),
		Entry("review of no ownership", "OwnershipReview",
			[]mutation{del("spec.ownershipRef")},
			"spec.ownershipRef", "Required value"),
		Entry("review with overlong notes", "OwnershipReview",
			[]mutation{set("spec.notes", strings.Repeat("x", 4097))},
			"spec.notes", "may not be more than 4096 bytes"),

		// AccessReviewCampaign
		Entry("campaign without a scope", "AccessReviewCampaign",
			[]mutation{del("spec.scope")},
			"spec.scope", "Required value"),
		Entry("campaign whose scope selects by nothing", "AccessReviewCampaign",
			[]mutation{set("spec.scope", map[string]any{})},
			"spec.scope", "spec.scope needs at least one of policy, namespaces or teams"),
		Entry("campaign whose scope names an empty policy", "AccessReviewCampaign",
			[]mutation{set("spec.scope.policy", "")},
			"spec.scope.policy", "should be at least 1 chars long"),
		Entry("campaign whose scope has an empty namespaces list", "AccessReviewCampaign",
			[]mutation{set("spec.scope.namespaces", list())},
			"spec.scope.namespaces", "should have at least 1 items"),
		Entry("campaign whose scope has only an empty namespaces list", "AccessReviewCampaign",
			[]mutation{set("spec.scope", map[string]any{"namespaces": list()})},
			"spec.scope.namespaces", "should have at least 1 items"),
		Entry("campaign whose scope has an empty teams list", "AccessReviewCampaign",
			[]mutation{set("spec.scope.teams", list())},
			"spec.scope.teams", "should have at least 1 items"),
		Entry("campaign whose scope lists a namespace twice", "AccessReviewCampaign",
			[]mutation{set("spec.scope.namespaces", list("payments", "payments"))},
			"spec.scope.namespaces[1]", "Duplicate value"),
		Entry("campaign whose scope names an overlong namespace", "AccessReviewCampaign",
			[]mutation{set("spec.scope.namespaces", list(strings.Repeat("n", 64)))},
			"spec.scope.namespaces[0]", "may not be more than 63 bytes"),
		Entry("campaign whose scope names an overlong team", "AccessReviewCampaign",
			[]mutation{set("spec.scope.teams", list(strings.Repeat("t", 64)))},
			"spec.scope.teams[0]", "may not be more than 63 bytes"),
		Entry("campaign without a due date", "AccessReviewCampaign",
			[]mutation{del("spec.dueBy")},
			"spec.dueBy", "Required value"),
		Entry("campaign with a malformed due date", "AccessReviewCampaign",
			[]mutation{set("spec.dueBy", "end of quarter")},
			"spec.dueBy", "date-time"),
		Entry("campaign whose reviewer is not an e-mail address", "AccessReviewCampaign",
			[]mutation{set("spec.reviewers", list("security team"))},
			"spec.reviewers[0]", "should match"),
		Entry("campaign whose reviewer is not a named person", "AccessReviewCampaign",
			[]mutation{set("spec.reviewers", list("IT"))},
			"spec.reviewers[0]", "should be at least 3 chars long"),
		Entry("campaign listing a reviewer twice", "AccessReviewCampaign",
			[]mutation{set("spec.reviewers", list("dave.kim@example.com", "dave.kim@example.com"))},
			"spec.reviewers[1]", "Duplicate value"),
		Entry("campaign with too many reviewers", "AccessReviewCampaign",
			[]mutation{set("spec.reviewers", reviewers(101))},
			"spec.reviewers", "must have at most 100 items"),
		Entry("campaign with an overlong description", "AccessReviewCampaign",
			[]mutation{set("spec.description", strings.Repeat("x", 1025))},
			"spec.description", "may not be more than 1024 bytes"),
	)

	It("rejects any change to a review's spec", func() {
		review := sampleOf("OwnershipReview", namespace)
		Expect(k8sClient.Create(ctx, review)).To(Succeed())

		Expect(unstructured.SetNestedField(review.Object, "Revoke", "spec", "decision")).To(Succeed())
		err := k8sClient.Update(ctx, review)
		Expect(apierrors.IsInvalid(err)).To(BeTrue(), "want an Invalid error, got: %v", err)
		Expect(err.Error()).To(ContainSubstring("spec is immutable"))
	})

	It("rejects any change to a campaign's scope", func() {
		campaign := sampleOf("AccessReviewCampaign", namespace)
		Expect(k8sClient.Create(ctx, campaign)).To(Succeed())
		DeferCleanup(func() { Expect(client.IgnoreNotFound(k8sClient.Delete(ctx, campaign))).To(Succeed()) })
		Expect(campaign.GetNamespace()).To(BeEmpty(), "AccessReviewCampaign is cluster-scoped")

		for _, change := range []mutation{
			set("spec.scope.policy", "another-policy"),
			set("spec.scope.namespaces", list("payments")),
			set("spec.scope.teams", list("payments")),
		} {
			changed := campaign.DeepCopy()
			change(changed.Object)
			err := k8sClient.Update(ctx, changed)
			Expect(apierrors.IsInvalid(err)).To(BeTrue(), "want an Invalid error, got: %v", err)
			Expect(err.Error()).To(ContainSubstring("spec.scope"))
			Expect(err.Error()).To(ContainSubstring("spec.scope is immutable"))
		}
		current := &nhiv1alpha1.AccessReviewCampaign{}
		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(campaign), current)).To(Succeed())
		Expect(current.Spec.Scope).To(Equal(nhiv1alpha1.CampaignScope{Policy: "baseline"}))
	})

	It("lets a campaign's due date, reviewers and description change", func() {
		campaign := sampleOf("AccessReviewCampaign", namespace)
		Expect(k8sClient.Create(ctx, campaign)).To(Succeed())
		DeferCleanup(func() { Expect(client.IgnoreNotFound(k8sClient.Delete(ctx, campaign))).To(Succeed()) })

		By("the security team extending the deadline")
		Expect(unstructured.SetNestedField(campaign.Object, "2027-01-31T23:59:59Z", "spec", "dueBy")).To(Succeed())
		Expect(unstructured.SetNestedField(campaign.Object, list("dave.kim@example.com", "erin.lopez@example.com"),
			"spec", "reviewers")).To(Succeed())
		Expect(unstructured.SetNestedField(campaign.Object, "Q4 2026 access review, extended by a month", "spec", "description")).To(Succeed())
		Expect(k8sClient.Update(ctx, campaign)).To(Succeed())

		current := &nhiv1alpha1.AccessReviewCampaign{}
		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(campaign), current)).To(Succeed())
		Expect(current.Spec.DueBy.UTC().Format(time.RFC3339)).To(Equal("2027-01-31T23:59:59Z"))
		Expect(current.Spec.Reviewers).To(ConsistOf(nhiv1alpha1.Person("dave.kim@example.com"), nhiv1alpha1.Person("erin.lopez@example.com")))
		Expect(current.Spec.Scope).To(Equal(nhiv1alpha1.CampaignScope{Policy: "baseline"}))
		Expect(current.Generation).To(BeEquivalentTo(2))
	})

	It("accepts every sample in config/samples", func() {
		files, err := filepath.Glob(filepath.Join(samplesDir, "*.yaml"))
		Expect(err).NotTo(HaveOccurred())
		var objects []*unstructured.Unstructured
		for _, file := range files {
			if filepath.Base(file) != "kustomization.yaml" {
				objects = append(objects, loadManifests(file)...)
			}
		}
		// Namespaces first, as kubectl apply -k orders them.
		slices.SortStableFunc(objects, func(a, b *unstructured.Unstructured) int {
			switch aNS, bNS := a.GetKind() == "Namespace", b.GetKind() == "Namespace"; {
			case aNS && !bNS:
				return -1
			case bNS && !aNS:
				return 1
			}
			return 0
		})
		kinds := map[string]bool{}
		for _, obj := range objects {
			Expect(k8sClient.Create(ctx, obj)).To(Succeed(), "%s %s", obj.GetKind(), obj.GetName())
			kinds[obj.GetKind()] = true
		}
		for _, kind := range []string{"IdentityOwnership", "OwnershipPolicy", "OwnershipException", "OwnershipReview",
			"AccessReviewCampaign"} {
			Expect(kinds).To(HaveKey(kind), "config/samples has no %s", kind)
		}
	})

	It("defaults a minimal policy to DryRun with the safe revocation settings", func() {
		policy := &nhiv1alpha1.OwnershipPolicy{ObjectMeta: metav1.ObjectMeta{Name: "minimal"}}
		Expect(k8sClient.Create(ctx, policy)).To(Succeed())
		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(policy), policy)).To(Succeed())

		Expect(policy.Spec.Enforcement).To(Equal(nhiv1alpha1.EnforcementDryRun))
		Expect(policy.Spec.RequireApproval).To(HaveValue(BeTrue()))
		Expect(policy.Spec.Kinds).To(ConsistOf(nhiv1alpha1.KindServiceAccount, nhiv1alpha1.KindSecret))
		Expect(policy.Spec.SecretTypes).To(ConsistOf("Opaque", "kubernetes.io/service-account-token",
			"kubernetes.io/basic-auth", "kubernetes.io/ssh-auth", "kubernetes.io/dockerconfigjson"))
		Expect(policy.Spec.ExcludedIdentities).To(ConsistOf(
			nhiv1alpha1.IdentityReference{Kind: nhiv1alpha1.KindServiceAccount, Name: "default"}))
		Expect(policy.Spec.Revocation.MaxRevocationsPerHour).To(HaveValue(BeEquivalentTo(10)))
		Expect(policy.Spec.Revocation.ServiceAccountStrategies).To(Equal(
			[]nhiv1alpha1.ServiceAccountRevocationStrategy{nhiv1alpha1.RevokeDeleteTokens, nhiv1alpha1.RevokeRemoveBindings}))
		Expect(policy.Spec.Revocation.SecretStrategies).To(Equal(
			[]nhiv1alpha1.SecretRevocationStrategy{nhiv1alpha1.RevokeSecretDelete}))
	})

	It("takes status through the status subresource, without bumping the generation", func() {
		ownership := sampleOf("IdentityOwnership", namespace)
		Expect(k8sClient.Create(ctx, ownership)).To(Succeed())
		typed := &nhiv1alpha1.IdentityOwnership{}
		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(ownership), typed)).To(Succeed())

		typed.Status.ObservedGeneration = typed.Generation
		typed.Status.IdentityCount = 2
		Expect(k8sClient.Status().Update(ctx, typed)).To(Succeed())
		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(ownership), typed)).To(Succeed())
		Expect(typed.Status.IdentityCount).To(BeEquivalentTo(2))
		Expect(typed.Generation).To(BeEquivalentTo(1), "a status write must not bump the generation")
	})
})
