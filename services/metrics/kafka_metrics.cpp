#include "services/metrics/kafka_metrics.h"

namespace lexroute {

KafkaMetrics::KafkaMetrics(prometheus::Registry& registry)
    : produced_(prometheus::BuildCounter()
                    .Name("lexroute_kafka_produced_total")
                    .Help("Records Kafka acknowledged, by topic")
                    .Register(registry)),
      errors_(prometheus::BuildCounter()
                  .Name("lexroute_kafka_produce_errors_total")
                  .Help("Records Kafka did not acknowledge, by topic and librdkafka error name")
                  .Register(registry)) {}

void KafkaMetrics::produced(std::string_view topic) {
  produced_.Add({{"topic", std::string(topic)}}).Increment();
}

void KafkaMetrics::produce_failed(std::string_view topic, std::string_view error_name) {
  errors_.Add({{"topic", std::string(topic)}, {"error", std::string(error_name)}}).Increment();
}

}  // namespace lexroute
