#pragma once

#include <absl/time/time.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lexroute/v1/pools.pb.h"
#include "router/clock.h"
#include "router/error.h"
#include "router/scaling.h"
#include "services/redis/redis_client.h"
#include "services/redis/staff_store.h"
#include "services/redis/task_store.h"

namespace lexroute {

// What a pool's gauges are computed from (PoolCollector), as Redis holds it.
struct PoolReadings {
  int64_t roster_version = 0;
  std::map<std::string, std::string> availability;  // staff id -> AVAILABLE, OFFLINE, ...
  std::map<std::string, int64_t> load;              // staff id -> tasks held (offered or accepted)
  int64_t waiting = 0;
  int64_t offered = 0;  // open offers
  // When the tasks at the head of the waiting queue were submitted (ms); tasks gone are left out.
  std::vector<int64_t> head_submitted_ms;
  // A task with its deadline inside the window read.
  struct Due {
    int64_t deadline_ms = 0;
    v1::TaskStatus status = v1::TASK_STATUS_UNSPECIFIED;
    v1::TaskSpec spec;
    std::optional<v1::RoutingDecision> decision;  // the last one, when there is one
  };
  std::vector<Due> due;
};

// Elastic pools in Redis (docs/pools.md): scaling settings, the bench and who is called in, the
// backlog as the scaler sees it, its decisions, and the lease that lets one scaler act at a time.
class PoolStore {
 public:
  PoolStore(RedisClient& redis, StaffStore& staff, TaskStore& tasks, const Clock& clock)
      : redis_(redis), staff_(staff), tasks_(tasks), clock_(clock) {}

  // nullopt when the pool does not scale.
  Result<std::optional<v1::PoolScaling>> scaling(const std::string& pool);
  // Replaces the settings. Listed bench staff go on the bench (those called in stay called in);
  // staff no longer listed leave it and are regular members again.
  Result<void> set_scaling(const std::string& pool, const v1::PoolScaling& scaling);

  // staff id -> "BENCH" or "CALLED_IN".
  Result<std::map<std::string, std::string>> bench(const std::string& pool);
  // BENCH -> CALLED_IN with a CALLED_IN staff event. False if they were not on the bench.
  Result<bool> call_in(const std::string& pool, const std::string& staff_id,
                       const std::string& vendor, const std::string& reason);
  // CALLED_IN -> BENCH with a RELEASED staff event; their open offers go to others, accepted
  // work stays with them to finish. False if they were not called in.
  Result<bool> release(const std::string& pool, const std::string& staff_id,
                       const std::string& vendor, const std::string& reason);
  Result<std::optional<absl::Time>> last_call_in(const std::string& pool);
  // Called-in staff who have not signed in since, with when they were called in.
  Result<std::map<std::string, absl::Time>> unanswered_call_ins(const std::string& pool);

  // Unfinished tasks with a deadline still ahead, and their effort.
  Result<std::vector<BacklogItem>> backlog(const std::string& pool);
  // Tasks completed in the pool since it began (for throughput).
  Result<int64_t> completed(const std::string& pool);
  Result<int64_t> waiting_count(const std::string& pool);

  // Two round trips: the pool's state, the `head` longest-waiting tasks and at most `due_limit`
  // tasks due in [from_ms, until_ms]; then those tasks' records.
  struct ReadingWindow {
    int64_t from_ms = 0, until_ms = 0;
    size_t head = 0, due_limit = 0;
  };
  Result<PoolReadings> readings(const std::string& pool, const ReadingWindow& window);

  // Keeps the newest 100.
  Result<void> record(const std::string& pool, const v1::ScalingDecision& decision);
  Result<std::vector<v1::ScalingDecision>> recent(const std::string& pool, size_t n);

  // Takes or renews the scaler lease for `holder`; true while it holds it.
  Result<bool> hold_lease(const std::string& holder, std::chrono::milliseconds ttl);

 private:
  Result<bool> move(const std::string& pool, const std::string& staff_id, const char* from,
                    const char* to, const char* kind, const std::string& vendor,
                    const std::string& reason);

  RedisClient& redis_;
  StaffStore& staff_;
  TaskStore& tasks_;
  const Clock& clock_;
};

}  // namespace lexroute
