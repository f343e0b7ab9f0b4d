#pragma once

#include <string_view>

namespace lexroute::topics {

inline constexpr std::string_view kTasks = "lexroute.tasks.v1";
inline constexpr std::string_view kTaskEvents = "lexroute.task-events.v1";
inline constexpr std::string_view kStaffEvents = "lexroute.staff-events.v1";

}  // namespace lexroute::topics
