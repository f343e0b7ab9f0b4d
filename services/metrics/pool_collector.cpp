#include "services/metrics/pool_collector.h"

#include <algorithm>
#include <cctype>

#include "lexroute/v1/admin.pb.h"
#include "lexroute/v1/task.pb.h"
#include "router/parking.h"
#include "router/task_status.h"
#include "router/text.h"
#include "services/common/log.h"
#include "services/redis/keys.h"

namespace lexroute {
namespace {

constexpr const char* kStates[] = {"offline", "available", "busy", "on_break"};

std::string state_of(const std::string& availability, int64_t load, int capacity) {
  if (availability == "AVAILABLE") return load < capacity ? "available" : "busy";
  if (availability.empty()) return "offline";
  // OFFLINE, ON_BREAK, and whatever states lexroute's own scripts add later (a closed set):
  // lower case, as a label.
  std::string state = availability;
  for (auto& c : state) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return state;
}

std::map<std::string, std::string> as_map(const RedisReply& hash) {
  std::map<std::string, std::string> out;
  for (size_t i = 0; i + 1 < hash.elements.size(); i += 2) {
    out[hash.elements[i].str] = hash.elements[i + 1].str;
  }
  return out;
}

}  // namespace

void PoolCollector::start() {
  task_ = std::make_unique<PeriodicTask>(every_, [this] {
    if (auto c = collect(); !c) LOG_WARN("metrics", "pool metrics not read: ", c.error().message);
  });
  task_->start();
}

void PoolCollector::stop() {
  if (task_) task_->stop();
}

Result<void> PoolCollector::collect() {
  auto pools = staff_.pools();
  if (!pools) return std::unexpected(pools.error());
  for (const auto& pool : *pools) {
    auto snapshot = read_pool(pool);
    if (!snapshot) return std::unexpected(snapshot.error());
    metrics_.publish(*snapshot);
  }
  return {};
}

Result<PoolSnapshot> PoolCollector::read_pool(const std::string& pool) {
  const int64_t now_ms = clock_.now_ms();
  const int64_t lookahead_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(kRiskLookahead).count();
  auto state = redis_.pipeline({
      {"GET", keys::roster_version(pool)},
      {"HGETALL", keys::availability(pool)},
      {"HGETALL", keys::load(pool)},
      {"ZCARD", keys::waiting(pool)},
      {"ZCARD", keys::offer_expiry(pool)},
      {"ZRANGE", keys::waiting(pool), "0", std::to_string(kOldestAmong - 1)},
      {"ZRANGEBYSCORE", keys::deadlines(pool), std::to_string(now_ms),
       std::to_string(now_ms + lookahead_ms), "WITHSCORES", "LIMIT", "0",
       std::to_string(kScanLimit)},
  });
  if (!state) return std::unexpected(state.error());
  const auto& r = *state;

  Roster& roster = rosters_[pool];
  int64_t version = 0;
  if (!r[0].is_nil()) (void)parse_int(r[0].str, &version);
  if (version != roster.version) {
    auto staff = staff_.roster(pool);
    if (!staff) return std::unexpected(staff.error());
    roster.members.clear();
    for (const auto& s : *staff) {
      roster.members[s.id()] = {s.vendor().empty() ? "none" : s.vendor(),
                                s.region().empty() ? "none" : s.region(), s.time_zone(),
                                std::max(1, s.capacity())};
    }
    roster.version = version;
  }

  PoolSnapshot snap;
  snap.pool = pool;
  auto availability = as_map(r[1]);
  auto load = as_map(r[2]);
  for (const auto& [id, m] : roster.members) {
    int64_t held = 0;
    if (auto it = load.find(id); it != load.end()) (void)parse_int(it->second, &held);
    std::string avail = availability.contains(id) ? availability[id] : "OFFLINE";
    for (const char* s : kStates) snap.staff[{m.vendor, m.region, m.time_zone, s}] += 0;
    ++snap.staff[{m.vendor, m.region, m.time_zone, state_of(avail, held, m.capacity)}];
    if (avail == "AVAILABLE") snap.capacity_signed_in += m.capacity;
  }
  for (const auto& [id, held] : load) {
    int64_t n = 0;
    if (parse_int(held, &n)) snap.load += n;
  }
  snap.waiting = r[3].integer;
  snap.offered = r[4].integer;
  snap.accepted = std::max<int64_t>(0, snap.load - snap.offered);

  // The task records behind the head of the queue and the deadlines ahead, in one round trip.
  std::vector<std::vector<std::string>> reads;
  for (const auto& id : r[5].elements) {
    reads.push_back({"HGET", keys::task(pool, id.str), "submitted_ms"});
  }
  std::vector<int64_t> deadline_ms;
  const auto& due = r[6].elements;
  for (size_t i = 0; i + 1 < due.size(); i += 2) {
    int64_t ms = 0;
    (void)parse_int(due[i + 1].str, &ms);
    deadline_ms.push_back(ms);
    reads.push_back({"HMGET", keys::task(pool, due[i].str), "status", "spec", "decision"});
  }
  if (reads.empty()) return snap;
  auto records = redis_.pipeline(reads);
  if (!records) return std::unexpected(records.error());
  size_t k = 0;
  for (; k < r[5].elements.size(); ++k) {
    int64_t submitted = 0;
    if (parse_int((*records)[k].str, &submitted) && submitted < now_ms) {
      snap.oldest_waiting_seconds =
          std::max(snap.oldest_waiting_seconds, static_cast<double>(now_ms - submitted) / 1000.0);
    }
  }
  for (size_t d = 0; d < deadline_ms.size(); ++d, ++k) {
    const auto& f = (*records)[k].elements;
    if (f.size() != 3) continue;
    v1::TaskStatus status = status_from_name(f[0].str);
    if (!is_unassigned(status)) continue;
    v1::TaskSpec spec;
    (void)spec.ParseFromString(f[1].str);
    bool at_risk = sla_at_risk(absl::FromUnixMillis(now_ms), absl::Minutes(spec.effort_minutes()),
                               absl::FromUnixMillis(deadline_ms[d]));
    if (!at_risk && status == v1::TASK_STATUS_WAITING && !f[2].is_nil()) {
      v1::RoutingDecision decision;
      at_risk = decision.ParseFromString(f[2].str) && decision.sla_at_risk();
    }
    snap.sla_at_risk += at_risk;
  }
  return snap;
}

}  // namespace lexroute
