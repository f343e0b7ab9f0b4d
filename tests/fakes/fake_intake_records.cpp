#include "tests/fakes/fake_intake_records.h"

#include <google/protobuf/util/time_util.h>

#include "router/task_status.h"

namespace lexroute::testing {
namespace {

using google::protobuf::util::TimeUtil;

void add_step(v1::Task& task, v1::TaskStatus status, int64_t at_ms, const std::string& actor,
              const std::string& reason) {
  auto* step = task.add_history();
  step->set_status(status);
  *step->mutable_at() = TimeUtil::MillisecondsToTimestamp(at_ms);
  step->set_actor(actor);
  step->set_reason(reason);
}

}  // namespace

Result<IntakeRecords::IdempotencyClaim> FakeIntakeRecords::claim_idempotency_key(
    const std::string& firm, const std::string& key, const std::string& task_id,
    const std::string& fingerprint, const std::string& record) {
  std::lock_guard lock(mutex_);
  if (claim_failure_) return std::unexpected(*claim_failure_);
  auto [it, is_new] = bindings_.try_emplace({firm, key}, Binding{task_id, fingerprint, record});
  if (is_new) ++writes_;
  const Binding& bound = it->second;
  return IdempotencyClaim{is_new, bound.task_id, bound.fingerprint, bound.record};
}

Result<void> FakeIntakeRecords::record_queued(const std::vector<const v1::TaskSubmitted*>& tasks) {
  std::lock_guard lock(mutex_);
  if (recording_failure_) return std::unexpected(*recording_failure_);
  for (const auto* submitted : tasks) {
    if (tasks_.contains(submitted->task_id())) continue;  // the router got there first
    v1::Task& task = tasks_[submitted->task_id()];
    task.set_id(submitted->task_id());
    task.set_firm_id(submitted->firm_id());
    *task.mutable_spec() = submitted->spec();
    *task.mutable_submitted_at() = submitted->submitted_at();
    task.set_status(v1::TASK_STATUS_QUEUED);
    add_step(task, v1::TASK_STATUS_QUEUED, TimeUtil::TimestampToMilliseconds(task.submitted_at()),
             "firm:" + task.firm_id(), "submitted");
    queued_.push_back(task.id());
    ++writes_;
  }
  return {};
}

bool FakeIntakeRecords::exists(const std::string& task_id) {
  std::lock_guard lock(mutex_);
  return tasks_.contains(task_id);
}

Result<v1::Task> FakeIntakeRecords::get(const std::string& task_id) {
  std::lock_guard lock(mutex_);
  auto it = tasks_.find(task_id);
  if (it == tasks_.end()) return fail(Errc::kNotFound, "no task " + task_id, "task_id");
  return it->second;
}

Result<v1::Task> FakeIntakeRecords::cancel(const std::string& firm, const std::string& task_id,
                                           const std::string& reason) {
  std::lock_guard lock(mutex_);
  auto it = tasks_.find(task_id);
  if (it == tasks_.end() || it->second.firm_id() != firm) {
    return fail(Errc::kNotFound, "no task " + task_id, "task_id");
  }
  v1::Task& task = it->second;
  if (is_terminal(task.status())) {
    return fail(Errc::kFailedPrecondition,
                "task " + task_id + " is already " + status_name(task.status()));
  }
  // The holder's offer or accepted work is withdrawn by the real one; no staff live here, and
  // the holder cannot change under the call, so there is no retry either.
  task.set_status(v1::TASK_STATUS_CANCELLED);
  add_step(task, v1::TASK_STATUS_CANCELLED, clock_.now_ms(), "firm:" + firm, reason);
  ++writes_;
  return task;
}

void FakeIntakeRecords::put(v1::Task task) {
  std::lock_guard lock(mutex_);
  std::string id = task.id();
  tasks_[id] = std::move(task);
}

size_t FakeIntakeRecords::writes() {
  std::lock_guard lock(mutex_);
  return writes_;
}

std::vector<std::string> FakeIntakeRecords::queued() {
  std::lock_guard lock(mutex_);
  return queued_;
}

void FakeIntakeRecords::fail_claims(std::optional<Error> error) {
  std::lock_guard lock(mutex_);
  claim_failure_ = std::move(error);
}

void FakeIntakeRecords::fail_recording(std::optional<Error> error) {
  std::lock_guard lock(mutex_);
  recording_failure_ = std::move(error);
}

}  // namespace lexroute::testing
