#include "tests/fakes/fake_task_feed.h"

#include <utility>

namespace lexroute::testing {

FakeTaskFeed::FakeTaskFeed(std::string topic, int32_t partitions, StartOffset start,
                           std::string cluster_id)
    : topic_(std::move(topic)),
      partitions_(partitions),
      start_(std::move(start)),
      cluster_id_(std::move(cluster_id)) {}

std::map<int32_t, std::optional<int64_t>> FakeTaskFeed::stored_positions() {
  std::map<int32_t, std::optional<int64_t>> out;
  for (int32_t p = 0; p < partitions_; ++p) out[p] = start_ ? start_(topic_, p) : std::nullopt;
  return out;
}

std::vector<ConsumedRecord> FakeTaskFeed::poll(size_t max, std::chrono::milliseconds timeout) {
  bool assigned = false;
  {
    std::lock_guard lock(mutex_);
    assigned = !positions_.empty();
  }
  if (!assigned) {
    auto stored = stored_positions();
    std::lock_guard lock(mutex_);
    for (const auto& [p, offset] : stored) {
      auto committed = committed_.find(p);
      positions_.try_emplace(
          p, offset ? *offset : (committed != committed_.end() ? committed->second : 0));
    }
  }
  std::unique_lock lock(mutex_);
  auto any_unread = [&] {
    for (const auto& [p, position] : positions_) {
      if (position < static_cast<int64_t>(log_[p].size())) return true;
    }
    return closed_;
  };
  pushed_.wait_for(lock, timeout, any_unread);
  std::vector<ConsumedRecord> out;
  for (auto& [p, position] : positions_) {
    const auto& records = log_[p];
    while (out.size() < max && position < static_cast<int64_t>(records.size())) {
      out.push_back(records[static_cast<size_t>(position++)]);
    }
  }
  return out;
}

void FakeTaskFeed::commit(const std::map<int32_t, int64_t>& next_offsets) {
  std::lock_guard lock(mutex_);
  for (const auto& [p, offset] : next_offsets) committed_[p] = offset;
}

void FakeTaskFeed::rewind() {
  auto stored = stored_positions();
  std::lock_guard lock(mutex_);
  // With nothing stored, the beginning: not the last commit, which may be past what was lost.
  for (const auto& [p, offset] : stored) positions_[p] = offset.value_or(0);
  ++rewinds_;
}

void FakeTaskFeed::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  pushed_.notify_all();
}

std::map<int32_t, int64_t> FakeTaskFeed::lag() {
  std::lock_guard lock(mutex_);
  std::map<int32_t, int64_t> out;
  for (const auto& [p, position] : positions_) {
    out[p] = static_cast<int64_t>(log_[p].size()) - position;
  }
  return out;
}

std::optional<int64_t> FakeTaskFeed::unread() {
  std::lock_guard lock(mutex_);
  int64_t total = 0;
  for (int32_t p = 0; p < partitions_; ++p) {
    auto it = positions_.find(p);
    total += static_cast<int64_t>(log_[p].size()) - (it == positions_.end() ? 0 : it->second);
  }
  return total;
}

int64_t FakeTaskFeed::push(int32_t partition, const std::string& key, const std::string& value) {
  std::lock_guard lock(mutex_);
  auto& records = log_[partition];
  int64_t offset = static_cast<int64_t>(records.size());
  records.push_back({topic_, partition, offset, key, value});
  pushed_.notify_all();
  return offset;
}

std::map<int32_t, int64_t> FakeTaskFeed::committed() {
  std::lock_guard lock(mutex_);
  return committed_;
}

size_t FakeTaskFeed::rewinds() {
  std::lock_guard lock(mutex_);
  return rewinds_;
}

bool FakeTaskFeed::closed() {
  std::lock_guard lock(mutex_);
  return closed_;
}

}  // namespace lexroute::testing
