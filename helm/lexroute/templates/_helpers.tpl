{{/* Names: every object is "<release>-<component>" (the release name is the instance). */}}
{{- define "lexroute.fullname" -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}

{{- define "lexroute.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Selector labels of one component: name, instance and component. Every selector in this chart
(Deployments, Services, PodDisruptionBudgets, NetworkPolicies, ServiceMonitor) uses these, so two
releases in one namespace never select each other's pods (helm/check checks it).
Call with (dict "root" $ "component" "intake").
*/}}
{{- define "lexroute.selectorLabels" -}}
app.kubernetes.io/name: lexroute
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Selector of every lexroute pod of this release (any component). */}}
{{- define "lexroute.releaseSelectorLabels" -}}
app.kubernetes.io/name: lexroute
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Labels on every object: the selector labels and the recommended rest. */}}
{{- define "lexroute.labels" -}}
{{ include "lexroute.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: lexroute
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ include "lexroute.chart" .root }}
{{- end -}}

{{- define "lexroute.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "lexroute.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (printf "%s-lexroute" (include "lexroute.fullname" .)) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Flags every role takes (docs/configuration.md), as environment variables. */}}
{{- define "lexroute.commonEnv" -}}
{{- $redis := .Values.redis -}}
{{- if $redis.address }}
- name: LEXROUTE_REDIS
  value: {{ $redis.address | quote }}
{{- end }}
{{- if $redis.sentinels }}
- name: LEXROUTE_REDIS_SENTINELS
  value: {{ $redis.sentinels | quote }}
- name: LEXROUTE_REDIS_MASTER_NAME
  value: {{ required "redis.masterName is required with redis.sentinels" $redis.masterName | quote }}
{{- end }}
{{- if $redis.existingSecret }}
- name: LEXROUTE_REDIS_PASSWORD_FILE
  value: /etc/lexroute/redis/{{ $redis.passwordKey }}
{{- end }}
- name: LEXROUTE_REDIS_WAIT_REPLICAS
  value: {{ $redis.waitReplicas | int64 | quote }}
- name: LEXROUTE_REDIS_WAIT_TIMEOUT_MS
  value: {{ $redis.waitTimeoutMs | int64 | quote }}
{{- if .Values.kafka.brokers }}
- name: LEXROUTE_KAFKA_BROKERS
  value: {{ .Values.kafka.brokers | quote }}
{{- end }}
- name: LEXROUTE_KAFKA_DELIVERY_TIMEOUT_MS
  value: {{ .Values.kafka.deliveryTimeoutMs | int64 | quote }}
{{- if .Values.kafka.properties }}
- name: LEXROUTE_KAFKA_CONFIG
  value: /etc/lexroute/kafka/kafka.properties
{{- end }}
{{- range .Values.kafka.secretProperties }}
- name: LEXROUTE_KAFKA_CONFIG_{{ .property | upper | replace "_" "__" | replace "." "_" }}
  valueFrom:
    secretKeyRef:
      name: {{ required "kafka.existingSecret is required with kafka.secretProperties" $.Values.kafka.existingSecret | quote }}
      key: {{ .key | quote }}
{{- end }}
- name: LEXROUTE_ROUTER_GROUP
  value: {{ .Values.routerGroup | quote }}
- name: LEXROUTE_METRICS_LISTEN
  value: "0.0.0.0:{{ .Values.metrics.port }}"
{{- if .Values.verbose }}
- name: LEXROUTE_VERBOSE
  value: "true"
{{- end }}
{{- end -}}

{{/* TLS of the gRPC door (and the worker app's HTTPS), intake and gateway only. */}}
{{- define "lexroute.tlsEnv" -}}
{{- if .Values.tls.enabled }}
- name: LEXROUTE_TLS_CERT
  value: /etc/lexroute/tls/tls.crt
- name: LEXROUTE_TLS_KEY
  value: /etc/lexroute/tls/tls.key
- name: LEXROUTE_TLS_RELOAD_SECONDS
  value: {{ .Values.tls.reloadSeconds | int64 | quote }}
{{- if .Values.tls.clientCA.enabled }}
- name: LEXROUTE_TLS_CLIENT_CA
  value: /etc/lexroute/tls/{{ .Values.tls.clientCA.key }}
- name: LEXROUTE_TLS_CLIENT_AUTH
  value: {{ .Values.tls.clientCA.auth | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Volumes every pod mounts: a writable /tmp (the root is read-only) and the Secrets in use. */}}
{{- define "lexroute.volumes" -}}
- name: tmp
  emptyDir: {sizeLimit: 64Mi}
{{- if .root.Values.redis.existingSecret }}
- name: redis-password
  secret:
    secretName: {{ .root.Values.redis.existingSecret | quote }}
    items: [{key: {{ .root.Values.redis.passwordKey | quote }}, path: {{ .root.Values.redis.passwordKey | quote }}}]
    defaultMode: 0440
{{- end }}
{{- if .root.Values.kafka.properties }}
- name: kafka-config
  configMap:
    name: {{ include "lexroute.fullname" .root }}-kafka
{{- end }}
{{- if .root.Values.kafka.tlsSecret }}
- name: kafka-tls
  secret:
    secretName: {{ .root.Values.kafka.tlsSecret | quote }}
    defaultMode: 0440
{{- end }}
{{- if and .tls .root.Values.tls.enabled }}
- name: tls
  secret:
    secretName: {{ required "tls.existingSecret is required with tls.enabled" .root.Values.tls.existingSecret | quote }}
    defaultMode: 0440
{{- end }}
{{- end -}}

{{- define "lexroute.volumeMounts" -}}
- {name: tmp, mountPath: /tmp}
{{- if .root.Values.redis.existingSecret }}
- {name: redis-password, mountPath: /etc/lexroute/redis, readOnly: true}
{{- end }}
{{- if .root.Values.kafka.properties }}
- {name: kafka-config, mountPath: /etc/lexroute/kafka, readOnly: true}
{{- end }}
{{- if .root.Values.kafka.tlsSecret }}
- {name: kafka-tls, mountPath: /etc/lexroute/kafka-tls, readOnly: true}
{{- end }}
{{- if and .tls .root.Values.tls.enabled }}
- {name: tls, mountPath: /etc/lexroute/tls, readOnly: true}
{{- end }}
{{- end -}}

{{/* Pod-level settings every role shares. */}}
{{- define "lexroute.podSpec" -}}
serviceAccountName: {{ include "lexroute.serviceAccountName" . }}
automountServiceAccountToken: false
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.priorityClassName }}
priorityClassName: {{ . | quote }}
{{- end }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/*
Probes on grpc.health.v1 at port .port (the kubelet's own gRPC probe, plaintext only).
Readiness asks the whole server (service ""), NOT_SERVING while a dependency the role needs is
gone; startup and liveness ask "liveness", SERVING while the process runs, so a lost Redis takes a
pod out of its Service without restarting it. With TLS on the gRPC door, the kubelet cannot speak
to it: the probes then only open a TCP connection.
Call with (dict "root" $ "port" 50051 "tls" true).
*/}}
{{- define "lexroute.grpcProbes" -}}
{{- $p := .root.Values.probes -}}
{{- $ready := dict "grpc" (dict "port" .port) -}}
{{- $alive := dict "grpc" (dict "port" .port "service" "liveness") -}}
{{- if and .tls .root.Values.tls.enabled -}}
{{- $ready = dict "tcpSocket" (dict "port" .port) -}}
{{- $alive = $ready -}}
{{- end -}}
startupProbe:
  {{- toYaml $alive | nindent 2 }}
  periodSeconds: {{ $p.startup.periodSeconds }}
  failureThreshold: {{ $p.startup.failureThreshold }}
readinessProbe:
  {{- toYaml $ready | nindent 2 }}
  periodSeconds: {{ $p.readiness.periodSeconds }}
  failureThreshold: {{ $p.readiness.failureThreshold }}
livenessProbe:
  {{- toYaml $alive | nindent 2 }}
  periodSeconds: {{ $p.liveness.periodSeconds }}
  failureThreshold: {{ $p.liveness.failureThreshold }}
{{- end -}}

{{/*
Probes of the router and the scaler: grpc.health.v1 on --listen (LEXROUTE_LISTEN) with
<role>.health.grpc (the default), else /metrics only. Call with (dict "root" $ "values" .Values.router).
*/}}
{{- define "lexroute.backgroundProbes" -}}
{{- if .values.health.grpc -}}
{{ include "lexroute.grpcProbes" (dict "root" .root "port" .values.health.port "tls" false) }}
{{- else -}}
{{- $p := .root.Values.probes -}}
{{- $check := dict "httpGet" (dict "path" "/metrics" "port" "metrics") -}}
startupProbe:
  {{- toYaml $check | nindent 2 }}
  periodSeconds: {{ $p.startup.periodSeconds }}
  failureThreshold: {{ $p.startup.failureThreshold }}
readinessProbe:
  {{- toYaml $check | nindent 2 }}
  periodSeconds: {{ $p.readiness.periodSeconds }}
  failureThreshold: {{ $p.readiness.failureThreshold }}
livenessProbe:
  {{- toYaml $check | nindent 2 }}
  periodSeconds: {{ $p.liveness.periodSeconds }}
  failureThreshold: {{ $p.liveness.failureThreshold }}
{{- end -}}
{{- end -}}

{{/* Pod annotations: Prometheus's kubernetes_sd scrape hints (docs/metrics.md), a checksum of the
Kafka properties so a change rolls the pods, and the user's own. */}}
{{- define "lexroute.podAnnotations" -}}
{{- if .Values.metrics.podAnnotations }}
prometheus.io/scrape: "true"
prometheus.io/port: {{ .Values.metrics.port | quote }}
prometheus.io/path: /metrics
{{- end }}
{{- if .Values.kafka.properties }}
checksum/kafka-config: {{ .Values.kafka.properties | sha256sum }}
{{- end }}
{{- with .Values.podAnnotations }}
{{ toYaml . }}
{{- end }}
{{- end -}}
