#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "lexroute/v1/task.pb.h"
#include "router/error.h"

namespace lexroute {

// The task records as the router writes them: each routing decision stored in one atomic write
// together with the consumed offset it came from, the waiting work it offers again, and the
// offers and deadlines the clock moves along.
// The real one is TaskStore (Redis, route_task.lua); tests/fakes/fake_routing_records.h is in
// memory.
class RoutingRecords {
 public:
  virtual ~RoutingRecords() = default;

  // What a routing write did (route_task.lua's reply).
  // kStale: the candidate had no room after all; the task waits until the next candidate's write.
  // kSkipped: the task was past routing already (a replay); only the offset was stored.
  // kRewound: the stored offset is older than `last_stored_offset`, so the store lost writes;
  // nothing was written.
  enum class RouteOutcome { kOffered, kStale, kWaiting, kUnroutable, kSkipped, kRewound };
  struct RouteAttempt {
    const v1::TaskSubmitted* task = nullptr;
    std::string staff_id;      // the candidate; empty to park the task
    bool unroutable = false;   // with no candidate: terminal instead of WAITING
    std::string reason;        // why it waits or is unroutable
    std::string offset_field;  // "<topic>/<partition>" when the task came from Kafka
    int64_t next_offset = 0;
    std::optional<int64_t> last_stored_offset;  // what this router last stored for the field
    std::string decision;          // serialized v1::RoutingDecision, kept for ExplainTask
    int64_t offer_expires_ms = 0;  // when an offer made now times out
  };
  virtual Result<RouteOutcome> route(const RouteAttempt& attempt) = 0;
  // Many attempts in one round trip, one outcome each, in order. Each is atomic on its own and
  // leaves its task somewhere durable (offered, waiting, unroutable) with its offset stored, so
  // a crash anywhere in between loses nothing; capacity is checked by the store.
  virtual Result<std::vector<RouteOutcome>> route_each(
      const std::vector<const RouteAttempt*>& attempts) = 0;

  // Waiting tasks of a pool, the longest-waiting (after priority) first.
  virtual Result<std::vector<std::string>> waiting(const std::string& pool, size_t limit) = 0;
  // What routing a waiting task again needs, for many at once; tasks gone meanwhile are left
  // out.
  struct WaitingTask {
    v1::TaskSubmitted task;
    std::unordered_set<std::string> excluded_staff;  // declined it or let an offer time out
    int attempts = 0;                                // offers made so far
  };
  virtual Result<std::vector<WaitingTask>> waiting_tasks(const std::string& pool,
                                                         const std::vector<std::string>& ids) = 0;

  // Next offset to consume per offset field ("<cluster>/<topic>/<partition>"), as stored by
  // route().
  virtual Result<std::map<std::string, int64_t>> stored_offsets(const std::string& pool) = 0;
  // Drops stored offsets that no longer mean anything (another Kafka cluster's).
  virtual Result<void> forget_offsets(const std::string& pool,
                                      const std::vector<std::string>& fields) = 0;

  // Sends offers that were not answered in time back to routing; returns how many.
  virtual Result<size_t> expire_due_offers(const std::string& pool, size_t limit) = 0;
  // Marks tasks past their deadline overdue, or EXPIRED when they asked; returns how many.
  virtual Result<size_t> pass_deadlines(const std::string& pool, size_t limit) = 0;
};

}  // namespace lexroute
