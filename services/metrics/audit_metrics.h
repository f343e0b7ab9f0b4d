#pragma once

#include <string>
#include <vector>

#include "lexroute/v1/task.pb.h"
#include "services/metrics/task_metrics.h"
#include "services/redis/task_store.h"

namespace lexroute {

// Feeds TaskMetrics from the audit trail as the event relay sends it to Kafka. An event names
// the task but not its kind or earlier step times, so one pipelined read of the task records
// per batch adds them.
class AuditMetrics {
 public:
  AuditMetrics(TaskStore& store, TaskMetrics& tasks) : store_(store), tasks_(tasks) {}

  // Events of one pool, just acknowledged by Kafka. A failed read skips the batch's latencies
  // but still counts its steps.
  void relayed(const std::string& pool, const std::vector<v1::TaskEvent>& events);

 private:
  TaskStore& store_;
  TaskMetrics& tasks_;
};

}  // namespace lexroute
