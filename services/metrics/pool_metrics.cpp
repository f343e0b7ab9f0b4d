#include "services/metrics/pool_metrics.h"

namespace lexroute {
namespace {

prometheus::Family<prometheus::Gauge>& gauge(prometheus::Registry& r, const char* name,
                                             const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(r);
}

}  // namespace

PoolMetrics::PoolMetrics(prometheus::Registry& r)
    : waiting_(gauge(r, "lexroute_pool_waiting_tasks",
                     "Backlog: tasks waiting for someone eligible to have room")),
      offered_(gauge(r, "lexroute_pool_offered_tasks", "Tasks on open offer")),
      accepted_(gauge(r, "lexroute_pool_accepted_tasks", "Tasks accepted and not completed")),
      oldest_(gauge(r, "lexroute_pool_oldest_waiting_age_seconds",
                    "Age (since submission) of the oldest waiting task near the head of the "
                    "queue; 0 when none waits")),
      at_risk_(gauge(r, "lexroute_pool_sla_at_risk_tasks",
                     "Tasks nobody has accepted that will miss their deadline unless someone "
                     "starts within 30 minutes, or that wait for a shift starting too late")),
      capacity_(gauge(r, "lexroute_pool_available_capacity",
                      "Capacity (offers plus work at once) of staff signed in as AVAILABLE")),
      load_(gauge(r, "lexroute_pool_load", "Open offers plus accepted work across the pool")),
      staff_(gauge(r, "lexroute_staff_members",
                   "Staff in the roster by vendor, region and state: offline, available "
                   "(signed in with room), busy (signed in, at capacity), on_break")),
      staff_by_zone_(gauge(r, "lexroute_staff_members_by_time_zone",
                           "Staff in the roster by IANA time zone and state")) {}

void PoolMetrics::set(Family& family, const prometheus::Labels& labels, double value) {
  family.Add(labels).Set(value);
}

void PoolMetrics::publish(const PoolSnapshot& s) {
  std::lock_guard lock(mutex_);
  prometheus::Labels pool{{"pool", s.pool}};
  set(waiting_, pool, static_cast<double>(s.waiting));
  set(offered_, pool, static_cast<double>(s.offered));
  set(accepted_, pool, static_cast<double>(s.accepted));
  set(oldest_, pool, s.oldest_waiting_seconds);
  set(at_risk_, pool, static_cast<double>(s.sla_at_risk));
  set(capacity_, pool, static_cast<double>(s.capacity_signed_in));
  set(load_, pool, static_cast<double>(s.load));

  // Several staff groups can share a (vendor, region, state) or (time zone, state) series.
  std::map<prometheus::Labels, int64_t> by_vendor, by_zone;
  for (const auto& [group, count] : s.staff) {
    by_vendor[{{"pool", s.pool},
               {"vendor", group.vendor},
               {"region", group.region},
               {"state", group.state}}] += count;
    by_zone[{{"pool", s.pool}, {"time_zone", group.time_zone}, {"state", group.state}}] += count;
  }
  std::vector<std::pair<Family*, prometheus::Gauge*>> now;
  for (const auto& [labels, count] : by_vendor) {
    auto& g = staff_.Add(labels);
    g.Set(static_cast<double>(count));
    now.emplace_back(&staff_, &g);
  }
  for (const auto& [labels, count] : by_zone) {
    auto& g = staff_by_zone_.Add(labels);
    g.Set(static_cast<double>(count));
    now.emplace_back(&staff_by_zone_, &g);
  }
  for (auto [family, g] : staff_series_[s.pool]) {
    bool kept = false;
    for (auto [f, n] : now) kept = kept || (f == family && n == g);
    if (!kept) family->Remove(g);
  }
  staff_series_[s.pool] = std::move(now);
}

}  // namespace lexroute
