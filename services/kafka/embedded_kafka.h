#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "router/error.h"
#include "services/kafka/kafka_config.h"

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
  // Who this cluster is, new on every start: what it holds is gone with the process, so offsets
  // stored against an earlier one mean nothing here. (The mock's own cluster id is made from two
  // heap addresses and can repeat from one run to the next.)
  const std::string& cluster_id() const { return cluster_id_; }
  Result<void> create_topic(const std::string& name, int partitions);
  // lexroute's topics with their partition counts.
  Result<void> create_lexroute_topics(int task_partitions);

  // Consumer settings this broker needs. It holds a Fetch that found nothing for the full
  // fetch.wait.max.ms even when records arrive meanwhile (a real broker answers as soon as
  // fetch.min.bytes are there), so at the 500 ms default a router that has caught up sees each
  // new task up to half a second late (docs/performance.md, "Measured choices").
  static KafkaSettings consumer_settings() { return {{"fetch.wait.max.ms", "10"}}; }

  // Fault injection for tests.
  void set_broker_down(int32_t broker_id);
  void set_broker_up(int32_t broker_id);
  // The next `count` produce requests fail: with a retriable error (NOT_ENOUGH_REPLICAS, which
  // the producer retries until its delivery timeout) or, with `fatal`, one it may not retry
  // (TOPIC_AUTHORIZATION_FAILED).
  void fail_produce_requests(size_t count, bool fatal);
  void clear_produce_failures();
  // Every answer from the broker arrives `rtt` late (0 for none).
  void set_broker_delay(int32_t broker_id, std::chrono::milliseconds rtt);

 private:
  EmbeddedKafka() = default;
  rd_kafka_s* host_ = nullptr;  // the client handle the mock cluster lives in
  rd_kafka_mock_cluster_s* mock_ = nullptr;
  std::string bootstrap_;
  std::string cluster_id_;
};

}  // namespace lexroute
