#include "services/metrics/task_metrics.h"

#include "services/metrics/buckets.h"
#include "services/metrics/labels.h"

namespace lexroute {
namespace {

prometheus::Family<prometheus::Counter>& counter(prometheus::Registry& r, const char* name,
                                                 const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(r);
}

prometheus::Family<prometheus::Histogram>& histogram(prometheus::Registry& r, const char* name,
                                                     const char* help) {
  return prometheus::BuildHistogram().Name(name).Help(help).Register(r);
}

}  // namespace

TaskMetrics::TaskMetrics(prometheus::Registry& r)
    : offered_(counter(r, "lexroute_tasks_offered_total", "Offers made to a staff member")),
      accepted_(counter(r, "lexroute_tasks_accepted_total", "Offers a staff member accepted")),
      completed_(counter(r, "lexroute_tasks_completed_total", "Tasks completed by staff")),
      rejected_(counter(r, "lexroute_tasks_rejected_total", "Offers a staff member turned down")),
      timed_out_(counter(r, "lexroute_offers_timed_out_total",
                         "Offers nobody answered in time; the task went back to routing")),
      taken_back_(counter(r, "lexroute_tasks_taken_back_total",
                          "Offers or accepted work taken back because the holder went away")),
      expired_(counter(r, "lexroute_tasks_expired_total",
                       "Tasks that reached their deadline unfinished and asked to expire")),
      cancelled_(counter(r, "lexroute_tasks_cancelled_total", "Tasks the firm cancelled")),
      overdue_(counter(r, "lexroute_tasks_overdue_total",
                       "Tasks whose deadline passed before they were completed")),
      submit_to_offer_(histogram(r, "lexroute_task_submit_to_offer_seconds",
                                 "From submission to each offer of the task")),
      offer_to_accept_(histogram(r, "lexroute_task_offer_to_accept_seconds",
                                 "From an offer to the staff member accepting it")),
      accept_to_complete_(histogram(r, "lexroute_task_accept_to_complete_seconds",
                                    "From acceptance to completion")) {}

bool TaskMetrics::counts(v1::TaskStatus from, v1::TaskStatus to, std::string_view reason) {
  // pass_deadline.lua marks an unfinished task overdue with a step to the status it has.
  if (from == to) return reason.starts_with("overdue");
  switch (to) {
    case v1::TASK_STATUS_OFFERED:
    case v1::TASK_STATUS_ACCEPTED:
    case v1::TASK_STATUS_COMPLETED:
    case v1::TASK_STATUS_EXPIRED:
    case v1::TASK_STATUS_CANCELLED:
      return true;
    case v1::TASK_STATUS_WAITING:
      return from == v1::TASK_STATUS_OFFERED || from == v1::TASK_STATUS_ACCEPTED;
    default:
      return false;
  }
}

void TaskMetrics::step(const TaskStep& s) {
  if (!counts(s.from, s.to, s.reason)) return;
  prometheus::Labels labels{{"pool", metric_labels::pool(s.pool)},
                            {"kind", metric_labels::kind(s.kind)}};
  auto observe = [&](prometheus::Family<prometheus::Histogram>& family, int64_t since_ms) {
    if (since_ms <= 0 || s.at_ms < since_ms) return;  // unknown, or the record moved on
    family.Add(labels, buckets::task_step_seconds())
        .Observe(static_cast<double>(s.at_ms - since_ms) / 1000.0);
  };
  if (s.from == s.to) {
    overdue_.Add(labels).Increment();
    return;
  }
  switch (s.to) {
    case v1::TASK_STATUS_OFFERED:
      offered_.Add(labels).Increment();
      observe(submit_to_offer_, s.submitted_ms);
      return;
    case v1::TASK_STATUS_ACCEPTED:
      accepted_.Add(labels).Increment();
      observe(offer_to_accept_, s.offered_ms);
      return;
    case v1::TASK_STATUS_COMPLETED:
      completed_.Add(labels).Increment();
      observe(accept_to_complete_, s.accepted_ms);
      return;
    case v1::TASK_STATUS_EXPIRED:
      expired_.Add(labels).Increment();
      overdue_.Add(labels).Increment();
      return;
    case v1::TASK_STATUS_CANCELLED:
      cancelled_.Add(labels).Increment();
      return;
    case v1::TASK_STATUS_WAITING:
      if (s.from == v1::TASK_STATUS_OFFERED && s.actor.starts_with("staff:")) {
        rejected_.Add(labels).Increment();
      } else if (s.from == v1::TASK_STATUS_OFFERED &&
                 s.reason.find("timed out") != std::string::npos) {
        timed_out_.Add(labels).Increment();
      } else if (s.from == v1::TASK_STATUS_OFFERED || s.from == v1::TASK_STATUS_ACCEPTED) {
        taken_back_.Add(labels).Increment();
      }
      return;
    default:
      return;
  }
}

}  // namespace lexroute
