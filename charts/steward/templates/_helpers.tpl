{{/*
Names: every object is called steward-<name>, as config/default's namePrefix
has it, whatever the release is called. The admission policies' messages,
docs/ and people's RoleBindings name them (steward-identityownership-approver,
steward-controller-manager), so they do not follow the release name.
*/}}

{{/* Steward's own namespace: the release's. */}}
{{- define "steward.namespace" -}}
{{- .Release.Namespace -}}
{{- end -}}

{{/*
The manager's username, which the manager-bounds and protected-keys policies
match on.
*/}}
{{- define "steward.managerUsername" -}}
system:serviceaccount:{{ include "steward.namespace" . }}:steward-controller-manager
{{- end -}}

{{/*
Labels of every object: config/default's app.kubernetes.io/name plus Helm's
own. The drift test (test/chart) ignores the Helm ones.
*/}}
{{- define "steward.labels" -}}
app.kubernetes.io/name: steward
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/instance: {{ .Release.Name }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end -}}

{{/*
Labels that select the manager Pods: the Deployment's selector (immutable
once created) and the metrics Service's, the same as config/default's.
*/}}
{{- define "steward.selectorLabels" -}}
control-plane: controller-manager
app.kubernetes.io/name: steward
{{- end -}}

{{/*
The protected namespaces as a list: admission.protectedNamespaces, which must
hold the three kube-* namespaces, then Steward's own. Each name is checked to
be a namespace name, since it is written into a CEL expression.
*/}}
{{- define "steward.protectedNamespaces" -}}
{{- $names := list -}}
{{- range .Values.admission.protectedNamespaces -}}
{{- if not (regexMatch "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$" (toString .)) -}}
{{- fail (printf "admission.protectedNamespaces: %q is not a namespace name" (toString .)) -}}
{{- end -}}
{{- $names = append $names (toString .) -}}
{{- end -}}
{{- range list "kube-system" "kube-public" "kube-node-lease" -}}
{{- if not (has . $names) -}}
{{- fail (printf "admission.protectedNamespaces must include %s: the manager never acts there, and the policy must not let it" .) -}}
{{- end -}}
{{- end -}}
{{- $own := include "steward.namespace" . -}}
{{- if not (has $own $names) -}}
{{- $names = append $names $own -}}
{{- end -}}
{{- toJson $names -}}
{{- end -}}

{{/*
admission.trustedPipelines as the comma-separated value of the ConfigMap key
trustedPipelines. A username holding a comma would split in two: refused.
*/}}
{{- define "steward.trustedPipelines" -}}
{{- $names := list -}}
{{- range .Values.admission.trustedPipelines -}}
{{- if or (contains "," (toString .)) (eq (trim (toString .)) "") -}}
{{- fail (printf "admission.trustedPipelines: %q is not a username (empty, or holds a comma)" (toString .)) -}}
{{- end -}}
{{- $names = append $names (trim (toString .)) -}}
{{- end -}}
{{- join "," $names -}}
{{- end -}}

{{/* The manager container's image reference. */}}
{{- define "steward.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (toString .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/* The protected namespaces as a CEL list literal: ['kube-system', ...]. */}}
{{- define "steward.protectedNamespacesCEL" -}}
{{- $quoted := list -}}
{{- range (include "steward.protectedNamespaces" . | fromJsonArray) -}}
{{- $quoted = append $quoted (printf "'%s'" .) -}}
{{- end -}}
[{{ join ", " $quoted }}]
{{- end -}}

{{/* The protected namespaces for a message: kube-system, kube-public, ... */}}
{{- define "steward.protectedNamespacesText" -}}
{{- include "steward.protectedNamespaces" . | fromJsonArray | join ", " -}}
{{- end -}}
