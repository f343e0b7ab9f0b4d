#include "router/parking.h"

#include "router/constraints.h"
#include "router/text.h"

namespace lexroute {
bool sla_at_risk(absl::Time start, absl::Duration effort, absl::Time deadline) {
  return start + effort + kSlaMargin > deadline;
}

Parking park(const ParkingInput& in) {
  const Decision& d = in.decision;
  Parking p;
  if (offers_exhausted(in.attempts, in.max_offer_attempts)) {
    p.status = Parking::Status::kUnroutable;
    p.reason = cat("offered ", in.attempts, " times; every offer was declined or timed out");
    p.because = "max_offer_attempts";
    return p;
  }
  if (d.qualified == 0) {
    Constraint blocking = d.blocking.value_or(Constraint::kSkills);
    p.status = Parking::Status::kUnroutable;
    p.because = constraint_name(blocking);
    p.reason = cat(describe_requirement(blocking, in.task), ": 0 of ", d.pool_staff,
                   " staff in pool ", in.task.pool, " eligible");
    return p;
  }
  absl::Duration effort = absl::Minutes(in.task.effort_minutes);
  if (d.expected_start && *d.expected_start > in.now) {
    p.expected_start = d.expected_start;
    p.reason = cat("no qualified staff on shift; the earliest shift starts ",
                   format_utc(*d.expected_start));
    p.sla_at_risk = sla_at_risk(*d.expected_start, effort, in.task.deadline);
  } else if (d.expected_start) {
    p.reason = cat("all ", d.qualified, " qualified staff in pool ", in.task.pool,
                   " are busy or not signed in");
    p.sla_at_risk = sla_at_risk(in.now, effort, in.task.deadline);
  } else {
    p.reason = "no qualified staff has a shift in the next 14 days";
    p.sla_at_risk = true;
  }
  if (p.sla_at_risk) p.reason += cat("; SLA at risk: deadline ", format_utc(in.task.deadline));
  return p;
}

}  // namespace lexroute
