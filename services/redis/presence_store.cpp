#include "services/redis/presence_store.h"

#include <algorithm>

#include "router/text.h"
#include "services/redis/keys.h"
#include "services/redis/script_calls.h"
#include "services/redis/script_replies.h"

namespace lexroute {

int PresenceStore::interval_for(int presence_timeout_seconds) {
  return std::max(1, presence_timeout_seconds / 4);
}

Result<PresenceStore::Heartbeat> PresenceStore::heartbeat(const std::string& pool,
                                                          const std::string& staff_id) {
  auto answers = heartbeats({{pool, staff_id}});
  if (!answers) return std::unexpected(answers.error());
  return std::move(answers->front());
}

Result<std::vector<Result<PresenceStore::Heartbeat>>> PresenceStore::heartbeats(
    const std::vector<std::pair<std::string, std::string>>& staff) {
  const int64_t now_ms = clock_.now_ms();
  std::vector<RedisClient::ScriptRun> runs;
  runs.reserve(staff.size());
  for (const auto& [pool, staff_id] : staff) {
    runs.push_back(script_calls::script_run(
        script_calls::Heartbeat{.pool = pool, .staff = staff_id, .now_ms = now_ms}));
  }
  auto results = redis_.run_each(runs);
  if (!results) return std::unexpected(results.error());
  std::vector<Result<Heartbeat>> answers;
  answers.reserve(results->size());
  for (auto& result : *results) {
    if (!result) {
      answers.push_back(std::unexpected(result.error()));
      continue;
    }
    const RedisReply& reply = result->front();
    Heartbeat out;
    int timeout = PoolSettings{}.presence_timeout_seconds;
    if (reply.elements.size() == 2) {
      out.availability = availability_from_name(reply.elements[0].str);
      (void)parse_int(reply.elements[1].str, &timeout);
    }
    out.interval_seconds = interval_for(timeout);
    answers.push_back(out);
  }
  return answers;
}

Result<void> PresenceStore::set_availability(const std::string& pool, const std::string& staff_id,
                                             Availability availability) {
  auto saved = staff_.set_availability(pool, staff_id, availability, clock_.now_ms());
  if (!saved || availability == Availability::kAvailable) return saved;
  // Someone who stepped away cannot answer an offer: let someone else have it now rather than
  // after the offer times out.
  auto open = staff_.open_offers(pool, staff_id);
  if (!open) return std::unexpected(open.error());
  auto moved = move_offers(
      pool, staff_id, *open,
      cat(staff_id, availability == Availability::kOnBreak ? " went on a break" : " signed out"));
  if (!moved) return std::unexpected(moved.error());
  return {};
}

Result<size_t> PresenceStore::move_offers(const std::string& pool, const std::string& staff_id,
                                          const std::vector<std::string>& offers,
                                          const std::string& reason) {
  size_t moved = 0;
  for (const auto& task_id : offers) {
    auto r = tasks_.take_back_work(pool, staff_id, task_id, v1::TASK_STATUS_OFFERED, reason,
                                   std::nullopt);
    if (!r) return std::unexpected(r.error());
    moved += *r ? 1 : 0;
  }
  return moved;
}

Result<PresenceStore::SweepResult> PresenceStore::sweep(const std::string& pool,
                                                        const PoolSettings& settings,
                                                        size_t limit) {
  SweepResult result;
  int64_t now = clock_.now_ms();
  int64_t timeout_ms = int64_t{settings.presence_timeout_seconds} * 1000;
  const int64_t silent_cutoff_ms = now - timeout_ms;
  auto silent =
      redis_.command({"ZRANGEBYSCORE", keys::presence(pool), "-inf",
                      std::to_string(silent_cutoff_ms), "LIMIT", "0", std::to_string(limit)});
  if (!silent) return std::unexpected(silent.error());
  for (const auto& entry : silent->elements) {
    const std::string& staff_id = entry.str;
    auto reply = script_calls::eval(
        redis_, script_calls::LapsePresence{
                    .pool = pool, .staff = staff_id, .cutoff_ms = silent_cutoff_ms});
    if (!reply) return std::unexpected(reply.error());
    auto answer = parse_reply<LapsePresenceReply>(*reply);
    if (!answer) return std::unexpected(answer.error());
    if (*answer != LapsePresenceReply::kOffline || reply->elements.size() < 3) continue;
    ++result.went_offline;
    std::vector<std::string> offers;
    for (const auto& o : reply->elements[2].elements) offers.push_back(o.str);
    auto moved = move_offers(
        pool, staff_id, offers,
        cat(staff_id, " went offline: no heartbeat for ", settings.presence_timeout_seconds, " s"));
    if (!moved) return std::unexpected(moved.error());
    result.offers_moved += *moved;
  }

  // Accepted work of those silent for the timeout and the grace period on top.
  int64_t gone_cutoff = now - timeout_ms - int64_t{settings.accepted_grace_seconds} * 1000;
  auto gone = redis_.command({"ZRANGEBYSCORE", keys::lapsed(pool), "-inf",
                              std::to_string(gone_cutoff), "LIMIT", "0", std::to_string(limit)});
  if (!gone) return std::unexpected(gone.error());
  for (const auto& entry : gone->elements) {
    const std::string& staff_id = entry.str;
    auto accepted = redis_.command({"SMEMBERS", keys::accepted(pool, staff_id)});
    if (!accepted) return std::unexpected(accepted.error());
    if (accepted->elements.empty()) {
      // Finished or withdrawn meanwhile: nothing left to hand on.
      auto forget = redis_.command({"ZREM", keys::lapsed(pool), staff_id});
      if (!forget) return std::unexpected(forget.error());
      continue;
    }
    std::string reason = cat(staff_id, " offline for longer than the ",
                             settings.accepted_grace_seconds, " s grace period");
    for (const auto& task : accepted->elements) {
      auto r = tasks_.take_back_work(pool, staff_id, task.str, v1::TASK_STATUS_ACCEPTED, reason,
                                     gone_cutoff);
      if (!r) return std::unexpected(r.error());
      result.accepted_moved += *r ? 1 : 0;
    }
  }
  return result;
}

Result<int64_t> PresenceStore::lapsed_count(const std::string& pool) {
  auto reply = redis_.command({"ZCARD", keys::lapsed(pool)});
  if (!reply) return std::unexpected(reply.error());
  return reply->integer;
}

}  // namespace lexroute
