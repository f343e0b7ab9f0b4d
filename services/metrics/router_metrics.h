#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "lexroute/v1/task.pb.h"

namespace lexroute {

// What the router counts: decisions by outcome, how long deciding takes, reservations lost to a
// race with another router or a staff action (the Lua script said STALE), unroutable tasks by
// the constraint that ruled everyone out, and how far behind the task topic it is.
class RouterMetrics {
 public:
  explicit RouterMetrics(prometheus::Registry& registry);

  // `outcome`: "offered", "waiting" or "unroutable".
  void decided(const v1::TaskSubmitted& task, const char* outcome);
  void decision_time(const std::string& pool, std::chrono::steady_clock::duration took);
  void reservation_lost(const std::string& pool);
  // `reason`: a constraint name ("skills", "residency", ...) or "max_offer_attempts".
  void unroutable(const v1::TaskSubmitted& task, const std::string& reason);
  void rewound();
  // Records not yet routed, per partition this router holds; partitions missing from `lag` are
  // no longer ours and their series go away.
  void consumer_lag(const std::string& topic, const std::map<int32_t, int64_t>& lag);
  void data_loss(const std::string& topic, uint64_t events_so_far);

 private:
  prometheus::Family<prometheus::Counter>& decisions_;
  prometheus::Family<prometheus::Histogram>& decision_seconds_;
  prometheus::Family<prometheus::Counter>& reservations_lost_;
  prometheus::Family<prometheus::Counter>& unroutable_;
  prometheus::Family<prometheus::Counter>& rewinds_;
  prometheus::Family<prometheus::Gauge>& lag_;
  prometheus::Family<prometheus::Counter>& data_loss_;
  std::mutex mutex_;
  // Series looked up once: building a label set per decision would cost as much as deciding.
  std::map<std::tuple<std::string, int, std::string>, prometheus::Counter*> decision_series_;
  std::map<std::string, prometheus::Histogram*> decision_time_series_;
  std::map<std::pair<std::string, int32_t>, prometheus::Gauge*> lag_series_;
  std::map<std::string, uint64_t> data_loss_seen_;
};

}  // namespace lexroute
