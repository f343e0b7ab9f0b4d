#include "services/metrics/audit_metrics.h"

#include <google/protobuf/util/time_util.h>

namespace lexroute {

void AuditMetrics::relayed(const std::string& pool, const std::vector<v1::TaskEvent>& events) {
  // Only the steps TaskMetrics counts need the task record: a QUEUED step, one in four of a
  // task's life, needs none.
  std::vector<const v1::TaskEvent*> counted;
  std::vector<std::string> ids;
  for (const auto& e : events) {
    if (!TaskMetrics::counts(e.from(), e.to(), e.reason())) continue;
    counted.push_back(&e);
    ids.push_back(e.task_id());
  }
  if (counted.empty()) return;
  auto times = store_.step_times(pool, ids);
  for (size_t i = 0; i < counted.size(); ++i) {
    const v1::TaskEvent& e = *counted[i];
    TaskStep step;
    step.pool = pool;
    step.from = e.from();
    step.to = e.to();
    step.actor = e.actor();
    step.reason = e.reason();
    step.at_ms = google::protobuf::util::TimeUtil::TimestampToMilliseconds(e.at());
    if (times) {
      const TaskStore::StepTimes& t = (*times)[i];
      step.kind = t.kind;
      step.submitted_ms = t.submitted_ms;
      step.offered_ms = t.offered_ms;
      step.accepted_ms = t.accepted_ms;
    }
    tasks_.step(step);
  }
}

}  // namespace lexroute
