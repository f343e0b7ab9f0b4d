#pragma once

#include "lexroute/v1/admin.pb.h"
#include "lexroute/v1/task.pb.h"
#include "router/error.h"
#include "router/staff.h"
#include "router/task_requirements.h"

namespace lexroute {

// The routing core's view of a roster entry: shifts parsed, names lower-cased. Errors name the
// field, e.g. "staff.shifts[1].start".
Result<StaffProfile> profile_from(const v1::Staff& staff);

// What a submitted task demands of whoever takes it.
TaskRequirements requirements_from(const v1::TaskSubmitted& task);

// "09:30" -> 570. "24:00" only when `allow_end_of_day`.
std::optional<int> parse_clock_minutes(std::string_view text, bool allow_end_of_day);

std::string lower(std::string_view text);

}  // namespace lexroute
