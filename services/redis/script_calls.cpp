#include "services/redis/script_calls.h"

#include <utility>

#include "router/task_status.h"
#include "services/redis/keys.h"
#include "services/redis/scripts.h"
#include "services/redis/staff_store.h"

// Each run lists KEYS and ARGV one per line, in the order of the script's comment header, so the
// two read side by side.
namespace lexroute::script_calls {
namespace {

std::string flag(bool on) { return on ? "1" : "0"; }

}  // namespace

RedisClient::ScriptRun script_run(ClaimIdempotencyKey c) {
  return {&scripts::claim_idempotency_key(),
          {keys::idempotency(c.firm, c.key)},
          {std::move(c.task_id), std::move(c.fingerprint), std::move(c.record),
           std::to_string(c.ttl_seconds)},
          {}};
}

RedisClient::ScriptRun script_run(RecordQueued c) {
  const std::string& pool = c.pool;
  return {&scripts::record_queued(),
          {
              keys::task(pool, c.task_id),
              keys::task_history(pool, c.task_id),
              keys::task_events(pool),
              keys::deadlines(pool),
          },
          {
              std::move(c.firm),
              std::move(c.spec),
              std::to_string(c.submitted_ms),
              std::to_string(c.priority),
              c.task_id,
              std::to_string(c.deadline_ms),
              flag(c.expire_at_deadline),
          },
          {}};
}

RedisClient::ScriptRun script_run(RouteTask c) {
  const std::string& pool = c.pool;
  return {&scripts::route_task(),
          {
              keys::task(pool, c.task_id),
              keys::task_history(pool, c.task_id),
              keys::waiting(pool),
              keys::offsets(pool),
              keys::availability(pool),
              keys::capacity(pool),
              keys::load(pool),
              keys::offers(pool, c.candidate),
              keys::task_excluded(pool, c.task_id),
              keys::offer_expiry(pool),
              keys::task_events(pool),
              keys::deadlines(pool),
              keys::bench(pool),
          },
          {
              c.task_id,
              std::move(c.firm),
              std::move(c.spec),
              std::to_string(c.submitted_ms),
              std::to_string(c.priority),
              std::to_string(c.now_ms),
              c.candidate,
              std::move(c.offset_field),
              std::to_string(c.next_offset),
              status_name(c.parked_as),
              std::move(c.reason),
              keys::staff_channel(pool, c.candidate),
              std::to_string(c.waiting_score),
              std::move(c.decision),
              keys::wake_channel(pool),
              std::to_string(c.offer_expires_ms),
              std::to_string(c.deadline_ms),
              flag(c.expire_at_deadline),
              c.last_stored_offset ? std::to_string(*c.last_stored_offset) : std::string(),
          },
          {}};
}

RedisClient::ScriptRun script_run(AcceptOffer c) {
  const std::string& pool = c.pool;
  return {&scripts::accept_offer(),
          {
              keys::task(pool, c.task_id),
              keys::task_history(pool, c.task_id),
              keys::offers(pool, c.staff),
              keys::accepted(pool, c.staff),
              keys::offer_expiry(pool),
              keys::task_events(pool),
          },
          {
              c.task_id,
              c.staff,
              std::to_string(c.now_ms),
          },
          {}};
}

RedisClient::ScriptRun script_run(CompleteTask c) {
  const std::string& pool = c.pool;
  return {&scripts::complete_task(),
          {
              keys::task(pool, c.task_id),
              keys::task_history(pool, c.task_id),
              keys::accepted(pool, c.staff),
              keys::load(pool),
              keys::task_events(pool),
              keys::completed(pool),
              keys::done(pool, c.staff),
          },
          {
              c.task_id,
              c.staff,
              std::to_string(c.now_ms),
              std::move(c.outcome),
              std::move(c.note),
              keys::wake_channel(pool),
              keys::staff_channel(pool, c.staff),
              std::to_string(keys::kRecentDoneKeptMs),
          },
          {}};
}

RedisClient::ScriptRun script_run(RejectOffer c) {
  const std::string& pool = c.pool;
  return {&scripts::reject_offer(),
          {
              keys::task(pool, c.task_id),
              keys::task_history(pool, c.task_id),
              keys::offers(pool, c.staff),
              keys::load(pool),
              keys::waiting(pool),
              keys::task_excluded(pool, c.task_id),
              keys::offer_expiry(pool),
              keys::task_events(pool),
          },
          {
              c.task_id,
              c.staff,
              std::to_string(c.now_ms),
              std::move(c.reason),
              keys::wake_channel(pool),
              std::to_string(c.waiting_score),
          },
          {}};
}

RedisClient::ScriptRun script_run(CancelTask c) {
  const std::string& pool = c.pool;
  return {&scripts::cancel_task(),
          {
              keys::task(pool, c.task_id),
              keys::task_history(pool, c.task_id),
              keys::waiting(pool),
              keys::load(pool),
              keys::offers(pool, c.holder),
              keys::accepted(pool, c.holder),
              keys::offer_expiry(pool),
              keys::task_events(pool),
          },
          {
              c.task_id,
              std::move(c.firm),
              std::to_string(c.now_ms),
              std::move(c.reason),
              c.holder,
              keys::staff_channel(pool, c.holder),
              keys::wake_channel(pool),
          },
          {}};
}

RedisClient::ScriptRun script_run(ExpireOffer c) {
  const std::string& pool = c.pool;
  return {&scripts::expire_offer(),
          {
              keys::task(pool, c.task_id),
              keys::task_history(pool, c.task_id),
              keys::offers(pool, c.holder),
              keys::load(pool),
              keys::waiting(pool),
              keys::task_excluded(pool, c.task_id),
              keys::offer_expiry(pool),
              keys::task_events(pool),
          },
          {
              c.task_id,
              c.holder,
              std::to_string(c.now_ms),
              keys::wake_channel(pool),
              std::to_string(c.waiting_score),
              keys::staff_channel(pool, c.holder),
          },
          {}};
}

RedisClient::ScriptRun script_run(PassDeadline c) {
  const std::string& pool = c.pool;
  return {&scripts::pass_deadline(),
          {
              keys::task(pool, c.task_id),
              keys::task_history(pool, c.task_id),
              keys::waiting(pool),
              keys::load(pool),
              keys::offers(pool, c.holder),
              keys::accepted(pool, c.holder),
              keys::offer_expiry(pool),
              keys::task_events(pool),
              keys::deadlines(pool),
          },
          {
              c.task_id,
              std::to_string(c.now_ms),
              c.holder,
              keys::staff_channel(pool, c.holder),
              keys::wake_channel(pool),
          },
          {}};
}

RedisClient::ScriptRun script_run(TakeBackWork c) {
  const std::string& pool = c.pool;
  return {&scripts::take_back_work(),
          {
              keys::task(pool, c.task_id),
              keys::task_history(pool, c.task_id),
              keys::waiting(pool),
              keys::load(pool),
              keys::offers(pool, c.holder),
              keys::accepted(pool, c.holder),
              keys::offer_expiry(pool),
              keys::task_events(pool),
              keys::lapsed(pool),
          },
          {
              c.task_id,
              c.holder,
              std::to_string(c.now_ms),
              std::move(c.reason),
              keys::staff_channel(pool, c.holder),
              keys::wake_channel(pool),
              std::to_string(c.waiting_score),
              status_name(c.expected),
              c.lapsed_cutoff_ms ? std::to_string(*c.lapsed_cutoff_ms) : std::string(),
          },
          {}};
}

RedisClient::ScriptRun script_run(Heartbeat c) {
  const std::string& pool = c.pool;
  return {&scripts::heartbeat(),
          {
              keys::presence(pool),
              keys::lapsed(pool),
              keys::availability(pool),
              keys::accepted(pool, c.staff),
              keys::pool_settings(pool),
          },
          {
              c.staff,
              std::to_string(c.now_ms),
          },
          {}};
}

RedisClient::ScriptRun script_run(SetAvailability c) {
  const std::string& pool = c.pool;
  return {&scripts::set_availability(),
          {
              keys::availability(pool),
              keys::presence(pool),
              keys::lapsed(pool),
              keys::accepted(pool, c.staff),
              keys::scaling_state(pool),
          },
          {
              c.staff,
              availability_name(c.availability),
              std::to_string(c.now_ms),
              keys::wake_channel(pool),
          },
          {}};
}

RedisClient::ScriptRun script_run(LapsePresence c) {
  const std::string& pool = c.pool;
  return {&scripts::lapse_presence(),
          {
              keys::presence(pool),
              keys::lapsed(pool),
              keys::availability(pool),
              keys::accepted(pool, c.staff),
              keys::offers(pool, c.staff),
          },
          {
              c.staff,
              std::to_string(c.cutoff_ms),
              keys::wake_channel(pool),
          },
          {}};
}

RedisClient::ScriptRun script_run(CallIn c) {
  const std::string& pool = c.pool;
  return {&scripts::call_in(),
          {
              keys::bench(pool),
              keys::staff_events(pool),
              keys::scaling_state(pool),
          },
          {
              c.staff,
              std::move(c.from),
              std::move(c.to),
              std::move(c.event),
              std::move(c.vendor),
              std::move(c.reason),
              std::to_string(c.now_ms),
              keys::wake_channel(pool),
          },
          {}};
}

RedisClient::ScriptRun script_run(RenewLease c) {
  return {&scripts::renew_lease(),
          {keys::scaler_lease()},
          {std::move(c.holder), std::to_string(c.ttl.count())},
          {}};
}

}  // namespace lexroute::script_calls
