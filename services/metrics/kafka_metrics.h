#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

#include <string>
#include <string_view>

namespace lexroute {

// What a producer counts: records Kafka acknowledged and records it did not, by librdkafka's
// error name (a closed set such as _MSG_TIMED_OUT or _QUEUE_FULL, never free text).
class KafkaMetrics {
 public:
  explicit KafkaMetrics(prometheus::Registry& registry);

  void produced(std::string_view topic);
  void produce_failed(std::string_view topic, std::string_view error_name);

 private:
  prometheus::Family<prometheus::Counter>& produced_;
  prometheus::Family<prometheus::Counter>& errors_;
};

}  // namespace lexroute
