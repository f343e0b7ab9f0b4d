#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "router/error.h"
#include "services/common/periodic_task.h"
#include "services/kafka/kafka_config.h"

namespace RdKafka {
class KafkaConsumer;
}

namespace lexroute {

// How far the routers are behind intake, for back-pressure: per partition of the task topic,
// the newest offset minus the router group's committed offset, looked at four times a second.
// While the deepest partition is at or past `limit`, intake refuses new work with
// RESOURCE_EXHAUSTED (retry later) rather than take tasks the routers would reach only after a
// broker with bounded retention (the embedded mock keeps 5 MiB per partition) had deleted them.
// A firm's retry is cheap; a task acknowledged and then lost is not.
class RoutingBacklog {
 public:
  struct Options {
    std::string brokers;
    std::string group_id;  // the routers' consumer group
    std::string topic;
    int64_t limit = 0;  // records behind on one partition
    std::chrono::milliseconds every{250};
    KafkaSettings extra;  // the operator's properties (SASL, TLS)
  };

  static Result<std::unique_ptr<RoutingBacklog>> start(Options options);
  ~RoutingBacklog();
  RoutingBacklog(const RoutingBacklog&) = delete;
  RoutingBacklog& operator=(const RoutingBacklog&) = delete;

  // Records the routers had not taken on the deepest partition at the last look (0 before one).
  int64_t deepest() const { return deepest_.load(); }
  // The refusal for new work while the backlog is at or past the limit.
  std::optional<Error> holding_back() const;
  // Looks now instead of waiting for the next second; false if Kafka did not answer.
  bool look();

 private:
  explicit RoutingBacklog(Options options);

  Options options_;
  std::mutex look_mutex_;  // the watch thread and a caller of look() take turns
  // Never subscribes: only asks the group's committed offsets and the partitions' newest.
  std::unique_ptr<RdKafka::KafkaConsumer> handle_;
  int partitions_ = 0;
  std::atomic<int64_t> deepest_{0};
  std::unique_ptr<PeriodicTask> task_;
};

}  // namespace lexroute
