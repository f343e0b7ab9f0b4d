#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "lexroute/v1/task.pb.h"
#include "router/clock.h"
#include "router/staff_directory.h"
#include "router/task_requirements.h"
#include "services/metrics/router_metrics.h"
#include "services/ports/change_signals.h"
#include "services/ports/presence_sweep.h"
#include "services/ports/roster_source.h"
#include "services/ports/routing_records.h"
#include "services/ports/task_feed.h"
#include "services/router/clock_sweeps.h"
#include "services/router/offset_ledger.h"
#include "services/router/pool_views.h"

namespace lexroute {

// A member of the router consumer group on lexroute.tasks.v1. For each task it picks the best
// eligible staff member from its in-memory StaffDirectory and reserves them with one Lua script
// that also stores the consumed offset, so what it consumed and what it decided are never out of
// step. Waiting work is offered before new work whenever someone has room.
// It meets Redis and Kafka only through the ports (services/ports): lexrouted hands it the real
// stores and a Kafka consumer, its unit tests the fakes of tests/fakes. Beside the consume loop
// here: PoolViews (rosters and staff states), ClockSweeps (what the clock moves along) and the
// OffsetLedger (stored positions).
class RouterService {
 public:
  struct Options {
    std::string group_id = "lexroute-router";  // the consumer group `open_feed` joins
    size_t batch = 500;
    RouterMetrics* metrics = nullptr;  // decisions, races lost, lag; when given
    // Who the Kafka cluster is; asked from the cluster when empty. Stored offsets carry it, so
    // positions stored against another cluster are never used.
    std::string kafka_cluster_id;
  };

  RouterService(Options options, OpenTaskFeed open_feed, RoutingRecords& tasks, RosterSource& staff,
                PresenceSweep& presence, ChangeSignals& signals, const Clock& clock)
      : options_(std::move(options)),
        open_feed_(std::move(open_feed)),
        tasks_(tasks),
        signals_(signals),
        clock_(clock),
        ledger_(tasks, staff),
        views_(staff, signals, clock),
        sweeps_(tasks, presence) {}
  ~RouterService() { stop(); }

  Result<void> start();
  // Finishes the task in hand, commits, and leaves the consumer group.
  void stop();
  // Routes on until every record in the task topic has been routed, or `timeout` passed; the
  // records still unrouted then (-1 when the router holds no partitions to tell).
  int64_t drain(std::chrono::milliseconds timeout);

  // Tasks this router decided on (offered, parked as waiting, or declared unroutable).
  uint64_t routed() const { return routed_.load(); }
  // Records read from Kafka, including replays it recognised as already routed.
  uint64_t consumed() const { return consumed_.load(); }
  // Times Redis was found to have lost offsets this router stored, and routing went back.
  uint64_t rewinds() const { return rewinds_.load(); }
  // Passes of the clock's work (timeouts, deadlines, presence, then waiting work) finished. Once
  // it has moved by two, a whole pass began after the caller looked: what is due at the clock's
  // time then has been done.
  uint64_t clock_passes() const { return clock_passes_.load(); }
  // Partitions of the task topic this router held when it last looked (about once a second);
  // 0 before its group join gave it any.
  size_t partitions_held() const { return partitions_held_.load(); }

 private:
  void run();
  Result<void> route_waiting();
  // One task on its way through routing: the decision, and the write for the candidate (or the
  // parking) being tried.
  struct Routing {
    const v1::TaskSubmitted* task = nullptr;
    bool from_waiting = false;
    TaskRequirements req;
    absl::Time now;
    Decision decision;
    v1::RoutingDecision record;
    int timeout_s = 0;
    int attempts = 0;  // offers made before and declined or timed out
    size_t next_candidate = 0;
    bool parked = false;  // `attempt` parks the task: no candidate is left
    RoutingRecords::RouteAttempt attempt;
    std::string unroutable_because;  // a constraint name: a bounded metric label
  };
  // `waiting`: what Redis holds on a task routed again from the waiting set; null for a new one.
  Result<Routing> decide(const v1::TaskSubmitted& task, const RoutingRecords::WaitingTask* waiting);
  // Sets `attempt` to the next write: an offer to the next candidate, counted in the view at
  // once so that the next decision of a batch sees it, or, with no candidate left, the task parked
  // as WAITING or UNROUTABLE. false when there is nothing to write (it still waits).
  bool next_attempt(Routing& r);
  // Takes the outcome of `attempt`; false when the next candidate should be tried.
  bool settle(Routing& r, RoutingRecords::RouteOutcome outcome);
  // Takes back the view's count of an offer whose write did not happen.
  void uncount(Routing& r);
  // Tries the remaining candidates one write at a time, then parks the task.
  Result<void> route_rest(Routing& r);
  // The first writes of many decisions in one round trip; then the rest of any whose first
  // candidate had no room after all, one at a time.
  Result<void> route_all(std::vector<Routing>& routings);
  // Routes consumed records, each write storing its record's offset.
  Result<void> route_batch(const std::vector<const ConsumedRecord*>& records);
  // Goes back to Redis's stored offsets and routes again from there; routing is idempotent, so
  // what Redis still has is skipped and what it forgot is routed anew.
  void rewind();
  // Consumer lag (fetched but not yet routed included) and data loss, about once a second.
  void report_lag();

  Options options_;
  OpenTaskFeed open_feed_;
  RoutingRecords& tasks_;
  ChangeSignals& signals_;
  const Clock& clock_;
  OffsetLedger ledger_;
  PoolViews views_;
  ClockSweeps sweeps_;

  std::unique_ptr<TaskFeed> consumer_;
  std::deque<ConsumedRecord> pending_;
  std::chrono::steady_clock::time_point last_waiting_pass_{};
  std::chrono::steady_clock::time_point last_lag_report_{};
  // When the batch being routed started, and when a task nobody could take last made the router
  // read the roster and states again.
  std::chrono::steady_clock::time_point batch_started_{};
  std::chrono::steady_clock::time_point last_forced_refresh_{};
  std::map<std::string, uint64_t> wake_seen_;
  bool rewind_needed_ = false;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> draining_{false};
  // While draining: records in the task topic not yet routed (-1 unknown).
  std::atomic<int64_t> unrouted_{-1};
  std::chrono::steady_clock::time_point last_unrouted_check_{};
  std::atomic<uint64_t> routed_{0};
  std::atomic<uint64_t> consumed_{0};
  std::atomic<uint64_t> rewinds_{0};
  std::atomic<uint64_t> clock_passes_{0};
  std::atomic<size_t> partitions_held_{0};
  std::thread thread_;
};

}  // namespace lexroute
