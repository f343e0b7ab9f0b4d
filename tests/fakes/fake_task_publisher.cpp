#include "tests/fakes/fake_task_publisher.h"

namespace lexroute::testing {

std::vector<Result<void>> FakeTaskPublisher::send_each(
    std::string_view topic, const std::vector<std::pair<std::string, std::string>>& records) {
  std::lock_guard lock(mutex_);
  std::vector<Result<void>> results;
  results.reserve(records.size());
  for (const auto& [key, value] : records) {
    if (failure_) {
      results.push_back(std::unexpected(*failure_));
      continue;
    }
    published_.push_back({std::string(topic), key, value});
    results.emplace_back();
  }
  return results;
}

std::vector<FakeTaskPublisher::Record> FakeTaskPublisher::published() {
  std::lock_guard lock(mutex_);
  return published_;
}

void FakeTaskPublisher::fail_with(std::optional<Error> error) {
  std::lock_guard lock(mutex_);
  failure_ = std::move(error);
}

}  // namespace lexroute::testing
