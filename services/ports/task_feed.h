#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "router/error.h"

namespace lexroute {

struct ConsumedRecord {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::string key;
  std::string value;
};

// Submitted tasks as the router reads them: a consumer-group member that starts each partition
// where the router's own store says (never where the log picks), and can go back there.
// The real one is Consumer (Kafka); tests/fakes/fake_task_feed.h is in memory.
class TaskFeed {
 public:
  // Next offset to read for a partition, from the router's own store; nullopt when it has none.
  using StartOffset =
      std::function<std::optional<int64_t>(const std::string& topic, int32_t partition)>;

  virtual ~TaskFeed() = default;

  // Up to `max` records, waiting at most `timeout` for the first.
  virtual std::vector<ConsumedRecord> poll(size_t max, std::chrono::milliseconds timeout) = 0;
  // Who holds the log; stored offsets carry it, so positions of another cluster are never used.
  virtual Result<std::string> cluster_id() = 0;
  // Tells the group how far we got (for lag monitoring and as a fallback start point).
  virtual void commit(const std::map<int32_t, int64_t>& next_offsets) = 0;
  // Goes back, on every partition held, to where the start offset now says, dropping what was
  // fetched before: for when the store behind it lost writes.
  virtual void rewind() = 0;
  // Leaves the group, so the partitions move to another member at once.
  virtual void close() = 0;

  // Per partition held: records between the position and the partition's end as last seen.
  virtual std::map<int32_t, int64_t> lag() = 0;
  // Records past the positions, against each partition's end now; nullopt when it cannot tell.
  virtual std::optional<int64_t> unread() = 0;
  // Records lost because they were gone from the log when asked for.
  virtual uint64_t data_loss_events() const = 0;
};

// Joins the task feed, starting each partition where `start` says. The router calls it when it
// starts, so a test can hand it a fake.
using OpenTaskFeed = std::function<Result<std::unique_ptr<TaskFeed>>(TaskFeed::StartOffset start)>;

}  // namespace lexroute
