#include "services/redis/script_replies.h"

#include <span>
#include <string_view>
#include <utility>

namespace lexroute {
namespace {

// A script and the words it answers with.
template <typename Reply>
struct ReplyTable {
  std::string_view script;
  std::span<const std::pair<std::string_view, Reply>> words;
};

constexpr std::pair<std::string_view, ClaimReply> kClaimWords[] = {
    {"NEW", ClaimReply::kNew},
    {"EXISTING", ClaimReply::kExisting},
};
constexpr ReplyTable<ClaimReply> table(ClaimReply) {
  return {"claim_idempotency_key", kClaimWords};
}

constexpr std::pair<std::string_view, RouteReply> kRouteWords[] = {
    {"OFFERED", RouteReply::kOffered}, {"STALE", RouteReply::kStale},
    {"WAITING", RouteReply::kWaiting}, {"UNROUTABLE", RouteReply::kUnroutable},
    {"SKIP", RouteReply::kSkipped},    {"REWOUND", RouteReply::kRewound},
};
constexpr ReplyTable<RouteReply> table(RouteReply) { return {"route_task", kRouteWords}; }

constexpr std::pair<std::string_view, StaffStepReply> kStaffStepWords[] = {
    {"OK", StaffStepReply::kOk},
    {"ALREADY", StaffStepReply::kAlready},
    {"NOT_FOUND", StaffStepReply::kNotFound},
    {"NOT_YOURS", StaffStepReply::kNotYours},
    {"NOT_OPEN", StaffStepReply::kNotOpen},
};
constexpr ReplyTable<StaffStepReply> table(StaffStepReply) {
  return {"accept_offer, complete_task or reject_offer", kStaffStepWords};
}

constexpr std::pair<std::string_view, CancelReply> kCancelWords[] = {
    {"OK", CancelReply::kOk},
    {"NOT_FOUND", CancelReply::kNotFound},
    {"TERMINAL", CancelReply::kTerminal},
    {"RETRY", CancelReply::kRetry},
};
constexpr ReplyTable<CancelReply> table(CancelReply) { return {"cancel_task", kCancelWords}; }

constexpr std::pair<std::string_view, ExpireOfferReply> kExpireOfferWords[] = {
    {"EXPIRED", ExpireOfferReply::kExpired},
    {"NOT_DUE", ExpireOfferReply::kNotDue},
    {"MOVED", ExpireOfferReply::kMoved},
};
constexpr ReplyTable<ExpireOfferReply> table(ExpireOfferReply) {
  return {"expire_offer", kExpireOfferWords};
}

constexpr std::pair<std::string_view, PassDeadlineReply> kPassDeadlineWords[] = {
    {"OVERDUE", PassDeadlineReply::kOverdue}, {"EXPIRED", PassDeadlineReply::kExpired},
    {"DONE", PassDeadlineReply::kDone},       {"NOT_DUE", PassDeadlineReply::kNotDue},
    {"RETRY", PassDeadlineReply::kRetry},
};
constexpr ReplyTable<PassDeadlineReply> table(PassDeadlineReply) {
  return {"pass_deadline", kPassDeadlineWords};
}

constexpr std::pair<std::string_view, TakeBackReply> kTakeBackWords[] = {
    {"OK", TakeBackReply::kOk},
    {"MOVED", TakeBackReply::kMoved},
    {"BACK", TakeBackReply::kBack},
};
constexpr ReplyTable<TakeBackReply> table(TakeBackReply) {
  return {"take_back_work", kTakeBackWords};
}

constexpr std::pair<std::string_view, CallInReply> kCallInWords[] = {
    {"OK", CallInReply::kOk},
    {"MOVED", CallInReply::kMoved},
};
constexpr ReplyTable<CallInReply> table(CallInReply) { return {"call_in", kCallInWords}; }

constexpr std::pair<std::string_view, LapsePresenceReply> kLapsePresenceWords[] = {
    {"OFFLINE", LapsePresenceReply::kOffline},
    {"BACK", LapsePresenceReply::kBack},
};
constexpr ReplyTable<LapsePresenceReply> table(LapsePresenceReply) {
  return {"lapse_presence", kLapsePresenceWords};
}

}  // namespace

std::string reply_word(const RedisReply& reply, size_t i) {
  return reply.elements.size() > i ? reply.elements[i].str : std::string();
}

template <typename Reply>
Result<Reply> parse_reply(const RedisReply& reply) {
  const std::string word = reply_word(reply, 0);
  constexpr ReplyTable<Reply> replies = table(Reply{});
  for (const auto& [name, value] : replies.words) {
    if (word == name) return value;
  }
  return fail(Errc::kInternal, std::string(replies.script) + " answered '" + word + "'");
}

template Result<ClaimReply> parse_reply(const RedisReply&);
template Result<RouteReply> parse_reply(const RedisReply&);
template Result<StaffStepReply> parse_reply(const RedisReply&);
template Result<CancelReply> parse_reply(const RedisReply&);
template Result<ExpireOfferReply> parse_reply(const RedisReply&);
template Result<PassDeadlineReply> parse_reply(const RedisReply&);
template Result<TakeBackReply> parse_reply(const RedisReply&);
template Result<CallInReply> parse_reply(const RedisReply&);
template Result<LapsePresenceReply> parse_reply(const RedisReply&);

}  // namespace lexroute
