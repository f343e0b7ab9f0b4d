#pragma once

#include <memory>
#include <string>

#include "router/error.h"

struct rd_kafka_s;
struct rd_kafka_mock_cluster_s;

namespace lexroute {

// librdkafka's mock cluster: the real Kafka protocol, in memory, gone on exit. The embedded
// default for a laptop, the demo and the tests; any Kafka client can reach it at bootstrap().
// It keeps only the newest 5 MiB of each partition, which is why the task topic gets many
// partitions here.
class EmbeddedKafka {
 public:
  static Result<std::unique_ptr<EmbeddedKafka>> start(int brokers = 1);
  ~EmbeddedKafka();
  EmbeddedKafka(const EmbeddedKafka&) = delete;
  EmbeddedKafka& operator=(const EmbeddedKafka&) = delete;

  const std::string& bootstrap() const { return bootstrap_; }
  Result<void> create_topic(const std::string& name, int partitions);
  // lexroute's topics with their partition counts.
  Result<void> create_lexroute_topics(int task_partitions);

  // Fault injection for tests.
  void set_broker_down(int32_t broker_id);
  void set_broker_up(int32_t broker_id);

 private:
  EmbeddedKafka() = default;
  rd_kafka_s* host_ = nullptr;  // the client handle the mock cluster lives in
  rd_kafka_mock_cluster_s* mock_ = nullptr;
  std::string bootstrap_;
};

}  // namespace lexroute
