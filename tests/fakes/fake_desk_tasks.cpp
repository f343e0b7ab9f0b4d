#include "tests/fakes/fake_desk_tasks.h"

#include <google/protobuf/util/time_util.h>

#include "router/task_status.h"
#include "services/common/task_id.h"

namespace lexroute::testing {
namespace {

using google::protobuf::util::TimeUtil;

// As complete_task.lua trims a staff member's recent completions.
constexpr int64_t kRecentDoneKeptMs = 36LL * 3600 * 1000;

Result<void> unavailable() { return fail(Errc::kUnavailable, "the task store is away"); }

// The errors TaskStore makes of the scripts' NOT_FOUND, NOT_YOURS and NOT_OPEN.
std::unexpected<Error> not_found(const std::string& task_id) {
  return fail(Errc::kNotFound, "no task " + task_id, "task_id");
}
std::unexpected<Error> not_yours(const std::string& task_id, const std::string& staff) {
  return fail(Errc::kFailedPrecondition, "task " + task_id + " is not offered to " + staff);
}
std::unexpected<Error> not_open(const v1::Task& task) {
  return fail(Errc::kFailedPrecondition,
              "task " + task.id() + " is " + status_name(task.status()) + ", not open for this");
}

}  // namespace

void FakeDeskTasks::recorded(Record& r, v1::TaskStatus status, int64_t at_ms,
                             const std::string& actor, const std::string& reason) {
  r.task.set_status(status);
  v1::TaskTransition* step = r.task.add_history();
  step->set_status(status);
  *step->mutable_at() = TimeUtil::MillisecondsToTimestamp(at_ms);
  step->set_actor(actor);
  step->set_reason(reason);
}

Result<v1::Task> FakeDeskTasks::step(const StaffStep& s, int64_t now_ms) {
  if (auto ok = check_task_in_pool(s.pool, s.task_id); !ok) return std::unexpected(ok.error());
  auto it = tasks_.find(s.task_id);
  if (it == tasks_.end()) return not_found(s.task_id);
  Record& r = it->second;
  if (r.task.staff_id() != s.staff) return not_yours(s.task_id, s.staff);
  const bool accept = s.kind == StaffStep::Kind::kAccept;
  const v1::TaskStatus done = accept ? v1::TASK_STATUS_ACCEPTED : v1::TASK_STATUS_COMPLETED;
  const v1::TaskStatus open = accept ? v1::TASK_STATUS_OFFERED : v1::TASK_STATUS_ACCEPTED;
  if (r.task.status() == done) return r.task;  // ALREADY: a retry, answered as the first
  if (r.task.status() != open) return not_open(r.task);
  if (accept) {
    r.offer_expires_ms.reset();
    recorded(r, done, now_ms, "staff:" + s.staff, "accepted");
  } else {
    r.task.set_outcome(s.outcome);
    recorded(r, done, now_ms, "staff:" + s.staff, s.outcome);
  }
  return r.task;
}

Result<std::vector<Result<v1::Task>>> FakeDeskTasks::take_steps(
    const std::vector<StaffStep>& steps) {
  std::lock_guard lock(mutex_);
  ++writes_asked_;
  if (away_) return std::unexpected(unavailable().error());
  std::vector<Result<v1::Task>> answers;
  answers.reserve(steps.size());
  const int64_t now_ms = clock_.now_ms();
  for (const auto& s : steps) answers.push_back(step(s, now_ms));
  return answers;
}

Result<v1::Task> FakeDeskTasks::reject(const std::string& pool, const std::string& staff,
                                       const std::string& task_id, const std::string& reason) {
  std::lock_guard lock(mutex_);
  ++writes_asked_;
  if (away_) return std::unexpected(unavailable().error());
  if (auto ok = check_task_in_pool(pool, task_id); !ok) return std::unexpected(ok.error());
  auto it = tasks_.find(task_id);
  if (it == tasks_.end()) return not_found(task_id);
  Record& r = it->second;
  if (r.task.staff_id() != staff) {
    // ALREADY: they turned it down before (or let the offer time out, which excludes them too).
    if (r.excluded.contains(staff)) return r.task;
    return not_yours(task_id, staff);
  }
  if (r.task.status() != v1::TASK_STATUS_OFFERED) return not_open(r.task);
  r.offer_expires_ms.reset();
  r.excluded.insert(staff);
  r.task.clear_staff_id();
  recorded(r, v1::TASK_STATUS_WAITING, clock_.now_ms(), "staff:" + staff, "rejected: " + reason);
  return r.task;
}

Result<std::vector<DeskTasks::TaskLook>> FakeDeskTasks::look_up(
    const std::vector<std::string>& task_ids, const std::vector<bool>& whole) {
  std::vector<TaskLook> out(task_ids.size());
  if (task_ids.empty()) return out;  // as TaskStore: nothing to ask the store
  std::lock_guard lock(mutex_);
  if (away_) return std::unexpected(unavailable().error());
  for (size_t i = 0; i < task_ids.size(); ++i) {
    auto it = tasks_.find(task_ids[i]);
    if (it == tasks_.end()) continue;
    const Record& r = it->second;
    if (!whole[i]) {
      out[i].task.emplace();
      out[i].task->set_id(r.task.id());
      out[i].task->set_status(r.task.status());
      out[i].task->set_staff_id(r.task.staff_id());
      continue;
    }
    out[i].task = r.task;
    out[i].offer_expires_ms = r.offer_expires_ms;
  }
  return out;
}

std::string FakeDeskTasks::offer(const std::string& pool, const std::string& staff,
                                 int64_t expires_ms, const v1::TaskSpec& spec) {
  std::lock_guard lock(mutex_);
  const int64_t now_ms = clock_.now_ms();
  std::string id = new_task_id(now_ms, pool);
  Record& r = tasks_[id];
  r.task.set_id(id);
  r.task.set_firm_id("firm-of-" + id);
  *r.task.mutable_spec() = spec;
  r.task.mutable_spec()->set_pool(pool);
  *r.task.mutable_submitted_at() = TimeUtil::MillisecondsToTimestamp(now_ms);
  r.task.set_staff_id(staff);
  r.offer_expires_ms = expires_ms;
  recorded(r, v1::TASK_STATUS_OFFERED, now_ms, "router", "offered to " + staff);
  return id;
}

void FakeDeskTasks::take_back(const std::string& task_id, const std::string& reason) {
  std::lock_guard lock(mutex_);
  auto it = tasks_.find(task_id);
  if (it == tasks_.end()) return;
  Record& r = it->second;
  v1::TaskStatus status = r.task.status();
  if (status != v1::TASK_STATUS_OFFERED && status != v1::TASK_STATUS_ACCEPTED) return;
  r.offer_expires_ms.reset();
  r.task.clear_staff_id();
  recorded(r, v1::TASK_STATUS_WAITING, clock_.now_ms(), "router", reason);
}

size_t FakeDeskTasks::take_back_offers(const std::string& pool, const std::string& staff,
                                       const std::string& reason) {
  auto offers = holdings_of(pool, staff).open_offers;
  for (const auto& id : offers) take_back(id, reason);
  return offers.size();
}

StaffRecords::Holdings FakeDeskTasks::holdings_of(const std::string& pool,
                                                  const std::string& staff) {
  std::lock_guard lock(mutex_);
  StaffRecords::Holdings out;
  for (const auto& [id, r] : tasks_) {
    if (r.task.spec().pool() != pool || r.task.staff_id() != staff) continue;
    if (r.task.status() == v1::TASK_STATUS_OFFERED) out.open_offers.push_back(id);
    if (r.task.status() == v1::TASK_STATUS_ACCEPTED) out.accepted_work.push_back(id);
    if (r.task.status() == v1::TASK_STATUS_COMPLETED) {
      const int64_t at = TimeUtil::TimestampToMilliseconds(r.task.history().rbegin()->at());
      if (at >= clock_.now_ms() - kRecentDoneKeptMs) out.recently_done.emplace_back(id, at);
    }
  }
  return out;
}

std::optional<v1::Task> FakeDeskTasks::task(const std::string& task_id) {
  std::lock_guard lock(mutex_);
  auto it = tasks_.find(task_id);
  if (it == tasks_.end()) return std::nullopt;
  return it->second.task;
}

void FakeDeskTasks::set_away(bool away) {
  std::lock_guard lock(mutex_);
  away_ = away;
}

size_t FakeDeskTasks::writes_asked() {
  std::lock_guard lock(mutex_);
  return writes_asked_;
}

}  // namespace lexroute::testing
