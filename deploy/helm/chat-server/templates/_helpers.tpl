{{/* The chart's name, or nameOverride. */}}
{{- define "chat-server.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The release's resource prefix: fullnameOverride, else "<release>-chat-server" (just the release
name when it already contains the chart's name). Kept to 50 characters so "-realtime" and
Kubernetes' own suffixes still fit in 63.
*/}}
{{- define "chat-server.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- $name := include "chat-server.name" . }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Labels on every resource. */}}
{{- define "chat-server.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "chat-server.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: chat
{{- end }}

{{/* Selector labels of one role's pods: call with (dict "root" $ "role" "api"). */}}
{{- define "chat-server.selectorLabels" -}}
app.kubernetes.io/name: {{ include "chat-server.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .role }}
{{- end }}

{{/* The Secret the pods read: an existing one, or the one this chart makes. */}}
{{- define "chat-server.secretName" -}}
{{- default (printf "%s-secrets" (include "chat-server.fullname" .)) .Values.secrets.existingSecret }}
{{- end }}

{{/* The pods' service account: the chart's, or the one named, or the namespace's default. */}}
{{- define "chat-server.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "chat-server.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The server image. */}}
{{- define "chat-server.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The roles this chart runs, in a fixed order. */}}
{{- define "chat-server.roles" -}}
api realtime worker
{{- end }}
