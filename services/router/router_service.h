#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "lexroute/v1/task.pb.h"
#include "router/clock.h"
#include "router/staff_directory.h"
#include "router/task_requirements.h"
#include "services/kafka/consumer.h"
#include "services/metrics/router_metrics.h"
#include "services/redis/notifier.h"
#include "services/redis/presence_store.h"
#include "services/redis/staff_store.h"
#include "services/redis/task_store.h"

namespace lexroute {

// A member of the router consumer group on lexroute.tasks.v1. For each task it picks the best
// eligible staff member from its in-memory StaffDirectory and reserves them with one Lua script
// that also stores the consumed offset, so what it consumed and what it decided are never out of
// step. Waiting work is offered before new work whenever someone has room.
class RouterService {
 public:
  struct Options {
    std::string brokers;
    std::string group_id = "lexroute-router";
    size_t batch = 500;
    KafkaSettings extra;
    RouterMetrics* metrics = nullptr;  // decisions, races lost, lag; when given
  };

  RouterService(Options options, TaskStore& tasks, StaffStore& staff, PresenceStore& presence,
                Notifier& notifier, const Clock& clock)
      : options_(std::move(options)),
        tasks_(tasks),
        staff_(staff),
        presence_(presence),
        notifier_(notifier),
        clock_(clock) {}
  ~RouterService() { stop(); }

  Result<void> start();
  // Finishes the task in hand, commits, and leaves the consumer group.
  void stop();

  // Tasks this router decided on (offered, parked as waiting, or declared unroutable).
  uint64_t routed() const { return routed_.load(); }
  // Records read from Kafka, including replays it recognised as already routed.
  uint64_t consumed() const { return consumed_.load(); }
  // Times Redis was found to have lost offsets this router stored, and routing went back.
  uint64_t rewinds() const { return rewinds_.load(); }

 private:
  struct PoolView {
    StaffDirectory directory;
    int64_t roster_version = -1;
    BalanceStrategy strategy = BalanceStrategy::kLeastLoaded;
    PoolSettings settings;
    bool needs_full_refresh = true;
    std::chrono::steady_clock::time_point last_full_refresh{};
  };

  void run();
  Result<void> refresh_roster(bool force);
  // Staff states from Redis: only those named in change notifications since the last call, or
  // the whole pool when notifications may have been missed (and every few seconds regardless).
  Result<void> refresh_states(bool force_full = false);
  Result<void> route_waiting();
  // Timed-out offers, passed deadlines and silent staff: what the clock moves along.
  Result<void> sweep();
  Result<void> route_one(const v1::TaskSubmitted& task, bool from_waiting,
                         const std::string& offset_field, int64_t next_offset);
  PoolView& pool(const std::string& name);
  // Redis lost writes when it holds an older offset than we stored (a restart with appendfsync
  // everysec): checks every pool we stored offsets for.
  Result<void> check_stored_offsets();
  // Goes back to Redis's stored offsets and routes again from there; routing is idempotent, so
  // what Redis still has is skipped and what it forgot is routed anew.
  void rewind();
  std::optional<int64_t> start_offset(const std::string& topic, int32_t partition);
  // Consumer lag (fetched but not yet routed included) and data loss, about once a second.
  void report_lag();

  Options options_;
  TaskStore& tasks_;
  StaffStore& staff_;
  PresenceStore& presence_;
  Notifier& notifier_;
  const Clock& clock_;

  std::unique_ptr<Consumer> consumer_;
  std::map<std::string, PoolView> pools_;
  std::deque<ConsumedRecord> pending_;
  std::chrono::steady_clock::time_point last_roster_check_{};
  std::chrono::steady_clock::time_point last_waiting_pass_{};
  std::chrono::steady_clock::time_point last_lag_report_{};
  std::map<std::string, uint64_t> wake_seen_;
  // pool -> "<topic>/<partition>" -> the next offset this router stored there.
  std::map<std::string, std::map<std::string, int64_t>> stored_by_us_;
  bool rewind_needed_ = false;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> routed_{0};
  std::atomic<uint64_t> consumed_{0};
  std::atomic<uint64_t> rewinds_{0};
  std::thread thread_;
};

}  // namespace lexroute
