#pragma once

#include <string>

#include "router/error.h"
#include "services/ports/routing_records.h"
#include "services/redis/redis_client.h"

// What each Lua script in scripts/ answers: the first word of its reply, as an enum. The words
// themselves are matched in one place, script_replies.cpp; a word it does not know is an
// Errc::kInternal failure (the script and this file disagree).
namespace lexroute {

// claim_idempotency_key.lua: {NEW} | {EXISTING, task, fingerprint, record}
enum class ClaimReply { kNew, kExisting };
// route_task.lua: {OFFERED, staff} | {STALE, status} | {WAITING, reason} |
// {UNROUTABLE, reason} | {SKIP, status} | {REWOUND, stored offset}; the router's port names them.
using RouteReply = RoutingRecords::RouteOutcome;
// accept_offer.lua, complete_task.lua, reject_offer.lua: {OK, status} | {ALREADY, status} |
// {NOT_FOUND} | {NOT_YOURS, status} | {NOT_OPEN, status}. ALREADY: this staff member took this
// step before (a retry); nothing changed, and the answer is the first one's.
enum class StaffStepReply { kOk, kAlready, kNotFound, kNotYours, kNotOpen };
// cancel_task.lua: {OK, status} | {NOT_FOUND} | {TERMINAL, status} | {RETRY, holder}
enum class CancelReply { kOk, kNotFound, kTerminal, kRetry };
// expire_offer.lua: {EXPIRED} | {NOT_DUE} | {MOVED}
enum class ExpireOfferReply { kExpired, kNotDue, kMoved };
// pass_deadline.lua: {OVERDUE, status} | {EXPIRED, status} | {DONE} | {NOT_DUE} |
// {RETRY, holder}
enum class PassDeadlineReply { kOverdue, kExpired, kDone, kNotDue, kRetry };
// take_back_work.lua: {OK} | {MOVED} | {BACK}
enum class TakeBackReply { kOk, kMoved, kBack };
// call_in.lua: {OK} | {MOVED}
enum class CallInReply { kOk, kMoved };
// lapse_presence.lua: {OFFLINE, availability before, open offers} | {BACK}
enum class LapsePresenceReply { kOffline, kBack };

// The reply's first word as `Reply`.
template <typename Reply>
Result<Reply> parse_reply(const RedisReply& reply);
// The reply's word at `i` (a status, a holder, ...); empty when there is none.
std::string reply_word(const RedisReply& reply, size_t i);

}  // namespace lexroute
