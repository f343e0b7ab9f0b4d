#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "services/ports/task_feed.h"

namespace lexroute::testing {

// TaskFeed in memory: one member holding every partition of one topic. A test pushes records;
// the feed starts each partition where the start offset says (then the last commit, then the
// beginning), as the Kafka consumer does, and keeps every record, so a rewind reads them again.
class FakeTaskFeed : public TaskFeed {
 public:
  FakeTaskFeed(std::string topic, int32_t partitions, StartOffset start,
               std::string cluster_id = "fake-cluster");

  std::vector<ConsumedRecord> poll(size_t max, std::chrono::milliseconds timeout) override;
  Result<std::string> cluster_id() override { return cluster_id_; }
  void commit(const std::map<int32_t, int64_t>& next_offsets) override;
  void rewind() override;
  void close() override;
  std::map<int32_t, int64_t> lag() override;
  std::optional<int64_t> unread() override;
  uint64_t data_loss_events() const override { return 0; }

  // Appends a record to `partition`; its offset.
  int64_t push(int32_t partition, const std::string& key, const std::string& value);
  std::map<int32_t, int64_t> committed();
  size_t rewinds();
  bool closed();

 private:
  // Where the router's store says each partition starts; asked outside the lock, as it reads
  // the store.
  std::map<int32_t, std::optional<int64_t>> stored_positions();

  const std::string topic_;
  const int32_t partitions_;
  const StartOffset start_;
  const std::string cluster_id_;
  std::mutex mutex_;
  std::condition_variable pushed_;
  std::map<int32_t, std::vector<ConsumedRecord>> log_;
  std::map<int32_t, int64_t> positions_;  // empty until the first poll assigns the partitions
  std::map<int32_t, int64_t> committed_;
  size_t rewinds_ = 0;
  bool closed_ = false;
};

}  // namespace lexroute::testing
