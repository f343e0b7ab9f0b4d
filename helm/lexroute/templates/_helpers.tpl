{{- define "lexroute.env" -}}
- name: LEXROUTE_KAFKA_BROKERS
  value: {{ .Values.kafkaBrokers | quote }}
- name: LEXROUTE_REDIS
  value: {{ .Values.redis | quote }}
- name: LEXROUTE_METRICS_LISTEN
  value: "0.0.0.0:{{ .Values.metrics.port }}"
{{- end -}}

{{/* Pod annotations for Prometheus's kubernetes_sd: every role serves /metrics (docs/metrics.md). */}}
{{- define "lexroute.scrape" -}}
prometheus.io/scrape: "true"
prometheus.io/port: {{ .Values.metrics.port | quote }}
prometheus.io/path: /metrics
{{- end -}}
