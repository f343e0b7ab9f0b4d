#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "router/error.h"

namespace lexroute {

// Task ids read `<12 hex ms><-><16 hex random>@<pool>`: sortable by submit time, unguessable,
// and they carry the pool, which is the Redis hash tag every key of the task lives under.
std::string new_task_id(int64_t now_ms, std::string_view pool);

// The pool part of a task id, or nothing when `task_id` is not one of ours.
std::optional<std::string> pool_of_task(std::string_view task_id);

// Staff of `pool` step only on that pool's tasks, which the id tells before any store is asked:
// NOT_FOUND (field task_id) for an id that is not a task's, FAILED_PRECONDITION for another pool's.
Result<void> check_task_in_pool(const std::string& pool, const std::string& task_id);

}  // namespace lexroute
