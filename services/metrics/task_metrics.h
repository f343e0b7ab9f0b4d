#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "lexroute/v1/task.pb.h"

namespace lexroute {

// One step of a task's life as the audit trail records it, with what the task record says
// about when the earlier steps happened (0 when unknown).
struct TaskStep {
  std::string pool;
  v1::TaskKind kind = v1::TASK_KIND_UNSPECIFIED;
  v1::TaskStatus from = v1::TASK_STATUS_UNSPECIFIED;
  v1::TaskStatus to = v1::TASK_STATUS_UNSPECIFIED;
  std::string actor;
  std::string reason;
  int64_t at_ms = 0;
  int64_t submitted_ms = 0;
  int64_t offered_ms = 0;
  int64_t accepted_ms = 0;
};

// Task life-cycle counters and step latencies, fed from the audit trail (every transition is
// an event there, whichever service made it), so the gateway and the router need no code for
// them. Delivery of audit events is at least once: a relay crash can count a step twice.
class TaskMetrics {
 public:
  explicit TaskMetrics(prometheus::Registry& registry);

  void step(const TaskStep& step);
  // Whether step() counts a step from `from` to `to` at all: the others need no task record read.
  static bool counts(v1::TaskStatus from, v1::TaskStatus to, std::string_view reason);

 private:
  prometheus::Family<prometheus::Counter>& offered_;
  prometheus::Family<prometheus::Counter>& accepted_;
  prometheus::Family<prometheus::Counter>& completed_;
  prometheus::Family<prometheus::Counter>& rejected_;
  prometheus::Family<prometheus::Counter>& timed_out_;
  prometheus::Family<prometheus::Counter>& taken_back_;
  prometheus::Family<prometheus::Counter>& expired_;
  prometheus::Family<prometheus::Counter>& cancelled_;
  prometheus::Family<prometheus::Counter>& overdue_;
  prometheus::Family<prometheus::Histogram>& submit_to_offer_;
  prometheus::Family<prometheus::Histogram>& offer_to_accept_;
  prometheus::Family<prometheus::Histogram>& accept_to_complete_;
};

}  // namespace lexroute
