#include "services/metrics/pool_collector.h"

#include <algorithm>
#include <cctype>

#include "lexroute/v1/admin.pb.h"
#include "lexroute/v1/task.pb.h"
#include "router/parking.h"
#include "router/task_status.h"
#include "router/text.h"
#include "services/common/log.h"

namespace lexroute {
namespace {

constexpr const char* kStates[] = {"offline", "available", "busy", "on_break"};
// Staff of an elastic pool's bench who are not signed in: still on the bench, or called in and
// not there yet (docs/pools.md). Signed in, they count as available, busy or on a break like
// everyone else, so the signed-in figures (and the alerts on them) include called-in staff.
constexpr const char* kBenchStates[] = {"bench", "called_in"};

std::string state_of(const std::string& availability, int64_t load, int capacity) {
  if (availability == "AVAILABLE") return load < capacity ? "available" : "busy";
  if (availability.empty()) return "offline";
  // OFFLINE, ON_BREAK, and whatever states lexroute's own scripts add later (a closed set):
  // lower case, as a label.
  std::string state = availability;
  for (auto& c : state) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return state;
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
  auto r = pools_.readings(pool, {now_ms, now_ms + lookahead_ms, kOldestAmong, kScanLimit});
  if (!r) return std::unexpected(r.error());

  Roster& roster = rosters_[pool];
  const int64_t version = r->roster_version;
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

  auto bench = pools_.bench(pool);
  if (!bench) return std::unexpected(bench.error());

  PoolSnapshot snap;
  snap.pool = pool;
  const auto& availability = r->availability;
  for (const auto& [id, m] : roster.members) {
    auto held = r->load.find(id);
    auto avail = availability.find(id);
    const std::string state = avail != availability.end() ? avail->second : "OFFLINE";
    for (const char* s : kStates) snap.staff[{m.vendor, m.region, m.time_zone, s}] += 0;
    std::string shown = state_of(state, held != r->load.end() ? held->second : 0, m.capacity);
    if (auto on_bench = bench->find(id); on_bench != bench->end()) {
      for (const char* s : kBenchStates) snap.staff[{m.vendor, m.region, m.time_zone, s}] += 0;
      if (shown == "offline") shown = on_bench->second == "CALLED_IN" ? "called_in" : "bench";
    }
    ++snap.staff[{m.vendor, m.region, m.time_zone, shown}];
    if (state == "AVAILABLE") snap.capacity_signed_in += m.capacity;
  }
  for (const auto& [id, held] : r->load) snap.load += held;
  snap.waiting = r->waiting;
  snap.offered = r->offered;
  snap.accepted = std::max<int64_t>(0, snap.load - snap.offered);

  for (int64_t submitted : r->head_submitted_ms) {
    if (submitted < now_ms) {
      snap.oldest_waiting_seconds =
          std::max(snap.oldest_waiting_seconds, static_cast<double>(now_ms - submitted) / 1000.0);
    }
  }
  for (const auto& due : r->due) {
    if (!is_unassigned(due.status)) continue;
    bool at_risk =
        sla_at_risk(absl::FromUnixMillis(now_ms), absl::Minutes(due.spec.effort_minutes()),
                    absl::FromUnixMillis(due.deadline_ms));
    if (!at_risk && due.status == v1::TASK_STATUS_WAITING && due.decision) {
      at_risk = due.decision->sla_at_risk();
    }
    snap.sla_at_risk += at_risk;
  }
  return snap;
}

}  // namespace lexroute
