#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lexroute {

// Task ids read `<12 hex ms><-><16 hex random>@<pool>`: sortable by submit time, unguessable,
// and they carry the pool, which is the Redis hash tag every key of the task lives under.
std::string new_task_id(int64_t now_ms, std::string_view pool);

// The pool part of a task id, or nothing when `task_id` is not one of ours.
std::optional<std::string> pool_of_task(std::string_view task_id);

}  // namespace lexroute
