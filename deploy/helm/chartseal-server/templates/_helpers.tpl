{{/* The chart's name, at most 63 characters. */}}
{{- define "chartseal-server.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's resource name: the release name, with the chart's name unless the release name holds it. */}}
{{- define "chartseal-server.fullname" -}}
{{- if contains .Chart.Name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "chartseal-server.selectorLabels" -}}
app.kubernetes.io/name: {{ include "chartseal-server.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "chartseal-server.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "chartseal-server.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* The context path as the server uses it: "" or "/charts" (a leading slash, no trailing one). */}}
{{- define "chartseal-server.contextPath" -}}
{{- $path := trimAll "/" (toString (index .Values.config "context-path" | default "")) }}
{{- if $path }}{{ printf "/%s" $path }}{{ end }}
{{- end }}

{{/* Whether the chart writes a Secret of its own. */}}
{{- define "chartseal-server.ownSecret" -}}
{{- if and (not .Values.auth.existingSecret) (or .Values.auth.uploadTokens .Values.auth.basicAuth.user .Values.env.secret) }}true{{ end }}
{{- end }}

{{/* The Secret holding the credentials: the user's, or the chart's. */}}
{{- define "chartseal-server.secretName" -}}
{{- .Values.auth.existingSecret | default (include "chartseal-server.fullname" .) }}
{{- end }}

{{/* Whether the server gets a token file. */}}
{{- define "chartseal-server.tokenFile" -}}
{{- if .Values.auth.existingSecret }}{{ if .Values.auth.existingSecretTokensKey }}true{{ end }}{{ else if .Values.auth.uploadTokens }}true{{ end }}
{{- end }}

{{/* The PersistentVolumeClaim to mount. */}}
{{- define "chartseal-server.claimName" -}}
{{- .Values.persistence.existingClaim | default (include "chartseal-server.fullname" .) }}
{{- end }}

{{/* "true" when a value reads as true the way chartseal serve reads booleans (true, 1, t), else "". */}}
{{- define "chartseal-server.truthy" -}}
{{- if has (toString .) (list "true" "True" "TRUE" "1" "t" "T") }}true{{ end }}
{{- end }}

{{/* A value as an environment variable's text: whole numbers without YAML's float form (20971520, not 2.097152e+07). */}}
{{- define "chartseal-server.envValue" -}}
{{- if and (kindIs "float64" .) (eq . (floor .)) }}{{ printf "%.0f" . }}{{ else }}{{ toString . }}{{ end }}
{{- end }}
