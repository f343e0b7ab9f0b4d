{{- define "lexroute.env" -}}
- name: LEXROUTE_KAFKA_BROKERS
  value: {{ .Values.kafkaBrokers | quote }}
- name: LEXROUTE_REDIS
  value: {{ .Values.redis | quote }}
{{- end -}}
