#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "router/clock.h"
#include "services/ports/routing_records.h"
#include "tests/fakes/fake_change_signals.h"
#include "tests/fakes/fake_roster_source.h"

namespace lexroute::testing {

// RoutingRecords in memory, answering as route_task.lua, expire_offer.lua and pass_deadline.lua
// do: a write stores its offset whatever its outcome, an offer reserves the staff member in
// `staff` (whose loads stand in for the load hash), and a reserve or a release is announced on
// the pool's wake channel of `signals`, when given, as the scripts publish it.
// Left out, as the router reads none of them: the history and audit events, the staff members'
// offer streams, and accepted work.
class FakeRoutingRecords : public RoutingRecords {
 public:
  FakeRoutingRecords(FakeRosterSource& staff, const Clock& clock,
                     FakeChangeSignals* signals = nullptr)
      : staff_(staff), clock_(clock), signals_(signals) {}

  Result<RouteOutcome> route(const RouteAttempt& attempt) override;
  Result<std::vector<RouteOutcome>> route_each(
      const std::vector<const RouteAttempt*>& attempts) override;
  Result<std::vector<std::string>> waiting(const std::string& pool, size_t limit) override;
  Result<std::vector<WaitingTask>> waiting_tasks(const std::string& pool,
                                                 const std::vector<std::string>& ids) override;
  Result<std::map<std::string, int64_t>> stored_offsets(const std::string& pool) override;
  Result<void> forget_offsets(const std::string& pool,
                              const std::vector<std::string>& fields) override;
  Result<size_t> expire_due_offers(const std::string& pool, size_t limit) override;
  Result<size_t> pass_deadlines(const std::string& pool, size_t limit) override;

  // A task as the store holds it.
  struct Task {
    v1::TaskSubmitted submitted;
    v1::TaskStatus status = v1::TASK_STATUS_QUEUED;
    std::string staff;   // while OFFERED or ACCEPTED
    std::string reason;  // of the last change: why it waits, is unroutable, moved
    v1::RoutingDecision decision;
    std::set<std::string> excluded_staff;
    int attempts = 0;  // offers made
    int64_t offer_expires_ms = 0;
    bool overdue = false;
  };
  std::optional<Task> task(const std::string& task_id);
  // Route writes answered so far, whatever the outcome.
  size_t writes();
  // The staff member finished `task_id`: COMPLETED, and their load goes down. Announces nothing,
  // so the test says when the router hears of it.
  void complete(const std::string& task_id);
  // The store restarted and lost its last writes: `field` of `pool` holds `offset` again, and
  // `task_ids` (with the loads their offers took) are gone.
  void lose_writes(const std::string& pool, const std::string& field, int64_t offset,
                   const std::vector<std::string>& task_ids);

 private:
  using Wake = std::pair<std::string, std::string>;  // pool, message
  RouteOutcome route_locked(const RouteAttempt& a, std::vector<Wake>& wakes);
  // Into the waiting set, ordered as the store orders it: `declined` offers raise it a level.
  void park(Task& t, std::string reason, int declined);
  void announce(const std::vector<Wake>& wakes);

  FakeRosterSource& staff_;
  const Clock& clock_;
  FakeChangeSignals* signals_;
  std::mutex mutex_;
  std::map<std::string, Task> tasks_;
  // pool -> task id -> waiting score; the lowest goes first.
  std::map<std::string, std::map<std::string, int64_t>> waiting_;
  std::map<std::string, std::map<std::string, int64_t>> offsets_;
  size_t writes_ = 0;
};

}  // namespace lexroute::testing
