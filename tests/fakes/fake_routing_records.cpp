#include "tests/fakes/fake_routing_records.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>

#include "router/task_status.h"
#include "router/waiting_order.h"
#include "services/redis/keys.h"

namespace lexroute::testing {

using google::protobuf::util::TimeUtil;

Result<RoutingRecords::RouteOutcome> FakeRoutingRecords::route(const RouteAttempt& attempt) {
  std::vector<Wake> wakes;
  RouteOutcome outcome;
  {
    std::lock_guard lock(mutex_);
    outcome = route_locked(attempt, wakes);
  }
  announce(wakes);
  return outcome;
}

Result<std::vector<RoutingRecords::RouteOutcome>> FakeRoutingRecords::route_each(
    const std::vector<const RouteAttempt*>& attempts) {
  std::vector<Wake> wakes;
  std::vector<RouteOutcome> outcomes;
  {
    std::lock_guard lock(mutex_);
    for (const auto* a : attempts) outcomes.push_back(route_locked(*a, wakes));
  }
  announce(wakes);
  return outcomes;
}

RoutingRecords::RouteOutcome FakeRoutingRecords::route_locked(const RouteAttempt& a,
                                                              std::vector<Wake>& wakes) {
  ++writes_;
  const v1::TaskSubmitted& submitted = *a.task;
  const std::string& pool = submitted.spec().pool();
  std::optional<int64_t> stored;
  if (!a.offset_field.empty()) {
    auto& fields = offsets_[pool];
    auto it = fields.find(a.offset_field);
    stored = it == fields.end() ? -1 : it->second;
    if (a.last_stored_offset && *stored < *a.last_stored_offset) return RouteOutcome::kRewound;
  }
  auto store_offset = [&] {
    if (stored && a.next_offset > *stored) offsets_[pool][a.offset_field] = a.next_offset;
  };

  auto [it, created] = tasks_.try_emplace(submitted.task_id());
  Task& t = it->second;
  if (created) {
    t.submitted = submitted;
  } else if (t.status != v1::TASK_STATUS_QUEUED && t.status != v1::TASK_STATUS_WAITING) {
    store_offset();
    return RouteOutcome::kSkipped;
  }

  if (!a.staff_id.empty()) {
    // The bench (elastic pools) is left out: these tests route fixed rosters.
    if (!staff_.has_room(pool, a.staff_id) || t.excluded_staff.contains(a.staff_id)) {
      park(t, "the chosen staff member had no room when reserved; trying the next", 0);
      store_offset();
      return RouteOutcome::kStale;
    }
    staff_.add_load(pool, a.staff_id, 1);
    waiting_[pool].erase(submitted.task_id());
    t.status = v1::TASK_STATUS_OFFERED;
    t.staff = a.staff_id;
    t.reason = "offered to " + a.staff_id;
    t.decision.ParseFromString(a.decision);
    t.offer_expires_ms = a.offer_expires_ms;
    ++t.attempts;
    store_offset();
    wakes.emplace_back(pool, "load " + a.staff_id);
    return RouteOutcome::kOffered;
  }
  t.decision.ParseFromString(a.decision);
  if (a.unroutable) {
    waiting_[pool].erase(submitted.task_id());
    t.status = v1::TASK_STATUS_UNROUTABLE;
    t.reason = a.reason;
    store_offset();
    return RouteOutcome::kUnroutable;
  }
  park(t, a.reason, 0);
  store_offset();
  return RouteOutcome::kWaiting;
}

void FakeRoutingRecords::park(Task& t, std::string reason, int declined) {
  t.status = v1::TASK_STATUS_WAITING;
  t.staff.clear();
  t.reason = std::move(reason);
  const v1::TaskSubmitted& s = t.submitted;
  // ZADD NX: a task keeps its place while it waits.
  waiting_[s.spec().pool()].try_emplace(
      s.task_id(), waiting_score(TimeUtil::TimestampToMilliseconds(s.submitted_at()),
                                 s.spec().priority(), declined));
}

Result<std::vector<std::string>> FakeRoutingRecords::waiting(const std::string& pool,
                                                             size_t limit) {
  std::lock_guard lock(mutex_);
  std::vector<std::pair<int64_t, std::string>> order;
  for (const auto& [id, score] : waiting_[pool]) order.emplace_back(score, id);
  std::sort(order.begin(), order.end());
  std::vector<std::string> ids;
  for (size_t i = 0; i < order.size() && i < limit; ++i) ids.push_back(order[i].second);
  return ids;
}

Result<std::vector<RoutingRecords::WaitingTask>> FakeRoutingRecords::waiting_tasks(
    const std::string& pool, const std::vector<std::string>& ids) {
  std::lock_guard lock(mutex_);
  std::vector<WaitingTask> out;
  for (const auto& id : ids) {
    auto it = tasks_.find(id);
    if (it == tasks_.end() || it->second.submitted.spec().pool() != pool) continue;
    WaitingTask& w = out.emplace_back();
    w.task = it->second.submitted;
    w.excluded_staff.insert(it->second.excluded_staff.begin(), it->second.excluded_staff.end());
    w.attempts = it->second.attempts;
  }
  return out;
}

Result<std::map<std::string, int64_t>> FakeRoutingRecords::stored_offsets(const std::string& pool) {
  std::lock_guard lock(mutex_);
  return offsets_[pool];
}

Result<void> FakeRoutingRecords::forget_offsets(const std::string& pool,
                                                const std::vector<std::string>& fields) {
  std::lock_guard lock(mutex_);
  for (const auto& f : fields) offsets_[pool].erase(f);
  return {};
}

Result<size_t> FakeRoutingRecords::expire_due_offers(const std::string& pool, size_t limit) {
  std::vector<Wake> wakes;
  size_t expired = 0;
  {
    std::lock_guard lock(mutex_);
    int64_t now = clock_.now_ms();
    // In task id order, not by expiry as the store's index: a limit a test reaches is its own.
    for (auto& [id, t] : tasks_) {
      if (expired == limit) break;
      if (t.submitted.spec().pool() != pool || t.status != v1::TASK_STATUS_OFFERED ||
          t.offer_expires_ms > now) {
        continue;
      }
      std::string holder = t.staff;
      staff_.add_load(pool, holder, -1);
      t.excluded_staff.insert(holder);
      park(t, "offer to " + holder + " timed out", t.attempts);
      wakes.emplace_back(pool, "free " + holder);
      ++expired;
    }
  }
  announce(wakes);
  return expired;
}

Result<size_t> FakeRoutingRecords::pass_deadlines(const std::string& pool, size_t limit) {
  std::vector<Wake> wakes;
  size_t passed = 0;
  {
    std::lock_guard lock(mutex_);
    int64_t now = clock_.now_ms();
    // In task id order, not by deadline; and no RETRY: nothing else moves a holder meanwhile.
    for (auto& [id, t] : tasks_) {
      if (passed == limit) break;
      const v1::TaskSpec& spec = t.submitted.spec();
      if (spec.pool() != pool || !spec.has_deadline() || t.overdue || is_terminal(t.status) ||
          TimeUtil::TimestampToMilliseconds(spec.deadline()) > now) {
        continue;
      }
      t.overdue = true;
      ++passed;
      if (!spec.expire_at_deadline()) continue;
      if (!t.staff.empty()) {
        staff_.add_load(pool, t.staff, -1);
        wakes.emplace_back(pool, "free " + t.staff);
        t.staff.clear();
      }
      waiting_[pool].erase(id);
      t.status = v1::TASK_STATUS_EXPIRED;
      t.reason = "the deadline passed";
    }
  }
  announce(wakes);
  return passed;
}

std::optional<FakeRoutingRecords::Task> FakeRoutingRecords::task(const std::string& task_id) {
  std::lock_guard lock(mutex_);
  auto it = tasks_.find(task_id);
  if (it == tasks_.end()) return std::nullopt;
  return it->second;
}

size_t FakeRoutingRecords::writes() {
  std::lock_guard lock(mutex_);
  return writes_;
}

void FakeRoutingRecords::complete(const std::string& task_id) {
  std::lock_guard lock(mutex_);
  Task& t = tasks_.at(task_id);
  if (!t.staff.empty()) staff_.add_load(t.submitted.spec().pool(), t.staff, -1);
  t.status = v1::TASK_STATUS_COMPLETED;
  t.reason = "completed";
}

void FakeRoutingRecords::lose_writes(const std::string& pool, const std::string& field,
                                     int64_t offset, const std::vector<std::string>& task_ids) {
  std::lock_guard lock(mutex_);
  offsets_[pool][field] = offset;
  for (const auto& id : task_ids) {
    auto it = tasks_.find(id);
    if (it == tasks_.end()) continue;
    if (it->second.status == v1::TASK_STATUS_OFFERED) staff_.add_load(pool, it->second.staff, -1);
    waiting_[pool].erase(id);
    tasks_.erase(it);
  }
}

void FakeRoutingRecords::announce(const std::vector<Wake>& wakes) {
  if (signals_ == nullptr) return;
  for (const auto& [pool, message] : wakes) signals_->announce(keys::wake_channel(pool), message);
}

}  // namespace lexroute::testing
