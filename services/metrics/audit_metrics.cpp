#include "services/metrics/audit_metrics.h"

#include <google/protobuf/util/time_util.h>

#include "router/text.h"
#include "services/redis/keys.h"

namespace lexroute {

void AuditMetrics::relayed(const std::string& pool, const std::vector<v1::TaskEvent>& events) {
  // Only the steps TaskMetrics counts need the task record: a QUEUED step, one in four of a
  // task's life, needs none.
  std::vector<const v1::TaskEvent*> counted;
  std::vector<std::vector<std::string>> reads;
  for (const auto& e : events) {
    if (!TaskMetrics::counts(e.from(), e.to(), e.reason())) continue;
    counted.push_back(&e);
    reads.push_back({"HMGET", keys::task(pool, e.task_id()), "spec", "submitted_ms", "offered_ms",
                     "accepted_ms"});
  }
  if (counted.empty()) return;
  auto records = redis_.pipeline(reads);
  for (size_t i = 0; i < counted.size(); ++i) {
    const v1::TaskEvent& e = *counted[i];
    TaskStep step;
    step.pool = pool;
    step.from = e.from();
    step.to = e.to();
    step.actor = e.actor();
    step.reason = e.reason();
    step.at_ms = google::protobuf::util::TimeUtil::TimestampToMilliseconds(e.at());
    if (records && (*records)[i].elements.size() == 4) {
      const auto& f = (*records)[i].elements;
      v1::TaskSpec spec;
      if (!f[0].is_nil() && spec.ParseFromString(f[0].str)) step.kind = spec.kind();
      if (!f[1].is_nil()) (void)parse_int(f[1].str, &step.submitted_ms);
      if (!f[2].is_nil()) (void)parse_int(f[2].str, &step.offered_ms);
      if (!f[3].is_nil()) (void)parse_int(f[3].str, &step.accepted_ms);
    }
    tasks_.step(step);
  }
}

}  // namespace lexroute
