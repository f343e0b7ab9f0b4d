#include "services/redis/pool_store.h"

#include <set>

#include "router/task_status.h"
#include "router/text.h"
#include "services/redis/keys.h"
#include "services/redis/script_calls.h"
#include "services/redis/script_replies.h"
#include "services/redis/task_fields.h"

namespace lexroute {
namespace {

constexpr size_t kDecisionsKept = 100;
constexpr size_t kBacklogChunk = 1000;

std::map<std::string, std::string> as_map(const RedisReply& hash) {
  std::map<std::string, std::string> out;
  for (size_t i = 0; i + 1 < hash.elements.size(); i += 2) {
    out[hash.elements[i].str] = hash.elements[i + 1].str;
  }
  return out;
}

}  // namespace

Result<std::optional<v1::PoolScaling>> PoolStore::scaling(const std::string& pool) {
  auto reply = redis_.command({"GET", keys::scaling(pool)});
  if (!reply) return std::unexpected(reply.error());
  if (reply->is_nil()) return std::optional<v1::PoolScaling>();
  v1::PoolScaling s;
  if (!s.ParseFromString(reply->str)) return fail(Errc::kInternal, "unreadable scaling of " + pool);
  return std::optional<v1::PoolScaling>(std::move(s));
}

Result<void> PoolStore::set_scaling(const std::string& pool, const v1::PoolScaling& scaling) {
  auto current = bench(pool);
  if (!current) return std::unexpected(current.error());
  std::set<std::string> listed(scaling.bench_staff().begin(), scaling.bench_staff().end());
  // lx:pools has no hash tag: outside the transaction, which a Redis Cluster keeps to one slot.
  std::vector<std::vector<std::string>> cmds{
      {"SADD", keys::pools(), pool},
      {"MULTI"},
      {"SET", keys::scaling(pool), scaling.SerializeAsString()}};
  std::vector<std::string> changed;
  for (const auto& id : listed) {
    if (current->contains(id)) continue;
    cmds.push_back({"HSET", keys::bench(pool), id, "BENCH"});
    changed.push_back(id);
  }
  for (const auto& [id, state] : *current) {
    if (listed.contains(id)) continue;
    cmds.push_back({"HDEL", keys::bench(pool), id});
    changed.push_back(id);
  }
  // Routers re-read these staff members' states.
  for (const auto& id : changed)
    cmds.push_back({"SPUBLISH", keys::wake_channel(pool), "free " + id});
  cmds.push_back({"EXEC"});
  auto replies = redis_.pipeline(cmds);
  if (!replies) return std::unexpected(replies.error());
  return {};
}

Result<std::map<std::string, std::string>> PoolStore::bench(const std::string& pool) {
  auto reply = redis_.command({"HGETALL", keys::bench(pool)});
  if (!reply) return std::unexpected(reply.error());
  std::map<std::string, std::string> out;
  for (size_t i = 0; i + 1 < reply->elements.size(); i += 2) {
    out[reply->elements[i].str] = reply->elements[i + 1].str;
  }
  return out;
}

Result<bool> PoolStore::move(const std::string& pool, const std::string& staff_id, const char* from,
                             const char* to, const char* kind, const std::string& vendor,
                             const std::string& reason) {
  auto reply = script_calls::eval(redis_, script_calls::CallIn{
                                              .pool = pool,
                                              .staff = staff_id,
                                              .from = from,
                                              .to = to,
                                              .event = kind,
                                              .vendor = vendor,
                                              .reason = reason,
                                              .now_ms = clock_.now_ms(),
                                          });
  if (!reply) return std::unexpected(reply.error());
  auto answer = parse_reply<CallInReply>(*reply);
  if (!answer) return std::unexpected(answer.error());
  return *answer == CallInReply::kOk;
}

Result<bool> PoolStore::call_in(const std::string& pool, const std::string& staff_id,
                                const std::string& vendor, const std::string& reason) {
  return move(pool, staff_id, "BENCH", "CALLED_IN", "CALLED_IN", vendor, reason);
}

Result<bool> PoolStore::release(const std::string& pool, const std::string& staff_id,
                                const std::string& vendor, const std::string& reason) {
  auto moved = move(pool, staff_id, "CALLED_IN", "BENCH", "RELEASED", vendor, reason);
  if (!moved || !*moved) return moved;
  auto open = staff_.open_offers(pool, staff_id);
  if (!open) return std::unexpected(open.error());
  for (const auto& task_id : *open) {
    auto r = tasks_.take_back_work(pool, staff_id, task_id, v1::TASK_STATUS_OFFERED,
                                   staff_id + " was released by the scaler", std::nullopt);
    if (!r) return std::unexpected(r.error());
  }
  return true;
}

Result<std::optional<absl::Time>> PoolStore::last_call_in(const std::string& pool) {
  auto reply = redis_.command({"HGET", keys::scaling_state(pool), "last_call_in_ms"});
  if (!reply) return std::unexpected(reply.error());
  int64_t ms = 0;
  if (reply->is_nil() || !parse_int(reply->str, &ms)) return std::optional<absl::Time>();
  return std::optional<absl::Time>(absl::FromUnixMillis(ms));
}

Result<std::map<std::string, absl::Time>> PoolStore::unanswered_call_ins(const std::string& pool) {
  auto reply = redis_.command({"HGETALL", keys::scaling_state(pool)});
  if (!reply) return std::unexpected(reply.error());
  std::map<std::string, absl::Time> out;
  constexpr std::string_view kPrefix = "called_in_ms:";
  for (size_t i = 0; i + 1 < reply->elements.size(); i += 2) {
    const std::string& field = reply->elements[i].str;
    int64_t ms = 0;
    if (field.starts_with(kPrefix) && parse_int(reply->elements[i + 1].str, &ms)) {
      out[field.substr(kPrefix.size())] = absl::FromUnixMillis(ms);
    }
  }
  return out;
}

Result<std::vector<BacklogItem>> PoolStore::backlog(const std::string& pool) {
  auto due = redis_.command({"ZRANGE", keys::deadlines(pool), "0", "-1", "WITHSCORES"});
  if (!due) return std::unexpected(due.error());
  std::vector<BacklogItem> out;
  const auto& e = due->elements;
  for (size_t from = 0; from + 1 < e.size(); from += 2 * kBacklogChunk) {
    std::vector<std::vector<std::string>> cmds;
    std::vector<int64_t> deadlines;
    for (size_t i = from; i + 1 < e.size() && i < from + 2 * kBacklogChunk; i += 2) {
      cmds.push_back(
          {"HMGET", keys::task(pool, e[i].str), task_fields::kStatus, task_fields::kSpec});
      int64_t ms = 0;
      (void)parse_int(e[i + 1].str, &ms);
      deadlines.push_back(ms);
    }
    auto replies = redis_.pipeline(cmds);
    if (!replies) return std::unexpected(replies.error());
    for (size_t i = 0; i < replies->size(); ++i) {
      const auto& fields = (*replies)[i].elements;
      if (fields.size() != 2) continue;
      if (is_terminal(status_from_name(fields[0].str))) {
        continue;  // finished: leaves the deadline set when its deadline passes
      }
      v1::TaskSpec spec;
      if (!spec.ParseFromString(fields[1].str)) continue;
      out.push_back({absl::FromUnixMillis(deadlines[i]), spec.effort_minutes()});
    }
  }
  return out;
}

Result<int64_t> PoolStore::completed(const std::string& pool) {
  auto reply = redis_.command({"GET", keys::completed(pool)});
  if (!reply) return std::unexpected(reply.error());
  int64_t n = 0;
  if (!reply->is_nil()) (void)parse_int(reply->str, &n);
  return n;
}

Result<int64_t> PoolStore::waiting_count(const std::string& pool) {
  auto reply = redis_.command({"ZCARD", keys::waiting(pool)});
  if (!reply) return std::unexpected(reply.error());
  return reply->integer;
}

Result<PoolReadings> PoolStore::readings(const std::string& pool, const ReadingWindow& window) {
  auto state = redis_.pipeline({
      {"GET", keys::roster_version(pool)},
      {"HGETALL", keys::availability(pool)},
      {"HGETALL", keys::load(pool)},
      {"ZCARD", keys::waiting(pool)},
      {"ZCARD", keys::offer_expiry(pool)},
      {"ZRANGE", keys::waiting(pool), "0", std::to_string(static_cast<int64_t>(window.head) - 1)},
      {"ZRANGEBYSCORE", keys::deadlines(pool), std::to_string(window.from_ms),
       std::to_string(window.until_ms), "WITHSCORES", "LIMIT", "0",
       std::to_string(window.due_limit)},
  });
  if (!state) return std::unexpected(state.error());
  const auto& r = *state;
  PoolReadings out;
  if (!r[0].is_nil()) (void)parse_int(r[0].str, &out.roster_version);
  out.availability = as_map(r[1]);
  for (const auto& [id, held] : as_map(r[2])) {
    int64_t n = 0;
    (void)parse_int(held, &n);
    out.load[id] = n;
  }
  out.waiting = r[3].integer;
  out.offered = r[4].integer;

  // The task records behind the head of the queue and the deadlines ahead, in one round trip.
  std::vector<std::vector<std::string>> reads;
  for (const auto& id : r[5].elements) {
    reads.push_back({"HGET", keys::task(pool, id.str), task_fields::kSubmittedMs});
  }
  const auto& due = r[6].elements;
  for (size_t i = 0; i + 1 < due.size(); i += 2) {
    reads.push_back({"HMGET", keys::task(pool, due[i].str), task_fields::kStatus,
                     task_fields::kSpec, task_fields::kDecision});
  }
  if (reads.empty()) return out;
  auto records = redis_.pipeline(reads);
  if (!records) return std::unexpected(records.error());
  size_t k = 0;
  for (; k < r[5].elements.size(); ++k) {
    int64_t submitted = 0;
    if (parse_int((*records)[k].str, &submitted)) out.head_submitted_ms.push_back(submitted);
  }
  for (size_t i = 0; i + 1 < due.size(); i += 2, ++k) {
    const auto& f = (*records)[k].elements;
    if (f.size() != 3) continue;
    PoolReadings::Due& d = out.due.emplace_back();
    (void)parse_int(due[i + 1].str, &d.deadline_ms);
    d.status = status_from_name(f[0].str);
    (void)d.spec.ParseFromString(f[1].str);
    if (v1::RoutingDecision decision; !f[2].is_nil() && decision.ParseFromString(f[2].str)) {
      d.decision = std::move(decision);
    }
  }
  return out;
}

Result<void> PoolStore::record(const std::string& pool, const v1::ScalingDecision& decision) {
  auto replies = redis_.pipeline(
      {{"LPUSH", keys::scaling_decisions(pool), decision.SerializeAsString()},
       {"LTRIM", keys::scaling_decisions(pool), "0", std::to_string(kDecisionsKept - 1)}});
  if (!replies) return std::unexpected(replies.error());
  return {};
}

Result<std::vector<v1::ScalingDecision>> PoolStore::recent(const std::string& pool, size_t n) {
  auto reply = redis_.command(
      {"LRANGE", keys::scaling_decisions(pool), "0", std::to_string(std::max<size_t>(n, 1) - 1)});
  if (!reply) return std::unexpected(reply.error());
  std::vector<v1::ScalingDecision> out;
  for (const auto& e : reply->elements) {
    v1::ScalingDecision d;
    if (d.ParseFromString(e.str)) out.push_back(std::move(d));
  }
  return out;
}

Result<bool> PoolStore::hold_lease(const std::string& holder, std::chrono::milliseconds ttl) {
  auto reply = script_calls::eval(redis_, script_calls::RenewLease{.holder = holder, .ttl = ttl});
  if (!reply) return std::unexpected(reply.error());
  return reply->integer == 1;
}

}  // namespace lexroute
