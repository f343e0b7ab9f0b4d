// What metrics cost on the routing path: the counters and the timer of one routing decision
// (docs/performance.md puts a decision at about 11 us), and a scrape of a busy registry.
#include <benchmark/benchmark.h>
#include <prometheus/text_serializer.h>

#include "services/metrics/metrics.h"

namespace lexroute {
namespace {

v1::TaskSubmitted task() {
  v1::TaskSubmitted t;
  t.mutable_spec()->set_pool("default");
  t.mutable_spec()->set_kind(v1::TASK_KIND_DOCUMENT_REVIEW);
  return t;
}

void BM_DecisionMetrics(benchmark::State& state) {
  Metrics metrics;
  auto t = task();
  for (auto _ : state) {
    auto started = std::chrono::steady_clock::now();
    metrics.router.decision_time("default", std::chrono::steady_clock::now() - started);
    metrics.router.decided(t, "offered");
  }
}
BENCHMARK(BM_DecisionMetrics);

void BM_AuditStep(benchmark::State& state) {
  Metrics metrics;
  TaskStep step;
  step.pool = "default";
  step.kind = v1::TASK_KIND_DOCUMENT_REVIEW;
  step.from = v1::TASK_STATUS_ACCEPTED;
  step.to = v1::TASK_STATUS_COMPLETED;
  step.at_ms = 100'000;
  step.accepted_ms = 40'000;
  for (auto _ : state) metrics.tasks.step(step);
}
BENCHMARK(BM_AuditStep);

// 20 pools x 9 kinds of every task counter and step histogram, 50 staff groups per pool.
void BM_Scrape(benchmark::State& state) {
  Metrics metrics;
  for (int p = 0; p < 20; ++p) {
    PoolSnapshot snap;
    snap.pool = "pool-" + std::to_string(p);
    for (int g = 0; g < 50; ++g) {
      snap.staff[{"vendor-" + std::to_string(g % 5), "region-" + std::to_string(g % 3),
                  "Zone/" + std::to_string(g % 10), g % 2 ? "available" : "offline"}] = g;
    }
    metrics.pools.publish(snap);
    for (int k = 1; k <= 8; ++k) {
      for (auto to :
           {v1::TASK_STATUS_OFFERED, v1::TASK_STATUS_ACCEPTED, v1::TASK_STATUS_COMPLETED}) {
        TaskStep step;
        step.pool = snap.pool;
        step.kind = static_cast<v1::TaskKind>(k);
        step.to = to;
        step.at_ms = 2000;
        step.submitted_ms = step.offered_ms = step.accepted_ms = 1000;
        metrics.tasks.step(step);
      }
    }
  }
  size_t bytes = 0;
  for (auto _ : state) {
    bytes = prometheus::TextSerializer().Serialize(metrics.registry()->Collect()).size();
  }
  state.counters["page_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_Scrape)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace lexroute

BENCHMARK_MAIN();
