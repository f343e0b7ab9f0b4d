#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "lexroute/v1/task.pb.h"
#include "router/error.h"
#include "router/staff.h"
#include "services/redis/redis_client.h"
#include "services/redis/script_replies.h"

// One typed call per Lua script in scripts/: what the script is given, by name. Which KEYS[i]
// and ARGV[i] each name becomes is written once, in script_calls.cpp, in the order of the
// script's comment header (script_calls_test.cpp holds the counts to the headers). The keys
// follow from the pool and the ids, so a store only says which task, whom and when.
// `Reply` is what the script's first reply word parses to (script_replies.h), where it has one.
namespace lexroute::script_calls {

// claim_idempotency_key.lua
struct ClaimIdempotencyKey {
  using Reply = ClaimReply;
  std::string firm, key;
  std::string task_id;      // bound to the key when it is new
  std::string fingerprint;  // of the request
  std::string record;       // the request's TaskSubmitted, serialized
  int64_t ttl_seconds = 0;
};

// record_queued.lua: 1 when it created the record.
struct RecordQueued {
  std::string pool, task_id, firm;
  std::string spec;  // serialized v1::TaskSpec
  int64_t submitted_ms = 0;
  int priority = 0;
  int64_t deadline_ms = 0;
  bool expire_at_deadline = false;
};

// route_task.lua
struct RouteTask {
  using Reply = RouteReply;
  std::string pool, task_id, firm;
  std::string spec;  // serialized v1::TaskSpec
  int64_t submitted_ms = 0;
  int priority = 0;
  int64_t now_ms = 0;
  std::string candidate;  // empty to park the task
  // Without a candidate: WAITING, or UNROUTABLE (terminal).
  v1::TaskStatus parked_as = v1::TASK_STATUS_WAITING;
  std::string reason;         // why it is parked
  int64_t waiting_score = 0;  // router/waiting_order.h
  std::string offset_field;   // "<topic>/<partition>"; empty when not from Kafka
  int64_t next_offset = 0;
  std::optional<int64_t> last_stored_offset;  // by this router, for the offset field
  std::string decision;                       // serialized v1::RoutingDecision
  int64_t offer_expires_ms = 0;
  int64_t deadline_ms = 0;
  bool expire_at_deadline = false;
};

// accept_offer.lua
struct AcceptOffer {
  using Reply = StaffStepReply;
  std::string pool, task_id, staff;
  int64_t now_ms = 0;
};

// complete_task.lua
struct CompleteTask {
  using Reply = StaffStepReply;
  std::string pool, task_id, staff;
  int64_t now_ms = 0;
  std::string outcome, note;
};

// reject_offer.lua
struct RejectOffer {
  using Reply = StaffStepReply;
  std::string pool, task_id, staff;
  int64_t now_ms = 0;
  std::string reason;
  int64_t waiting_score = 0;  // where the task waits again
};

// cancel_task.lua. The holder is as the caller read it (empty for none); RETRY when it moved.
struct CancelTask {
  using Reply = CancelReply;
  std::string pool, task_id, firm;
  int64_t now_ms = 0;
  std::string reason;
  std::string holder;
};

// expire_offer.lua. The holder is as the caller read it; MOVED when it moved.
struct ExpireOffer {
  using Reply = ExpireOfferReply;
  std::string pool, task_id, holder;
  int64_t now_ms = 0;
  int64_t waiting_score = 0;  // where the task waits again
};

// pass_deadline.lua. The holder is as the caller read it (empty for none); RETRY when it moved.
struct PassDeadline {
  using Reply = PassDeadlineReply;
  std::string pool, task_id, holder;
  int64_t now_ms = 0;
};

// take_back_work.lua
struct TakeBackWork {
  using Reply = TakeBackReply;
  std::string pool, task_id, holder;
  int64_t now_ms = 0;
  std::string reason;
  int64_t waiting_score = 0;                          // where the task waits again
  v1::TaskStatus expected = v1::TASK_STATUS_OFFERED;  // OFFERED or ACCEPTED
  // BACK instead when the holder was heard from since (not lapsed before it any more).
  std::optional<int64_t> lapsed_cutoff_ms;
};

// heartbeat.lua: {availability as stored, the pool's presence timeout in seconds}.
struct Heartbeat {
  std::string pool, staff;
  int64_t now_ms = 0;
};

// set_availability.lua
struct SetAvailability {
  std::string pool, staff;
  Availability availability = Availability::kOffline;
  int64_t now_ms = 0;
};

// lapse_presence.lua
struct LapsePresence {
  using Reply = LapsePresenceReply;
  std::string pool, staff;
  int64_t cutoff_ms = 0;  // silent since before it: offline
};

// call_in.lua: a bench member moves between BENCH and CALLED_IN.
struct CallIn {
  using Reply = CallInReply;
  std::string pool, staff;
  std::string from, to;  // BENCH or CALLED_IN
  std::string event;     // the staff event: CALLED_IN or RELEASED
  std::string vendor, reason;
  int64_t now_ms = 0;
};

// renew_lease.lua (the scaler's): 1 while `holder` holds it.
struct RenewLease {
  std::string holder;
  std::chrono::milliseconds ttl{0};
};

// Each call as a script run, its KEYS and ARGV in the script's order. By value: the strings move
// into the run.
RedisClient::ScriptRun script_run(ClaimIdempotencyKey call);
RedisClient::ScriptRun script_run(RecordQueued call);
RedisClient::ScriptRun script_run(RouteTask call);
RedisClient::ScriptRun script_run(AcceptOffer call);
RedisClient::ScriptRun script_run(CompleteTask call);
RedisClient::ScriptRun script_run(RejectOffer call);
RedisClient::ScriptRun script_run(CancelTask call);
RedisClient::ScriptRun script_run(ExpireOffer call);
RedisClient::ScriptRun script_run(PassDeadline call);
RedisClient::ScriptRun script_run(TakeBackWork call);
RedisClient::ScriptRun script_run(Heartbeat call);
RedisClient::ScriptRun script_run(SetAvailability call);
RedisClient::ScriptRun script_run(LapsePresence call);
RedisClient::ScriptRun script_run(CallIn call);
RedisClient::ScriptRun script_run(RenewLease call);

// One call on its own, in one round trip.
template <typename Call>
Result<RedisReply> eval(RedisClient& redis, Call call, const ReplicaWait& wait = {}) {
  RedisClient::ScriptRun run = script_run(std::move(call));
  return redis.eval(*run.script, run.keys, run.args, wait);
}

}  // namespace lexroute::script_calls
