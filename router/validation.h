#pragma once

#include <chrono>
#include <string_view>

#include "lexroute/v1/admin.pb.h"
#include "lexroute/v1/task.pb.h"
#include "router/error.h"

namespace lexroute {

inline constexpr std::string_view kDefaultPool = "default";
inline constexpr int kMaxEffortMinutes = 7 * 24 * 60;

// Checks a submitted task and fills defaults (the pool). On error nothing is changed and the
// error's `field` names the offending field, e.g. "spec.required_skills[1].min_proficiency".
Result<void> validate_task_spec(v1::TaskSpec& spec, std::chrono::system_clock::time_point now);

Result<void> validate_idempotency_key(std::string_view key);

// Checks a roster entry and fills defaults (the pool).
Result<void> validate_staff(v1::Staff& staff);

// Ids chosen by people (firms, pools, staff): letters, digits, '-', '_' and '.', 1 to 64 long.
bool is_valid_name(std::string_view name);

}  // namespace lexroute
