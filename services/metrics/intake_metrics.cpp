#include "services/metrics/intake_metrics.h"

#include "services/metrics/buckets.h"
#include "services/metrics/labels.h"

namespace lexroute {

IntakeMetrics::IntakeMetrics(prometheus::Registry& registry)
    : submitted_(prometheus::BuildCounter()
                     .Name("lexroute_tasks_submitted_total")
                     .Help("Tasks intake acknowledged to a firm after Kafka stored them")
                     .Register(registry)),
      duplicates_(prometheus::BuildCounter()
                      .Name("lexroute_intake_duplicate_submissions_total")
                      .Help("Submissions answered with an earlier task (same idempotency key)")
                      .Register(registry)),
      errors_(prometheus::BuildCounter()
                  .Name("lexroute_intake_errors_total")
                  .Help("Submissions (single or bulk items) that failed, by error code")
                  .Register(registry)),
      ack_seconds_(prometheus::BuildHistogram()
                       .Name("lexroute_intake_ack_seconds")
                       .Help("From receiving a submission to acknowledging it (Kafka acked)")
                       .Register(registry)) {
  // Series that exist from the start, so the first submissions after a restart count in rates.
  duplicates_.Add({});
  for (const char* rpc : {"SubmitTask", "SubmitTasks"}) {
    ack_seconds_.Add({{"rpc", rpc}}, buckets::request_seconds());
  }
}

void IntakeMetrics::acknowledged(const v1::TaskSpec& spec, bool published) {
  if (!published) {
    duplicates_.Add({}).Increment();
    return;
  }
  submitted_
      .Add({{"pool", metric_labels::pool(spec.pool())}, {"kind", metric_labels::kind(spec.kind())}})
      .Increment();
}

void IntakeMetrics::answered(const char* rpc, std::chrono::steady_clock::duration waited) {
  ack_seconds_.Add({{"rpc", rpc}}, buckets::request_seconds())
      .Observe(std::chrono::duration<double>(waited).count());
}

void IntakeMetrics::failed(Errc code) { errors_.Add({{"code", errc_name(code)}}).Increment(); }

}  // namespace lexroute
