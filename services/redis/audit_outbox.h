#pragma once

#include <chrono>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "lexroute/v1/pools.pb.h"
#include "lexroute/v1/task.pb.h"
#include "router/error.h"
#include "services/redis/redis_client.h"

namespace lexroute {

// A pool's audit outboxes: the streams every task transition (keys::task_events) and every
// call-in and release (keys::staff_events) are appended to by the script that makes them. They
// are read as one member of a Redis consumer group, and an entry is deleted only once it was
// acknowledged here, so a crashed reader loses nothing: another takes its entries over after 30 s.
class AuditOutbox {
 public:
  enum class Stream { kTaskEvents, kStaffEvents };
  static constexpr Stream kStreams[] = {Stream::kTaskEvents, Stream::kStaffEvents};

  struct Batch {
    // Every entry claimed, to acknowledge once sent; more than the events when some were deleted
    // meanwhile.
    std::vector<std::string> entry_ids;
    std::vector<v1::TaskEvent> task_events;    // of Stream::kTaskEvents
    std::vector<v1::StaffEvent> staff_events;  // of Stream::kStaffEvents
  };

  // `waiting` serves only wait(): a blocking read holds its connection for the whole wait, so it
  // must not be one the routing path borrows.
  AuditOutbox(RedisClient& redis, RedisClient& waiting, std::string consumer)
      : redis_(redis), waiting_(waiting), consumer_(std::move(consumer)) {}

  // Entries in the outbox: appended and not yet relayed and acknowledged.
  Result<int64_t> length(const std::string& pool, Stream stream);

  // Up to `max` entries: this consumer's own unacknowledged ones first (a previous run's, or what
  // wait() took), then entries another consumer claimed and sat on for 30 s, then new ones.
  Result<Batch> claim(const std::string& pool, Stream stream, size_t max);
  // The entries were sent: they leave the outbox.
  Result<void> acknowledge(const std::string& pool, Stream stream,
                           const std::vector<std::string>& entry_ids);
  // Waits up to `timeout` for new entries in either of the pool's outboxes. What arrives is taken
  // for this consumer and comes back from the next claim(). True if anything arrived.
  Result<bool> wait(const std::string& pool, std::chrono::milliseconds timeout, size_t max);

 private:
  // The consumer group of a stream, created once per stream (and again if Redis lost it).
  Result<void> ensure_group(const std::string& stream);
  // After a NOGROUP error (Redis restarted empty), the groups are created again next time.
  void forget_lost_groups(const Error& error, const std::vector<std::string>& streams);

  RedisClient& redis_;
  RedisClient& waiting_;
  std::string consumer_;
  std::mutex mutex_;
  std::set<std::string> grouped_;
};

}  // namespace lexroute
