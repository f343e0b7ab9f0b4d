#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <chrono>

#include "lexroute/v1/task.pb.h"
#include "router/error.h"

namespace lexroute {

// What intake counts: tasks Kafka acknowledged, how long the firm waited for that, and
// submissions that failed (by error code, so invalid requests and outages can be told apart).
class IntakeMetrics {
 public:
  explicit IntakeMetrics(prometheus::Registry& registry);

  // A submission answered OK. `published`: this call put the task into Kafka (a new task, or a
  // retry completing an earlier attempt that failed); otherwise it was a duplicate.
  void acknowledged(const v1::TaskSpec& spec, bool published);
  // `rpc`: "SubmitTask" or "SubmitTasks"; `waited`: from reading the request to the OK answer.
  void answered(const char* rpc, std::chrono::steady_clock::duration waited);
  void failed(Errc code);

 private:
  prometheus::Family<prometheus::Counter>& submitted_;
  prometheus::Family<prometheus::Counter>& duplicates_;
  prometheus::Family<prometheus::Counter>& errors_;
  prometheus::Family<prometheus::Histogram>& ack_seconds_;
};

}  // namespace lexroute
