#pragma once

#include <absl/time/time.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "router/schedule.h"

namespace lexroute {

// The scaler's formula (docs/pools.md): how many staff a pool needs to finish its backlog before
// its deadlines, given when each of them works, and whom to call in or release now. Pure: the
// scaler service reads the inputs from Redis and applies the plan.

struct BacklogItem {
  absl::Time deadline;
  int effort_minutes = 0;
};

struct ScalingWorker {
  std::string staff_id;
  std::optional<Schedule> schedule;  // none: works whenever signed in
  bool called_in = false;            // active only: came from the bench, so can be released
};

struct ScalingInput {
  absl::Time now;
  std::vector<BacklogItem> backlog;   // unfinished work of the pool
  std::vector<ScalingWorker> active;  // regular members and called-in staff
  std::vector<ScalingWorker> bench;   // on the bench, not called in
  int min_active = 0;
  int max_active = 1000;
  std::optional<absl::Time> surge_start;  // none: no window
  std::optional<absl::Time> surge_end;
  std::optional<absl::Time> last_call_in;  // of this pool, for the release cooldown
};

struct ScalingSettings {
  // Share of working time that turns into finished work (breaks, reading instructions).
  double utilization = 0.85;
  // Release someone only if the rest could still do this much more work than the backlog needs:
  // the gap between the call-in and release thresholds is the hysteresis.
  double release_headroom = 0.5;
  // And not until this long after the last call-in.
  absl::Duration release_cooldown = absl::Minutes(30);
  // Deadlines are bucketed to at most this many checkpoints, so a plan stays cheap.
  size_t max_checkpoints = 64;
  // Overdue work is planned as due this soon.
  absl::Duration overdue_horizon = absl::Hours(1);
};

struct ScalingPlan {
  int active = 0;   // before the plan
  int desired = 0;  // staff the backlog needs, within min and max
  int bench_on_shift = 0;
  std::vector<std::string> call_in;  // bench staff in working hours now
  std::vector<std::string> release;  // called-in staff no longer needed
  int64_t backlog_minutes = 0;
  std::optional<absl::Time> earliest_deadline;
  bool deadline_at_risk = false;  // even everyone allowed cannot finish in time
  std::string reason;
};

ScalingPlan plan_scaling(const ScalingInput& input, const ScalingSettings& settings = {});

// Minutes of working time in [from, to) for a schedule (all of it without one).
double working_minutes(const std::optional<Schedule>& schedule, absl::Time from, absl::Time to);

}  // namespace lexroute
