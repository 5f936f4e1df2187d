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
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/nhi-steward/steward/internal/evidence"
)

// stewardReports reads the reports Steward writes in namespace ("" for
// all), in whichever format the manager's --report-format chose: each
// namespace's OpenReports Report where there is one, else its PolicyReport
// (with both formats written, the two carry the same results). available
// is false when neither API is served: the export then knows of identities
// no ownership covers only from the policies' bounded violation lists.
func stewardReports(ctx context.Context, c client.Client, namespace string) (
	reports []unstructured.Unstructured, available bool, err error) {
	type key struct{ namespace, name string }
	byName := map[key]unstructured.Unstructured{}
	// Later formats replace earlier ones: OpenReports wins.
	for _, format := range []evidence.ReportFormat{evidence.FormatPolicyReport, evidence.FormatOpenReports} {
		gvk := format.GVK()
		list := &unstructured.UnstructuredList{}
		list.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
		err := c.List(ctx, list, client.InNamespace(namespace),
			client.MatchingLabels{"app.kubernetes.io/managed-by": "steward"})
		switch {
		case meta.IsNoMatchError(err):
			continue // its CRD is not installed
		case err != nil:
			return nil, false, fmt.Errorf("listing %s %ss: %w", gvk.Group, gvk.Kind, err)
		}
		available = true
		for _, r := range list.Items {
			byName[key{r.GetNamespace(), r.GetName()}] = r
		}
	}
	keys := slices.SortedFunc(maps.Keys(byName), func(a, b key) int {
		return cmp.Or(cmp.Compare(a.namespace, b.namespace), cmp.Compare(a.name, b.name))
	})
	for _, k := range keys {
		reports = append(reports, byName[k])
	}
	return reports, available, nil
}
