#pragma once

#include <cstdint>

namespace lexroute {

// The order of a pool's waiting set, lowest first: older work first, each priority level worth
// ten minutes of waiting (so urgent work overtakes, and old work is never starved), and each
// offer that was declined or timed out raising the task one more level (escalation,
// docs/routing.md).
inline int64_t waiting_score(int64_t submitted_ms, int priority, int declined_offers = 0) {
  constexpr int64_t kLevelMs = 10 * 60 * 1000;
  return submitted_ms - static_cast<int64_t>(priority + declined_offers) * kLevelMs;
}

}  // namespace lexroute
