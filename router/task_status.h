#pragma once

#include <string>
#include <string_view>

#include "lexroute/v1/task.pb.h"

namespace lexroute {

// A task's status as stored and shown: "QUEUED", "OFFERED", ... (the enum's name without its
// TASK_STATUS_ prefix).
std::string status_name(v1::TaskStatus status);
// TASK_STATUS_UNSPECIFIED for a name that is none of them.
v1::TaskStatus status_from_name(std::string_view name);

// Terminal: the task's life is over and nothing changes it again (COMPLETED, CANCELLED, EXPIRED,
// UNROUTABLE).
bool is_terminal(v1::TaskStatus status);
// Not yet accepted by anyone, so still the workforce's to place: QUEUED, WAITING, OFFERED.
bool is_unassigned(v1::TaskStatus status);

}  // namespace lexroute
