#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "router/error.h"
#include "services/kafka/kafka_config.h"
#include "services/ports/task_publisher.h"

namespace RdKafka {
class Producer;
}

namespace lexroute {

class KafkaMetrics;

// An idempotent (acks=all) Kafka producer. send() returns only after the broker's delivery
// report: OK means the record is durable in Kafka. Its error says whether a retry can help:
// kUnavailable (broker down, timed out) and kResourceExhausted (local queue full) are retriable.
class Producer : public TaskPublisher {
 public:
  struct Options {
    std::string brokers;
    std::chrono::milliseconds delivery_timeout{10000};
    KafkaSettings extra;              // any other librdkafka setting
    KafkaMetrics* metrics = nullptr;  // records acknowledged and not, when given
  };

  static Result<std::unique_ptr<Producer>> create(Options options);
  ~Producer() override;
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  Result<void> send(std::string_view topic, std::string_view key, std::string_view value);
  // Many records in flight at once; returns after every delivery report, failing if any failed.
  Result<void> send_all(std::string_view topic,
                        const std::vector<std::pair<std::string, std::string>>& records);
  // The same with one result per record, in order.
  std::vector<Result<void>> send_each(
      std::string_view topic,
      const std::vector<std::pair<std::string, std::string>>& records) override;
  // The largest record (key and value) this producer sends: message.max.bytes less what the
  // record batch around it takes. A larger one is refused with kInvalidArgument, never retried.
  size_t max_record_bytes() const override { return max_record_bytes_; }
  // Waits for everything in flight; used at shutdown.
  void flush(std::chrono::milliseconds timeout);

 private:
  Producer() = default;
  void poll_loop();
  // Counts the record's fate; `err` is librdkafka's code, or a local one when never queued.
  void counted(std::string_view topic, int err);
  // send and send_each: the records are only read, and copied by librdkafka.
  std::vector<Result<void>> send_views(
      std::string_view topic,
      std::span<const std::pair<std::string_view, std::string_view>> records);
  // The caller's answer for a record's final code (librdkafka's, or no report in time).
  Result<void> failure(std::string_view topic, int err);

  std::unique_ptr<RdKafka::Producer> producer_;
  std::unique_ptr<class DeliveryReports> reports_;
  std::chrono::milliseconds delivery_timeout_{};
  size_t max_record_bytes_ = 0;
  KafkaMetrics* metrics_ = nullptr;
  std::atomic<bool> stopping_{false};
  std::thread poller_;
};

}  // namespace lexroute
