#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "lexroute/v1/task.pb.h"
#include "router/clock.h"
#include "router/error.h"
#include "router/task_status.h"
#include "services/ports/desk_tasks.h"
#include "services/ports/intake_records.h"
#include "services/ports/routing_records.h"
#include "services/redis/redis_client.h"
#include "services/redis/script_replies.h"

namespace lexroute {

// Task records and their transitions in Redis. Every transition is one Lua script, so a task's
// status, its holder's load and the holder's offers never disagree.
//
// `acknowledged` is how many Redis replicas must hold a write before an answer tells a caller
// it happened: a staff member's accept, rejection or completion, and a firm's idempotency key.
// Falling short, they fail UNAVAILABLE with the write on the master, and the caller's retry
// finds it done (ALREADY, or the key's EXISTING task) and is acknowledged like the first.
// The router's own writes do not wait: Kafka holds what they came from (docs/architecture.md).
class TaskStore : public IntakeRecords, public DeskTasks, public RoutingRecords {
 public:
  TaskStore(RedisClient& redis, const Clock& clock, ReplicaWait acknowledged = {})
      : redis_(redis), clock_(clock), acknowledged_(acknowledged) {}

  // --- intake ---
  Result<IdempotencyClaim> claim_idempotency_key(const std::string& firm, const std::string& key,
                                                 const std::string& task_id,
                                                 const std::string& fingerprint,
                                                 const std::string& record) override;
  // One round trip for the lot.
  Result<void> record_queued(const std::vector<const v1::TaskSubmitted*>& tasks) override;
  bool exists(const std::string& task_id) override;
  // The task whatever its owner; callers check `firm_id`. NOT_FOUND for unknown ids.
  Result<v1::Task> get(const std::string& task_id) override;
  Result<v1::Task> cancel(const std::string& firm, const std::string& task_id,
                          const std::string& reason) override;

  // --- router: RoutingRecords (services/ports/routing_records.h) says what each does ---
  Result<RouteOutcome> route(const RouteAttempt& attempt) override;
  Result<std::vector<RouteOutcome>> route_each(
      const std::vector<const RouteAttempt*>& attempts) override;
  Result<std::vector<std::string>> waiting(const std::string& pool, size_t limit) override;
  Result<std::vector<WaitingTask>> waiting_tasks(const std::string& pool,
                                                 const std::vector<std::string>& ids) override;
  Result<std::unordered_set<std::string>> excluded_staff(const std::string& task_id);
  // Next offset to consume per offset field ("<cluster>/<topic>/<partition>"), as stored by
  // route().
  Result<std::map<std::string, int64_t>> stored_offsets(const std::string& pool) override;
  // Tasks of `pool` still QUEUED (in Kafka, not yet routed), as intake submitted them. For when
  // the Kafka that held them is gone (the embedded default after a restart).
  Result<std::vector<v1::TaskSubmitted>> queued_tasks(const std::string& pool);
  // Task records in the pools matching `pool_glob` (a Redis pattern; "*" for every pool), for
  // checks that nothing was stored. It scans the whole keyspace: never on a serving path.
  Result<size_t> count_task_records(std::string_view pool_glob);
  // Drops stored offsets that no longer mean anything (another Kafka cluster's).
  Result<void> forget_offsets(const std::string& pool,
                              const std::vector<std::string>& fields) override;
  // One round trip (DeskTasks::look_up).
  Result<std::vector<TaskLook>> look_up(const std::vector<std::string>& task_ids,
                                        const std::vector<bool>& whole) override;
  // What the audit trail's step latencies need of many tasks of a pool, in one round trip, in
  // order; zero where a task (or that step of it) is not there.
  struct StepTimes {
    v1::TaskKind kind = v1::TASK_KIND_UNSPECIFIED;
    int64_t submitted_ms = 0, offered_ms = 0, accepted_ms = 0;
  };
  Result<std::vector<StepTimes>> step_times(const std::string& pool,
                                            const std::vector<std::string>& task_ids);
  // Sends offers that were not answered in time back to routing; returns how many.
  Result<size_t> expire_due_offers(const std::string& pool, size_t limit) override;
  // Marks tasks past their deadline overdue, or EXPIRED when they asked; returns how many.
  Result<size_t> pass_deadlines(const std::string& pool, size_t limit) override;

  // Sends work back to routing because its holder is away (presence, docs/routing.md): the task
  // must still be in `expected` status (OFFERED or ACCEPTED) with `staff`; with a cutoff, the
  // staff member must also still be lapsed since before it. True if it moved.
  Result<bool> take_back_work(const std::string& pool, const std::string& staff,
                              const std::string& task_id, v1::TaskStatus expected,
                              const std::string& reason, std::optional<int64_t> lapsed_cutoff_ms);

  // --- gateway ---
  Result<v1::Task> accept(const std::string& pool, const std::string& staff,
                          const std::string& task_id);
  Result<v1::Task> reject(const std::string& pool, const std::string& staff,
                          const std::string& task_id, const std::string& reason) override;
  Result<v1::Task> complete(const std::string& pool, const std::string& staff,
                            const std::string& task_id, const std::string& outcome,
                            const std::string& note);
  // One round trip for the lot (DeskTasks::take_steps).
  Result<std::vector<Result<v1::Task>>> take_steps(const std::vector<StaffStep>& steps) override;

 private:
  int64_t requeue_score(const std::string& task_id);
  RedisClient::ScriptRun step_run(const StaffStep& step, int64_t now_ms) const;
  Result<v1::Task> one_step(StaffStep step);

  RedisClient& redis_;
  const Clock& clock_;
  const ReplicaWait acknowledged_;
};

}  // namespace lexroute
