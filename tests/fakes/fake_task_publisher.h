#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "services/ports/task_publisher.h"

namespace lexroute::testing {

// TaskPublisher in memory: what was published, in order, and a failure a test switches on and off.
class FakeTaskPublisher : public TaskPublisher {
 public:
  // The real one's limit comes from Kafka's message.max.bytes (1,000,000 by default).
  explicit FakeTaskPublisher(size_t max_record_bytes = 1'000'000)
      : max_record_bytes_(max_record_bytes) {}

  std::vector<Result<void>> send_each(
      std::string_view topic,
      const std::vector<std::pair<std::string, std::string>>& records) override;
  size_t max_record_bytes() const override { return max_record_bytes_; }

  struct Record {
    std::string topic, key, value;
  };
  std::vector<Record> published();
  // Until called again with nullopt, every record fails with `error` and none is published, as
  // when the brokers cannot be reached.
  void fail_with(std::optional<Error> error);

 private:
  const size_t max_record_bytes_;
  std::mutex mutex_;
  std::vector<Record> published_;
  std::optional<Error> failure_;
};

}  // namespace lexroute::testing
