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
	"reflect"
	"strings"
	"testing"

	nhi "github.com/nhi-steward/steward/api/v1alpha1"
)

func TestCloudIdentities(t *testing.T) {
	cases := []struct {
		name        string
		annotations map[string]string
		want        []nhi.CloudIdentityLink
	}{
		{"none", nil, nil},
		{"others only", map[string]string{"steward.dev/owner": "x", "eks.amazonaws.com/audience": "sts"}, nil},
		{"all three, sorted by provider", map[string]string{
			AnnotationGCPServiceAccount: gcpServiceAccount,
			AnnotationAzureClientID:     " 00000000-0000-0000-0000-000000000001 ",
			AnnotationAWSRoleARN:        roleARN,
		}, []nhi.CloudIdentityLink{
			{Provider: nhi.CloudAWS, Identity: roleARN, Annotation: AnnotationAWSRoleARN},
			{Provider: nhi.CloudAzure, Identity: "00000000-0000-0000-0000-000000000001", Annotation: AnnotationAzureClientID},
			{Provider: nhi.CloudGCP, Identity: gcpServiceAccount, Annotation: AnnotationGCPServiceAccount},
		}},
		{"blank and oversized values", map[string]string{
			AnnotationAWSRoleARN:        "  ",
			AnnotationGCPServiceAccount: strings.Repeat("x", maxCloudIdentityLength+1),
		}, nil},
		{"values not shaped like the provider's identities", map[string]string{
			AnnotationAWSRoleARN:        "arn:aws:iam::123456789012:role/web,Deployment/forged",
			AnnotationGCPServiceAccount: "web@proj.iam.gserviceaccount.com\nState: Owned",
			AnnotationAzureClientID:     "not-a-guid",
		}, nil},
		{"a role under a path, in another partition", map[string]string{
			AnnotationAWSRoleARN: "arn:aws-us-gov:iam::123456789012:role/team/web",
		}, []nhi.CloudIdentityLink{{Provider: nhi.CloudAWS, Identity: "arn:aws-us-gov:iam::123456789012:role/team/web",
			Annotation: AnnotationAWSRoleARN}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := CloudIdentities(tc.annotations); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("CloudIdentities = %+v, want %+v", got, tc.want)
			}
		})
	}
}
