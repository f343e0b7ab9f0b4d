#include "router/pool_settings.h"

#include "router/text.h"

namespace lexroute {
namespace {

// `value` within [low, high], or an error naming `field` and the range.
Result<int> in_range(int value, int low, int high, const char* field) {
  if (value < low || value > high) {
    return fail(Errc::kInvalidArgument, cat(field, " must be ", low, " to ", high), field);
  }
  return value;
}

}  // namespace

std::string_view strategy_name(BalanceStrategy strategy) {
  switch (strategy) {
    case BalanceStrategy::kLeastLoaded:
      return "least-loaded";
    case BalanceStrategy::kLongestIdle:
      return "longest-idle";
    case BalanceStrategy::kRoundRobin:
      return "round-robin";
  }
  return "least-loaded";
}

Result<BalanceStrategy> strategy_from_name(std::string_view name) {
  for (auto s : {BalanceStrategy::kLeastLoaded, BalanceStrategy::kLongestIdle,
                 BalanceStrategy::kRoundRobin}) {
    if (name == strategy_name(s)) return s;
  }
  return fail(Errc::kInvalidArgument,
              cat("unknown balance strategy ", bounded_quote(name),
                  "; known: least-loaded, longest-idle, round-robin"),
              "strategy");
}

v1::BalanceStrategy to_proto(BalanceStrategy strategy) {
  switch (strategy) {
    case BalanceStrategy::kLeastLoaded:
      return v1::BALANCE_STRATEGY_LEAST_LOADED;
    case BalanceStrategy::kLongestIdle:
      return v1::BALANCE_STRATEGY_LONGEST_IDLE;
    case BalanceStrategy::kRoundRobin:
      return v1::BALANCE_STRATEGY_ROUND_ROBIN;
  }
  return v1::BALANCE_STRATEGY_LEAST_LOADED;
}

Result<PoolSettingsChange> settings_change(const v1::ConfigurePoolRequest& request) {
  PoolSettingsChange change;
  switch (request.strategy()) {
    case v1::BALANCE_STRATEGY_UNSPECIFIED:
      break;
    case v1::BALANCE_STRATEGY_LEAST_LOADED:
      change.strategy = BalanceStrategy::kLeastLoaded;
      break;
    case v1::BALANCE_STRATEGY_LONGEST_IDLE:
      change.strategy = BalanceStrategy::kLongestIdle;
      break;
    case v1::BALANCE_STRATEGY_ROUND_ROBIN:
      change.strategy = BalanceStrategy::kRoundRobin;
      break;
    default:
      return fail(Errc::kInvalidArgument,
                  "strategy must be LEAST_LOADED, LONGEST_IDLE or ROUND_ROBIN", "strategy");
  }
  // 0 leaves a setting as it is (accepted_grace_seconds: unset does, since 0 is a real grace).
  if (request.offer_timeout_seconds() != 0) {
    auto v = in_range(request.offer_timeout_seconds(), 10, 86400, "offer_timeout_seconds");
    if (!v) return std::unexpected(v.error());
    change.offer_timeout_seconds = *v;
  }
  if (request.max_offer_attempts() != 0) {
    auto v = in_range(request.max_offer_attempts(), 1, 50, "max_offer_attempts");
    if (!v) return std::unexpected(v.error());
    change.max_offer_attempts = *v;
  }
  if (request.presence_timeout_seconds() != 0) {
    auto v = in_range(request.presence_timeout_seconds(), 10, 604800, "presence_timeout_seconds");
    if (!v) return std::unexpected(v.error());
    change.presence_timeout_seconds = *v;
  }
  if (request.has_accepted_grace_seconds()) {
    auto v =
        in_range(request.accepted_grace_seconds().value(), 0, 604800, "accepted_grace_seconds");
    if (!v) return std::unexpected(v.error());
    change.accepted_grace_seconds = *v;
  }
  return change;
}

}  // namespace lexroute
