#pragma once

#include <absl/time/time.h>

#include <optional>
#include <string>

#include "router/staff_directory.h"
#include "router/task_requirements.h"

namespace lexroute {

// How close to its deadline a task may start before its SLA counts as at risk: the room a
// reviewer needs beyond the effort itself. The router (when it parks a task) and the pool gauges
// (for every open task) use this one rule.
inline constexpr absl::Duration kSlaMargin = absl::Minutes(30);

// At risk when work starting at `start` and taking `effort` (plus the margin) ends after
// `deadline`.
bool sla_at_risk(absl::Time start, absl::Duration effort, absl::Time deadline);

// Where a task goes when no candidate is left to offer it to, and why (docs/routing.md).
struct Parking {
  enum class Status { kWaiting, kUnroutable };
  Status status = Status::kWaiting;
  std::string reason;  // shown to the firm (ExplainTask, history)
  // kUnroutable: what made it so, a bounded metric label (a constraint or max_offer_attempts).
  std::string because;
  bool sla_at_risk = false;
  std::optional<absl::Time>
      expected_start;  // kWaiting: when a qualified staff member's shift starts
};

struct ParkingInput {
  const Decision& decision;
  const TaskRequirements& task;
  absl::Time now;
  int attempts = 0;            // offers made before and declined or timed out
  int max_offer_attempts = 0;  // the pool's
};

// WAITING while someone qualified exists (with the earliest shift start and the SLA outlook),
// UNROUTABLE when nobody in the pool could ever take it or every allowed offer was spent.
Parking park(const ParkingInput& in);

// Whether escalation has run its course: after the pool's limit of offers no one else is tried
// (hard constraints are never relaxed).
inline bool offers_exhausted(int attempts, int max_offer_attempts) {
  return attempts >= max_offer_attempts;
}

}  // namespace lexroute
