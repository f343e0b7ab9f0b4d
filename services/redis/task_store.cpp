#include "services/redis/task_store.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <cstdlib>

#include "router/text.h"
#include "router/waiting_order.h"
#include "services/common/task_id.h"
#include "services/redis/keys.h"
#include "services/redis/script_calls.h"
#include "services/redis/task_fields.h"

namespace lexroute {
namespace {

using google::protobuf::util::TimeUtil;

constexpr int64_t kIdempotencyTtlSeconds = 7 * 24 * 3600;

Result<std::string> pool_or_not_found(const std::string& task_id) {
  auto pool = pool_of_task(task_id);
  if (!pool) return fail(Errc::kNotFound, "no task " + task_id, "task_id");
  return *pool;
}

void parse_history(const RedisReply& list, v1::Task& task) {
  for (const auto& entry : list.elements) {
    // status|ms|actor|reason; only the reason (last) may itself contain '|'.
    std::vector<std::string_view> parts;
    std::string_view rest = entry.str;
    while (parts.size() < 3) {
      auto bar = rest.find('|');
      if (bar == std::string_view::npos) break;
      parts.push_back(rest.substr(0, bar));
      rest.remove_prefix(bar + 1);
    }
    if (parts.size() < 3) continue;
    parts.push_back(rest);
    auto* t = task.add_history();
    t->set_status(status_from_name(parts[0]));
    int64_t ms = 0;
    if (parse_int(parts[1], &ms)) *t->mutable_at() = TimeUtil::MillisecondsToTimestamp(ms);
    t->set_actor(std::string(parts[2]));
    t->set_reason(std::string(parts[3]));
  }
}

}  // namespace

Result<TaskStore::IdempotencyClaim> TaskStore::claim_idempotency_key(const std::string& firm,
                                                                     const std::string& key,
                                                                     const std::string& task_id,
                                                                     const std::string& fingerprint,
                                                                     const std::string& record) {
  auto reply = script_calls::eval(redis_,
                                  script_calls::ClaimIdempotencyKey{
                                      .firm = firm,
                                      .key = key,
                                      .task_id = task_id,
                                      .fingerprint = fingerprint,
                                      .record = record,
                                      .ttl_seconds = kIdempotencyTtlSeconds,
                                  },
                                  acknowledged_);
  if (!reply) return std::unexpected(reply.error());
  auto answer = parse_reply<ClaimReply>(*reply);
  if (!answer) return std::unexpected(answer.error());
  IdempotencyClaim claim;
  claim.is_new = *answer == ClaimReply::kNew;
  claim.task_id = claim.is_new ? task_id : reply_word(*reply, 1);
  claim.fingerprint = claim.is_new ? fingerprint : reply_word(*reply, 2);
  claim.record = claim.is_new ? record : reply_word(*reply, 3);
  return claim;
}

Result<std::vector<v1::TaskSubmitted>> TaskStore::queued_tasks(const std::string& pool) {
  constexpr size_t kPerRoundTrip = 1000;
  auto open = redis_.command({"ZRANGE", keys::deadlines(pool), "0", "-1"});
  if (!open) return std::unexpected(open.error());
  std::vector<v1::TaskSubmitted> out;
  const auto& ids = open->elements;
  for (size_t from = 0; from < ids.size(); from += kPerRoundTrip) {
    std::vector<std::vector<std::string>> reads;
    size_t to = std::min(ids.size(), from + kPerRoundTrip);
    for (size_t i = from; i < to; ++i) {
      reads.push_back({"HMGET", keys::task(pool, ids[i].str), task_fields::kStatus,
                       task_fields::kFirm, task_fields::kSpec, task_fields::kSubmittedMs});
    }
    auto replies = redis_.pipeline(reads);
    if (!replies) return std::unexpected(replies.error());
    for (size_t i = from; i < to; ++i) {
      const auto& fields = (*replies)[i - from].elements;
      if (fields.size() != 4 || status_from_name(fields[0].str) != v1::TASK_STATUS_QUEUED) continue;
      v1::TaskSubmitted task;
      int64_t submitted_ms = 0;
      if (!task.mutable_spec()->ParseFromString(fields[2].str) ||
          !parse_int(fields[3].str, &submitted_ms)) {
        return fail(Errc::kInternal, "stored task " + ids[i].str + " is unreadable");
      }
      task.set_task_id(ids[i].str);
      task.set_firm_id(fields[1].str);
      *task.mutable_submitted_at() = TimeUtil::MillisecondsToTimestamp(submitted_ms);
      out.push_back(std::move(task));
    }
  }
  return out;
}

Result<void> TaskStore::forget_offsets(const std::string& pool,
                                       const std::vector<std::string>& fields) {
  if (fields.empty()) return {};
  std::vector<std::string> command = {"HDEL", keys::offsets(pool)};
  command.insert(command.end(), fields.begin(), fields.end());
  auto reply = redis_.command(command);
  if (!reply) return std::unexpected(reply.error());
  return {};
}

Result<void> TaskStore::record_queued(const std::vector<const v1::TaskSubmitted*>& tasks) {
  if (tasks.empty()) return {};
  std::vector<RedisClient::ScriptRun> runs;
  runs.reserve(tasks.size());
  for (const auto* task : tasks) {
    runs.push_back(script_calls::script_run(script_calls::RecordQueued{
        .pool = task->spec().pool(),
        .task_id = task->task_id(),
        .firm = task->firm_id(),
        .spec = task->spec().SerializeAsString(),
        .submitted_ms = TimeUtil::TimestampToMilliseconds(task->submitted_at()),
        .priority = task->spec().priority(),
        .deadline_ms = TimeUtil::TimestampToMilliseconds(task->spec().deadline()),
        .expire_at_deadline = task->spec().expire_at_deadline(),
    }));
  }
  auto replies = redis_.eval_each(runs);
  if (!replies) return std::unexpected(replies.error());
  return {};
}

bool TaskStore::exists(const std::string& task_id) {
  auto pool = pool_of_task(task_id);
  if (!pool) return false;
  auto reply = redis_.command({"EXISTS", keys::task(*pool, task_id)});
  return reply && reply->integer == 1;
}

namespace {

// A task from its hash (HGETALL) and history (LRANGE); nullopt when the hash is gone.
std::optional<v1::Task> task_from(const std::string& task_id, const RedisReply& hash,
                                  const RedisReply& history) {
  const auto& fields = hash.elements;
  if (fields.empty()) return std::nullopt;
  v1::Task task;
  task.set_id(task_id);
  for (size_t i = 0; i + 1 < fields.size(); i += 2) {
    const std::string& name = fields[i].str;
    const std::string& value = fields[i + 1].str;
    int64_t ms = 0;
    if (name == task_fields::kFirm)
      task.set_firm_id(value);
    else if (name == task_fields::kStatus)
      task.set_status(status_from_name(value));
    else if (name == task_fields::kStaff)
      task.set_staff_id(value);
    else if (name == task_fields::kOutcome)
      task.set_outcome(value);
    else if (name == task_fields::kOverdue)
      task.set_overdue(value == "1");
    else if (name == task_fields::kSpec)
      task.mutable_spec()->ParseFromString(value);
    else if (name == task_fields::kDecision)
      task.mutable_last_decision()->ParseFromString(value);
    else if (name == task_fields::kSubmittedMs && parse_int(value, &ms))
      *task.mutable_submitted_at() = TimeUtil::MillisecondsToTimestamp(ms);
  }
  parse_history(history, task);
  return task;
}

// A sorted-set score in whole milliseconds. Scores are doubles; whole milliseconds print without
// a fraction or exponent.
int64_t score_ms(const std::string& score) {
  int64_t ms = 0;
  if (!parse_int(score, &ms)) ms = static_cast<int64_t>(std::strtod(score.c_str(), nullptr));
  return ms;
}

}  // namespace

Result<v1::Task> TaskStore::get(const std::string& task_id) {
  auto pool = pool_or_not_found(task_id);
  if (!pool) return std::unexpected(pool.error());
  auto replies = redis_.pipeline({{"HGETALL", keys::task(*pool, task_id)},
                                  {"LRANGE", keys::task_history(*pool, task_id), "0", "-1"}});
  if (!replies) return std::unexpected(replies.error());
  auto task = task_from(task_id, (*replies)[0], (*replies)[1]);
  if (!task) return fail(Errc::kNotFound, "no task " + task_id, "task_id");
  return std::move(*task);
}

Result<std::vector<TaskStore::TaskLook>> TaskStore::look_up(
    const std::vector<std::string>& task_ids, const std::vector<bool>& whole) {
  std::vector<TaskLook> out(task_ids.size());
  std::vector<std::vector<std::string>> commands;
  std::vector<std::pair<size_t, size_t>> asked;  // out[] index, first reply of its commands
  for (size_t i = 0; i < task_ids.size(); ++i) {
    auto pool = pool_of_task(task_ids[i]);
    if (!pool) continue;  // not an id lexroute made: no such task
    asked.emplace_back(i, commands.size());
    if (!whole[i]) {
      commands.push_back(
          {"HMGET", keys::task(*pool, task_ids[i]), task_fields::kStatus, task_fields::kStaff});
      continue;
    }
    commands.push_back({"HGETALL", keys::task(*pool, task_ids[i])});
    commands.push_back({"LRANGE", keys::task_history(*pool, task_ids[i]), "0", "-1"});
    commands.push_back({"ZSCORE", keys::offer_expiry(*pool), task_ids[i]});
  }
  if (commands.empty()) return out;
  auto replies = redis_.pipeline(commands);
  if (!replies) return std::unexpected(replies.error());
  for (auto [i, first] : asked) {
    TaskLook& look = out[i];
    if (!whole[i]) {
      const auto& fields = (*replies)[first].elements;
      if (fields.size() != 2 || fields[0].is_nil()) continue;
      look.task.emplace();
      look.task->set_id(task_ids[i]);
      look.task->set_status(status_from_name(fields[0].str));
      look.task->set_staff_id(fields[1].str);
      continue;
    }
    look.task = task_from(task_ids[i], (*replies)[first], (*replies)[first + 1]);
    const RedisReply& expiry = (*replies)[first + 2];
    if (!expiry.is_nil()) look.offer_expires_ms = score_ms(expiry.str);
  }
  return out;
}

Result<v1::Task> TaskStore::cancel(const std::string& firm, const std::string& task_id,
                                   const std::string& reason) {
  auto pool = pool_or_not_found(task_id);
  if (!pool) return std::unexpected(pool.error());
  // The script must name the holder's keys up front; read the holder, and retry if it moved
  // between the read and the script.
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto holder = redis_.command({"HGET", keys::task(*pool, task_id), task_fields::kStaff});
    if (!holder) return std::unexpected(holder.error());
    auto reply = script_calls::eval(redis_, script_calls::CancelTask{
                                                .pool = *pool,
                                                .task_id = task_id,
                                                .firm = firm,
                                                .now_ms = clock_.now_ms(),
                                                .reason = reason,
                                                .holder = holder->str,
                                            });
    if (!reply) return std::unexpected(reply.error());
    auto answer = parse_reply<CancelReply>(*reply);
    if (!answer) return std::unexpected(answer.error());
    switch (*answer) {
      case CancelReply::kNotFound:
        return fail(Errc::kNotFound, "no task " + task_id, "task_id");
      case CancelReply::kTerminal:
        return fail(Errc::kFailedPrecondition,
                    "task " + task_id + " is already " + reply_word(*reply, 1));
      case CancelReply::kOk:
        return get(task_id);
      case CancelReply::kRetry:
        break;
    }
  }
  return fail(Errc::kUnavailable, "task " + task_id + " kept changing hands; try again");
}

namespace {

RedisClient::ScriptRun route_run(const TaskStore::RouteAttempt& a, int64_t now_ms) {
  const v1::TaskSubmitted& t = *a.task;
  const int64_t submitted_ms = TimeUtil::TimestampToMilliseconds(t.submitted_at());
  return script_calls::script_run(script_calls::RouteTask{
      .pool = t.spec().pool(),
      .task_id = t.task_id(),
      .firm = t.firm_id(),
      .spec = t.spec().SerializeAsString(),
      .submitted_ms = submitted_ms,
      .priority = t.spec().priority(),
      .now_ms = now_ms,
      .candidate = a.staff_id,
      .parked_as = a.unroutable ? v1::TASK_STATUS_UNROUTABLE : v1::TASK_STATUS_WAITING,
      .reason = a.reason,
      .waiting_score = waiting_score(submitted_ms, t.spec().priority()),
      .offset_field = a.offset_field,
      .next_offset = a.next_offset,
      .last_stored_offset = a.last_stored_offset,
      .decision = a.decision,
      .offer_expires_ms = a.offer_expires_ms,
      .deadline_ms = TimeUtil::TimestampToMilliseconds(t.spec().deadline()),
      .expire_at_deadline = t.spec().expire_at_deadline(),
  });
}

}  // namespace

Result<TaskStore::RouteOutcome> TaskStore::route(const RouteAttempt& a) {
  auto replies = redis_.eval_each({route_run(a, clock_.now_ms())});
  if (!replies) return std::unexpected(replies.error());
  return parse_reply<RouteReply>(replies->front());
}

Result<std::vector<TaskStore::RouteOutcome>> TaskStore::route_each(
    const std::vector<const RouteAttempt*>& attempts) {
  std::vector<RedisClient::ScriptRun> runs;
  runs.reserve(attempts.size());
  int64_t now_ms = clock_.now_ms();
  for (const auto* a : attempts) runs.push_back(route_run(*a, now_ms));
  auto replies = redis_.eval_each(runs);
  if (!replies) return std::unexpected(replies.error());
  std::vector<RouteOutcome> outcomes;
  outcomes.reserve(replies->size());
  for (const auto& reply : *replies) {
    auto outcome = parse_reply<RouteReply>(reply);
    if (!outcome) return std::unexpected(outcome.error());
    outcomes.push_back(*outcome);
  }
  return outcomes;
}

Result<std::vector<std::string>> TaskStore::waiting(const std::string& pool, size_t limit) {
  auto reply = redis_.command({"ZRANGE", keys::waiting(pool), "0", std::to_string(limit - 1)});
  if (!reply) return std::unexpected(reply.error());
  std::vector<std::string> ids;
  for (auto& e : reply->elements) ids.push_back(std::move(e.str));
  return ids;
}

Result<std::vector<TaskStore::WaitingTask>> TaskStore::waiting_tasks(
    const std::string& pool, const std::vector<std::string>& ids) {
  if (ids.empty()) return std::vector<WaitingTask>{};
  std::vector<std::vector<std::string>> commands;
  commands.reserve(ids.size() * 2);
  for (const auto& id : ids) {
    commands.push_back({"HMGET", keys::task(pool, id), task_fields::kFirm, task_fields::kSpec,
                        task_fields::kSubmittedMs, task_fields::kAttempts});
    commands.push_back({"SMEMBERS", keys::task_excluded(pool, id)});
  }
  auto replies = redis_.pipeline(commands);
  if (!replies) return std::unexpected(replies.error());
  std::vector<WaitingTask> out;
  out.reserve(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    const RedisReply& fields = (*replies)[2 * i];
    if (fields.elements.size() != 4 || fields.elements[0].is_nil()) continue;
    WaitingTask& w = out.emplace_back();
    w.task.set_task_id(ids[i]);
    w.task.set_firm_id(fields.elements[0].str);
    w.task.mutable_spec()->ParseFromString(fields.elements[1].str);
    int64_t ms = 0;
    if (parse_int(fields.elements[2].str, &ms)) {
      *w.task.mutable_submitted_at() = TimeUtil::MillisecondsToTimestamp(ms);
    }
    if (!fields.elements[3].is_nil()) (void)parse_int(fields.elements[3].str, &w.attempts);
    for (const auto& staff : (*replies)[2 * i + 1].elements) w.excluded_staff.insert(staff.str);
  }
  return out;
}

Result<std::unordered_set<std::string>> TaskStore::excluded_staff(const std::string& task_id) {
  auto pool = pool_or_not_found(task_id);
  if (!pool) return std::unexpected(pool.error());
  auto reply = redis_.command({"SMEMBERS", keys::task_excluded(*pool, task_id)});
  if (!reply) return std::unexpected(reply.error());
  std::unordered_set<std::string> out;
  for (auto& e : reply->elements) out.insert(std::move(e.str));
  return out;
}

Result<std::map<std::string, int64_t>> TaskStore::stored_offsets(const std::string& pool) {
  auto reply = redis_.command({"HGETALL", keys::offsets(pool)});
  if (!reply) return std::unexpected(reply.error());
  std::map<std::string, int64_t> out;
  for (size_t i = 0; i + 1 < reply->elements.size(); i += 2) {
    int64_t offset = 0;
    if (parse_int(reply->elements[i + 1].str, &offset)) {
      out[reply->elements[i].str] = offset;
    }
  }
  return out;
}

namespace {

// A staff member's step on a task as one script run; the task as the script left it comes back
// in the same round trip.
template <typename StaffStepCall>
RedisClient::ScriptRun staff_run(StaffStepCall call) {
  const std::string pool = call.pool, task_id = call.task_id;
  RedisClient::ScriptRun run = script_calls::script_run(std::move(call));
  run.reads = {{"HGETALL", keys::task(pool, task_id)},
               {"LRANGE", keys::task_history(pool, task_id), "0", "-1"}};
  return run;
}

// What a staff step's script said, and the task it left.
Result<v1::Task> staff_answer(const std::string& staff, const std::string& task_id,
                              Result<std::vector<RedisReply>> replies) {
  if (!replies) return std::unexpected(replies.error());
  const RedisReply* reply = &(*replies)[0];
  auto answer = parse_reply<StaffStepReply>(*reply);
  if (!answer) return std::unexpected(answer.error());
  switch (*answer) {
    case StaffStepReply::kNotFound:
      return fail(Errc::kNotFound, "no task " + task_id, "task_id");
    case StaffStepReply::kNotYours:
      return fail(Errc::kFailedPrecondition, "task " + task_id + " is not offered to " + staff);
    case StaffStepReply::kNotOpen:
      return fail(Errc::kFailedPrecondition,
                  "task " + task_id + " is " + reply_word(*reply, 1) + ", not open for this");
    case StaffStepReply::kOk:
    case StaffStepReply::kAlready:  // a retry of a step that happened: the same answer
      break;
  }
  auto task = task_from(task_id, (*replies)[1], (*replies)[2]);
  if (!task) return fail(Errc::kNotFound, "no task " + task_id, "task_id");
  return std::move(*task);
}

}  // namespace

RedisClient::ScriptRun TaskStore::step_run(const StaffStep& step, int64_t now_ms) const {
  if (step.kind == StaffStep::Kind::kAccept) {
    return staff_run(script_calls::AcceptOffer{
        .pool = step.pool,
        .task_id = step.task_id,
        .staff = step.staff,
        .now_ms = now_ms,
    });
  }
  return staff_run(script_calls::CompleteTask{
      .pool = step.pool,
      .task_id = step.task_id,
      .staff = step.staff,
      .now_ms = now_ms,
      .outcome = step.outcome,
      .note = step.note,
  });
}

Result<std::vector<Result<v1::Task>>> TaskStore::take_steps(const std::vector<StaffStep>& steps) {
  std::vector<Result<v1::Task>> answers(steps.size());
  std::vector<RedisClient::ScriptRun> runs;
  std::vector<size_t> asked;  // answers[] index of each run
  runs.reserve(steps.size());
  const int64_t now_ms = clock_.now_ms();
  for (size_t i = 0; i < steps.size(); ++i) {
    if (auto ok = check_task_in_pool(steps[i].pool, steps[i].task_id); !ok) {
      answers[i] = std::unexpected(ok.error());
      continue;
    }
    runs.push_back(step_run(steps[i], now_ms));
    asked.push_back(i);
  }
  if (runs.empty()) return answers;
  auto results = redis_.run_each(runs, acknowledged_);
  if (!results) return std::unexpected(results.error());
  for (size_t k = 0; k < asked.size(); ++k) {
    const StaffStep& step = steps[asked[k]];
    answers[asked[k]] = staff_answer(step.staff, step.task_id, std::move((*results)[k]));
  }
  return answers;
}

Result<v1::Task> TaskStore::one_step(StaffStep step) {
  auto answers = take_steps({std::move(step)});
  if (!answers) return std::unexpected(answers.error());
  return std::move(answers->front());
}

Result<v1::Task> TaskStore::accept(const std::string& pool, const std::string& staff,
                                   const std::string& task_id) {
  return one_step({StaffStep::Kind::kAccept, pool, staff, task_id, {}, {}});
}

int64_t TaskStore::requeue_score(const std::string& task_id) {
  auto pool = pool_of_task(task_id);
  if (!pool) return clock_.now_ms();
  auto found = waiting_tasks(*pool, {task_id});
  if (!found || found->empty()) return clock_.now_ms();
  const WaitingTask& w = found->front();
  return waiting_score(TimeUtil::TimestampToMilliseconds(w.task.submitted_at()),
                       w.task.spec().priority(), w.attempts);
}

Result<std::vector<TaskStore::StepTimes>> TaskStore::step_times(
    const std::string& pool, const std::vector<std::string>& task_ids) {
  std::vector<StepTimes> out(task_ids.size());
  if (task_ids.empty()) return out;
  std::vector<std::vector<std::string>> reads;
  reads.reserve(task_ids.size());
  for (const auto& id : task_ids) {
    reads.push_back({"HMGET", keys::task(pool, id), task_fields::kSpec, task_fields::kSubmittedMs,
                     task_fields::kOfferedMs, task_fields::kAcceptedMs});
  }
  auto records = redis_.pipeline(reads);
  if (!records) return std::unexpected(records.error());
  for (size_t i = 0; i < task_ids.size(); ++i) {
    const auto& f = (*records)[i].elements;
    if (f.size() != 4) continue;
    StepTimes& t = out[i];
    if (v1::TaskSpec spec; !f[0].is_nil() && spec.ParseFromString(f[0].str)) t.kind = spec.kind();
    if (!f[1].is_nil()) (void)parse_int(f[1].str, &t.submitted_ms);
    if (!f[2].is_nil()) (void)parse_int(f[2].str, &t.offered_ms);
    if (!f[3].is_nil()) (void)parse_int(f[3].str, &t.accepted_ms);
  }
  return out;
}

Result<size_t> TaskStore::expire_due_offers(const std::string& pool, size_t limit) {
  const int64_t now_ms = clock_.now_ms();
  auto due = redis_.command({"ZRANGEBYSCORE", keys::offer_expiry(pool), "-inf",
                             std::to_string(now_ms), "LIMIT", "0", std::to_string(limit)});
  if (!due) return std::unexpected(due.error());
  size_t expired = 0;
  for (const auto& entry : due->elements) {
    const std::string& task_id = entry.str;
    auto holder = redis_.command({"HGET", keys::task(pool, task_id), task_fields::kStaff});
    if (!holder) return std::unexpected(holder.error());
    auto reply = script_calls::eval(redis_, script_calls::ExpireOffer{
                                                .pool = pool,
                                                .task_id = task_id,
                                                .holder = holder->str,
                                                .now_ms = now_ms,
                                                .waiting_score = requeue_score(task_id),
                                            });
    if (!reply) return std::unexpected(reply.error());
    auto answer = parse_reply<ExpireOfferReply>(*reply);
    if (!answer) return std::unexpected(answer.error());
    if (*answer == ExpireOfferReply::kExpired) ++expired;
  }
  return expired;
}

Result<bool> TaskStore::take_back_work(const std::string& pool, const std::string& staff,
                                       const std::string& task_id, v1::TaskStatus expected,
                                       const std::string& reason,
                                       std::optional<int64_t> lapsed_cutoff_ms) {
  auto reply = script_calls::eval(redis_, script_calls::TakeBackWork{
                                              .pool = pool,
                                              .task_id = task_id,
                                              .holder = staff,
                                              .now_ms = clock_.now_ms(),
                                              .reason = reason,
                                              .waiting_score = requeue_score(task_id),
                                              .expected = expected,
                                              .lapsed_cutoff_ms = lapsed_cutoff_ms,
                                          });
  if (!reply) return std::unexpected(reply.error());
  auto answer = parse_reply<TakeBackReply>(*reply);
  if (!answer) return std::unexpected(answer.error());
  return *answer == TakeBackReply::kOk;
}

Result<size_t> TaskStore::pass_deadlines(const std::string& pool, size_t limit) {
  const int64_t now_ms = clock_.now_ms();
  auto due = redis_.command({"ZRANGEBYSCORE", keys::deadlines(pool), "-inf", std::to_string(now_ms),
                             "LIMIT", "0", std::to_string(limit)});
  if (!due) return std::unexpected(due.error());
  size_t passed = 0;
  for (const auto& entry : due->elements) {
    const std::string& task_id = entry.str;
    // Like cancel: the script names the holder's keys, so read the holder and retry if it moved.
    for (int attempt = 0; attempt < 3; ++attempt) {
      auto holder = redis_.command({"HGET", keys::task(pool, task_id), task_fields::kStaff});
      if (!holder) return std::unexpected(holder.error());
      auto reply = script_calls::eval(redis_, script_calls::PassDeadline{
                                                  .pool = pool,
                                                  .task_id = task_id,
                                                  .holder = holder->str,
                                                  .now_ms = now_ms,
                                              });
      if (!reply) return std::unexpected(reply.error());
      auto answer = parse_reply<PassDeadlineReply>(*reply);
      if (!answer) return std::unexpected(answer.error());
      if (*answer == PassDeadlineReply::kRetry) continue;
      if (*answer == PassDeadlineReply::kOverdue || *answer == PassDeadlineReply::kExpired) {
        ++passed;
      }
      break;
    }
  }
  return passed;
}

Result<v1::Task> TaskStore::reject(const std::string& pool, const std::string& staff,
                                   const std::string& task_id, const std::string& reason) {
  if (auto ok = check_task_in_pool(pool, task_id); !ok) return std::unexpected(ok.error());
  auto results = redis_.run_each({staff_run(script_calls::RejectOffer{
                                     .pool = pool,
                                     .task_id = task_id,
                                     .staff = staff,
                                     .now_ms = clock_.now_ms(),
                                     .reason = reason,
                                     .waiting_score = requeue_score(task_id),
                                 })},
                                 acknowledged_);
  if (!results) return std::unexpected(results.error());
  return staff_answer(staff, task_id, std::move(results->front()));
}

Result<v1::Task> TaskStore::complete(const std::string& pool, const std::string& staff,
                                     const std::string& task_id, const std::string& outcome,
                                     const std::string& note) {
  return one_step({StaffStep::Kind::kComplete, pool, staff, task_id, outcome, note});
}

Result<size_t> TaskStore::count_task_records(std::string_view pool_glob) {
  const std::string pattern = keys::task(pool_glob, "*");
  size_t n = 0;
  std::string cursor = "0";
  do {
    auto reply = redis_.command({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"});
    if (!reply) return std::unexpected(reply.error());
    if (reply->elements.size() != 2) return fail(Errc::kInternal, "SCAN: unexpected reply");
    cursor = reply->elements[0].str;
    for (const auto& key : reply->elements[1].elements) {
      n += !key.str.ends_with(keys::kHistorySuffix) && !key.str.ends_with(keys::kExcludedSuffix);
    }
  } while (cursor != "0");
  return n;
}

}  // namespace lexroute
