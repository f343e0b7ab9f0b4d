#include "services/metrics/router_metrics.h"

#include "services/metrics/buckets.h"
#include "services/metrics/labels.h"

namespace lexroute {

RouterMetrics::RouterMetrics(prometheus::Registry& registry)
    : decisions_(prometheus::BuildCounter()
                     .Name("lexroute_routing_decisions_total")
                     .Help("Routing decisions by outcome: offered, waiting or unroutable")
                     .Register(registry)),
      decision_seconds_(prometheus::BuildHistogram()
                            .Name("lexroute_routing_decision_seconds")
                            .Help("Time to pick a candidate from the in-memory staff directory")
                            .Register(registry)),
      reservations_lost_(prometheus::BuildCounter()
                             .Name("lexroute_routing_reservations_lost_total")
                             .Help("Reservations Redis refused because the router's view was "
                                   "stale (the staff member had no room any more)")
                             .Register(registry)),
      unroutable_(prometheus::BuildCounter()
                      .Name("lexroute_tasks_unroutable_total")
                      .Help("Tasks declared unroutable, by the constraint no one passed")
                      .Register(registry)),
      rewinds_(prometheus::BuildCounter()
                   .Name("lexroute_router_rewinds_total")
                   .Help("Times Redis had lost routed offsets and the router routed again")
                   .Register(registry)),
      lag_(prometheus::BuildGauge()
               .Name("lexroute_kafka_consumer_lag")
               .Help("Records on a partition this router holds that it has not routed yet")
               .Register(registry)),
      data_loss_(prometheus::BuildCounter()
                     .Name("lexroute_kafka_consumer_data_loss_total")
                     .Help("Offsets out of range: records deleted before the router read them")
                     .Register(registry)) {}

void RouterMetrics::decided(const v1::TaskSubmitted& task, const char* outcome) {
  std::lock_guard lock(mutex_);
  auto& series = decision_series_[{task.spec().pool(), task.spec().kind(), outcome}];
  if (series == nullptr) {
    series = &decisions_.Add({{"pool", metric_labels::pool(task.spec().pool())},
                              {"kind", metric_labels::kind(task.spec().kind())},
                              {"outcome", outcome}});
  }
  series->Increment();
}

void RouterMetrics::decision_time(const std::string& pool,
                                  std::chrono::steady_clock::duration took) {
  std::lock_guard lock(mutex_);
  auto& series = decision_time_series_[pool];
  if (series == nullptr) {
    series =
        &decision_seconds_.Add({{"pool", metric_labels::pool(pool)}}, buckets::decision_seconds());
  }
  series->Observe(std::chrono::duration<double>(took).count());
}

void RouterMetrics::reservation_lost(const std::string& pool) {
  reservations_lost_.Add({{"pool", pool}}).Increment();
}

void RouterMetrics::unroutable(const v1::TaskSubmitted& task, const std::string& reason) {
  unroutable_
      .Add({{"pool", metric_labels::pool(task.spec().pool())},
            {"kind", metric_labels::kind(task.spec().kind())},
            {"reason", reason}})
      .Increment();
}

void RouterMetrics::rewound() { rewinds_.Add({}).Increment(); }

void RouterMetrics::consumer_lag(const std::string& topic, const std::map<int32_t, int64_t>& lag) {
  std::lock_guard lock(mutex_);
  for (auto it = lag_series_.begin(); it != lag_series_.end();) {
    if (it->first.first == topic && !lag.contains(it->first.second)) {
      lag_.Remove(it->second);
      it = lag_series_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [partition, records] : lag) {
    auto& series = lag_series_[{topic, partition}];
    if (series == nullptr) {
      series = &lag_.Add({{"topic", topic}, {"partition", std::to_string(partition)}});
    }
    series->Set(static_cast<double>(records));
  }
}

void RouterMetrics::data_loss(const std::string& topic, uint64_t events_so_far) {
  std::lock_guard lock(mutex_);
  uint64_t& seen = data_loss_seen_[topic];
  auto& counter = data_loss_.Add({{"topic", topic}});
  if (events_so_far > seen) counter.Increment(static_cast<double>(events_so_far - seen));
  seen = events_so_far;
}

}  // namespace lexroute
