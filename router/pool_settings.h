#pragma once

#include <optional>
#include <string_view>

#include "lexroute/v1/admin.pb.h"
#include "router/error.h"
#include "router/scoring.h"

namespace lexroute {

// A pool's routing settings (docs/pools.md), with the defaults a pool nobody configured has.
struct PoolSettings {
  BalanceStrategy strategy = BalanceStrategy::kLeastLoaded;
  int offer_timeout_seconds = 120;
  int max_offer_attempts = 5;
  // Silence after which a staff member goes offline; their open offers move at once.
  int presence_timeout_seconds = 60;
  // How much longer accepted work stays with someone who went silent.
  int accepted_grace_seconds = 900;
};

// "least-loaded", "longest-idle", "round-robin": how a strategy is stored.
std::string_view strategy_name(BalanceStrategy strategy);
// An unknown name is an error naming it, never a silent fallback.
Result<BalanceStrategy> strategy_from_name(std::string_view name);
v1::BalanceStrategy to_proto(BalanceStrategy strategy);

// What a ConfigurePool request changes: only the settings it sets, each checked against its
// documented range. Nothing is set when any is out of range.
struct PoolSettingsChange {
  std::optional<BalanceStrategy> strategy;
  std::optional<int> offer_timeout_seconds;
  std::optional<int> max_offer_attempts;
  std::optional<int> presence_timeout_seconds;
  std::optional<int> accepted_grace_seconds;
};
Result<PoolSettingsChange> settings_change(const v1::ConfigurePoolRequest& request);

}  // namespace lexroute
