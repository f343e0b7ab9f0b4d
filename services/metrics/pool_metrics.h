#pragma once

#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

namespace lexroute {

// One pool as the collector last read it from Redis.
struct PoolSnapshot {
  std::string pool;
  int64_t waiting = 0;   // tasks parked until someone eligible has room: the backlog
  int64_t offered = 0;   // open offers
  int64_t accepted = 0;  // accepted, not completed
  double oldest_waiting_seconds = 0;
  int64_t sla_at_risk = 0;
  int64_t capacity_signed_in = 0;  // capacity of staff who are AVAILABLE
  int64_t load = 0;                // open offers plus accepted work of everyone in the pool
  struct StaffGroup {
    std::string vendor, region, time_zone, state;
    bool operator<(const StaffGroup& o) const {
      return std::tie(vendor, region, time_zone, state) <
             std::tie(o.vendor, o.region, o.time_zone, o.state);
    }
  };
  std::map<StaffGroup, int64_t> staff;
};

// Gauges the collector sets from Redis: per pool, never per task or staff member. Several
// routers publish the same values, so dashboards aggregate them with max, not sum.
class PoolMetrics {
 public:
  explicit PoolMetrics(prometheus::Registry& registry);

  // Replaces everything previously published for the pool; series that no longer apply go.
  void publish(const PoolSnapshot& snapshot);

 private:
  using Family = prometheus::Family<prometheus::Gauge>;
  void set(Family& family, const prometheus::Labels& labels, double value);

  Family& waiting_;
  Family& offered_;
  Family& accepted_;
  Family& oldest_;
  Family& at_risk_;
  Family& capacity_;
  Family& load_;
  Family& staff_;
  Family& staff_by_zone_;
  std::mutex mutex_;
  // pool -> the staff series published last time, to drop the ones that no longer apply.
  std::map<std::string, std::vector<std::pair<Family*, prometheus::Gauge*>>> staff_series_;
};

}  // namespace lexroute
