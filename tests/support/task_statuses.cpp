#include "tests/support/task_statuses.h"

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>

#include "router/task_status.h"
#include "services/common/task_id.h"

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

std::string offer_new_task(TaskStore& tasks, const Clock& clock, const std::string& staff) {
  v1::TaskSubmitted t;
  t.set_task_id(new_task_id(clock.now_ms(), "default"));
  t.set_firm_id("acme");
  t.mutable_spec()->set_pool("default");
  t.mutable_spec()->set_matter_id("m-1");
  *t.mutable_submitted_at() =
      google::protobuf::util::TimeUtil::MillisecondsToTimestamp(clock.now_ms());
  TaskStore::RouteAttempt a;
  a.task = &t;
  a.staff_id = staff;
  auto routed = tasks.route(a);
  EXPECT_EQ(routed.value_or(TaskStore::RouteOutcome::kSkipped), TaskStore::RouteOutcome::kOffered);
  return t.task_id();
}

}  // namespace lexroute::testing
