#pragma once

#include <map>
#include <string>
#include <vector>

#include "router/clock.h"
#include "router/error.h"
#include "services/redis/task_store.h"

namespace lexroute::testing {

// TaskStore::look_up over any number of tasks, a thousand per round trip; `whole`: with history.
Result<std::vector<TaskStore::TaskLook>> look_up_all(TaskStore& tasks,
                                                     const std::vector<std::string>& ids,
                                                     bool whole);

// How many of these tasks are in each status, by name ("COMPLETED" -> 9998, "(none)" -> 2 for ids
// Redis has no task for), read through the store a thousand at a time.
Result<std::map<std::string, int>> count_statuses(TaskStore& tasks,
                                                  const std::vector<std::string>& ids);

// count_statuses(...)["COMPLETED"]; -1 when Redis cannot be read.
int count_completed(TaskStore& tasks, const std::vector<std::string>& ids);

// A new task of firm acme in the default pool, offered to `staff` by the router's write through
// `tasks` (which must answer that it offered); its id.
std::string offer_new_task(TaskStore& tasks, const Clock& clock, const std::string& staff);

}  // namespace lexroute::testing
