#include "tests/support/task_statuses.h"

#include <algorithm>
#include <iterator>

#include "router/task_status.h"

namespace lexroute::testing {

Result<std::vector<TaskStore::TaskLook>> look_up_all(TaskStore& tasks,
                                                     const std::vector<std::string>& ids,
                                                     bool whole) {
  constexpr size_t kBatch = 1000;
  std::vector<TaskStore::TaskLook> out;
  for (size_t from = 0; from < ids.size(); from += kBatch) {
    std::vector<std::string> batch(
        ids.begin() + static_cast<std::ptrdiff_t>(from),
        ids.begin() + static_cast<std::ptrdiff_t>(std::min(ids.size(), from + kBatch)));
    auto looks = tasks.look_up(batch, std::vector<bool>(batch.size(), whole));
    if (!looks) return std::unexpected(looks.error());
    std::move(looks->begin(), looks->end(), std::back_inserter(out));
  }
  return out;
}

Result<std::map<std::string, int>> count_statuses(TaskStore& tasks,
                                                  const std::vector<std::string>& ids) {
  auto looks = look_up_all(tasks, ids, false);
  if (!looks) return std::unexpected(looks.error());
  std::map<std::string, int> out;
  for (const auto& look : *looks) ++out[look.task ? status_name(look.task->status()) : "(none)"];
  return out;
}

int count_completed(TaskStore& tasks, const std::vector<std::string>& ids) {
  auto counts = count_statuses(tasks, ids);
  return counts ? (*counts)["COMPLETED"] : -1;
}

}  // namespace lexroute::testing
