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

package usage

import (
	"regexp"
	"strings"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

// The ServiceAccount annotations that link it to a cloud identity: a
// Kubernetes token becomes cloud credentials, so an auditor needs to see
// which cloud identity an unowned ServiceAccount can assume.
const (
	// AnnotationAWSRoleARN is EKS IAM Roles for Service Accounts.
	AnnotationAWSRoleARN = "eks.amazonaws.com/role-arn"
	// AnnotationGCPServiceAccount is GKE Workload Identity.
	AnnotationGCPServiceAccount = "iam.gke.io/gcp-service-account"
	// AnnotationAzureClientID is Azure Workload Identity.
	AnnotationAzureClientID = "azure.workload.identity/client-id"
)

// maxCloudIdentityLength bounds what the cache keeps of a cloud identity
// annotation: the longest valid value (an IAM role ARN: a 64-character
// name under a 512-character path) fits in it. Longer values are not a
// cloud identity and are not cached.
const maxCloudIdentityLength = 640

// cloudIdentityPatterns are the shapes of valid values. A value of another
// shape (a tenant's filler, a comma or a newline that would corrupt a
// report or a terminal) is not shown.
var cloudIdentityPatterns = map[nhi.CloudProvider]*regexp.Regexp{
	nhi.CloudAWS:   regexp.MustCompile(`^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=.@_/-]{1,576}$`),
	nhi.CloudGCP:   regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}@[a-z0-9][a-z0-9.-]{0,180}\.iam\.gserviceaccount\.com$`),
	nhi.CloudAzure: regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`),
}

// cloudAnnotations pairs each annotation with its provider, sorted by
// provider so CloudIdentities needs no sort.
var cloudAnnotations = []struct {
	provider   nhi.CloudProvider
	annotation string
}{
	{nhi.CloudAWS, AnnotationAWSRoleARN},
	{nhi.CloudAzure, AnnotationAzureClientID},
	{nhi.CloudGCP, AnnotationGCPServiceAccount},
}

func isCloudAnnotation(key string) bool {
	return key == AnnotationAWSRoleARN || key == AnnotationGCPServiceAccount || key == AnnotationAzureClientID
}

// CloudIdentities are the cloud identities a ServiceAccount's annotations
// link it to, sorted by provider; nil when none does. Values not shaped
// like that provider's identities are ignored. Tenants write these annotations: they are context for
// people, never a reason for a decision.
func CloudIdentities(annotations map[string]string) []nhi.CloudIdentityLink {
	var links []nhi.CloudIdentityLink
	for _, c := range cloudAnnotations {
		identity := strings.TrimSpace(annotations[c.annotation])
		if len(identity) > maxCloudIdentityLength || !cloudIdentityPatterns[c.provider].MatchString(identity) {
			continue
		}
		links = append(links, nhi.CloudIdentityLink{Provider: c.provider, Identity: identity, Annotation: c.annotation})
	}
	return links
}
