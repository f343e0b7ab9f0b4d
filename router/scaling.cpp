#include "router/scaling.h"

#include <absl/strings/str_format.h>

#include <algorithm>
#include <numeric>

#include "router/text.h"

namespace lexroute {
namespace {

// Cumulative demand: by checkpoint k, `minutes[k]` of work must be done.
struct Demand {
  std::vector<absl::Time> at;
  std::vector<double> minutes;
};

Demand demand_of(const ScalingInput& in, const ScalingSettings& s) {
  std::vector<BacklogItem> items = in.backlog;
  for (auto& item : items) item.deadline = std::max(item.deadline, in.now + s.overdue_horizon);
  std::sort(items.begin(), items.end(),
            [](const auto& a, const auto& b) { return a.deadline < b.deadline; });
  Demand d;
  double total = 0;
  for (const auto& item : items) {
    total += item.effort_minutes;
    if (!d.at.empty() && d.at.back() == item.deadline) {
      d.minutes.back() = total;
    } else {
      d.at.push_back(item.deadline);
      d.minutes.push_back(total);
    }
  }
  if (d.at.size() > s.max_checkpoints) {
    // Keep evenly spaced checkpoints and always the last; each keeps the demand due by it.
    Demand kept;
    size_t n = d.at.size();
    for (size_t i = 1; i <= s.max_checkpoints; ++i) {
      size_t k = i * n / s.max_checkpoints - 1;
      kept.at.push_back(d.at[k]);
      kept.minutes.push_back(d.minutes[k]);
    }
    d = std::move(kept);
  }
  return d;
}

// A worker's working minutes from now to each checkpoint, times utilization.
std::vector<double> supply_of(const ScalingWorker& w, absl::Time now, const Demand& d,
                              double utilization) {
  std::vector<double> out(d.at.size());
  double total = 0;
  absl::Time from = now;
  for (size_t k = 0; k < d.at.size(); ++k) {
    total += working_minutes(w.schedule, from, d.at[k]) * utilization;
    from = d.at[k];
    out[k] = total;
  }
  return out;
}

// The first checkpoint where `supply` falls short of `demand` times `factor`, or npos.
size_t first_shortfall(const std::vector<double>& supply, const Demand& d, double factor) {
  for (size_t k = 0; k < d.at.size(); ++k) {
    if (supply[k] + 1e-6 < d.minutes[k] * factor) return k;
  }
  return std::string::npos;
}

void add(std::vector<double>& total, const std::vector<double>& more, double sign = 1) {
  for (size_t k = 0; k < total.size(); ++k) total[k] += sign * more[k];
}

bool on_shift(const ScalingWorker& w, absl::Time now) {
  return !w.schedule || w.schedule->on_shift(now);
}

}  // namespace

double working_minutes(const std::optional<Schedule>& schedule, absl::Time from, absl::Time to) {
  if (to <= from) return 0;
  if (!schedule) return absl::ToDoubleMinutes(to - from);
  double total = 0;
  absl::Time t = from;
  while (t < to) {
    auto start = schedule->next_shift_start(t, to - t);
    if (!start || *start >= to) break;
    auto end = schedule->shift_end(*start);
    if (!end || *end <= *start) break;
    total += absl::ToDoubleMinutes(std::min(*end, to) - *start);
    t = *end;
  }
  return total;
}

ScalingPlan plan_scaling(const ScalingInput& in, const ScalingSettings& s) {
  ScalingPlan plan;
  plan.active = static_cast<int>(in.active.size());
  for (const auto& b : in.bench) plan.bench_on_shift += on_shift(b, in.now) ? 1 : 0;
  for (const auto& item : in.backlog) {
    plan.backlog_minutes += item.effort_minutes;
    if (!plan.earliest_deadline || item.deadline < *plan.earliest_deadline) {
      plan.earliest_deadline = item.deadline;
    }
  }
  const int max_active = std::max(in.max_active, 0);
  const int min_active = std::clamp(in.min_active, 0, max_active);

  // Called-in staff, the ones with the least working time left first: released first.
  std::vector<const ScalingWorker*> releasable;
  for (const auto& w : in.active) {
    if (w.called_in) releasable.push_back(&w);
  }
  auto release_down_to = [&](int floor, const std::string& why) {
    int count = plan.active;
    for (const auto* w : releasable) {
      if (count <= floor) break;
      plan.release.push_back(w->staff_id);
      --count;
    }
    plan.desired = std::max(count, min_active);
    plan.reason = why;
  };

  bool before_window = in.surge_start && in.now < *in.surge_start;
  bool after_window = in.surge_end && in.now >= *in.surge_end;
  if (after_window) {
    release_down_to(0, "the surge window ended " + format_utc(*in.surge_end) +
                           ": the pool drains and releases everyone called in");
    return plan;
  }
  if (in.backlog.empty() || before_window) {
    release_down_to(min_active, before_window ? "the surge window has not started"
                                              : "no backlog: release down to the minimum");
    return plan;
  }

  Demand demand = demand_of(in, s);
  std::vector<double> supply(demand.at.size(), 0.0);
  for (const auto& w : in.active) add(supply, supply_of(w, in.now, demand, s.utilization));

  size_t short_at = first_shortfall(supply, demand, 1.0);
  if (short_at == std::string::npos) {
    // Enough already. Release only with headroom to spare, and not soon after a call-in.
    bool cooling = in.last_call_in && in.now - *in.last_call_in < s.release_cooldown;
    int count = plan.active;
    if (!cooling) {
      std::vector<std::pair<double, const ScalingWorker*>> by_remaining;
      for (const auto* w : releasable) {
        by_remaining.emplace_back(working_minutes(w->schedule, in.now, demand.at.back()), w);
      }
      std::sort(by_remaining.begin(), by_remaining.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first < b.first : a.second->staff_id < b.second->staff_id;
      });
      for (const auto& [remaining, w] : by_remaining) {
        if (count <= min_active) break;
        std::vector<double> without = supply;
        add(without, supply_of(*w, in.now, demand, s.utilization), -1);
        if (first_shortfall(without, demand, 1.0 + s.release_headroom) != std::string::npos) {
          continue;
        }
        supply = std::move(without);
        plan.release.push_back(w->staff_id);
        --count;
      }
    }
    plan.desired = std::max(count, min_active);
    plan.reason = cat(plan.active, " active staff can finish ", plan.backlog_minutes,
                      " minutes of work by ", format_utc(demand.at.back()),
                      cooling ? " (no releases within the cooldown after a call-in)" : "");
    if (plan.desired > count) plan.reason += cat("; keeping the minimum of ", min_active);
    return plan;
  }

  // Short: add bench staff, the ones who cover most of what is missing first, until the backlog
  // fits or max is reached. Only those in working hours now are called in now; the others
  // count towards `desired` and are called in when their working hours begin.
  std::vector<std::vector<double>> bench_supply;
  for (const auto& b : in.bench)
    bench_supply.push_back(supply_of(b, in.now, demand, s.utilization));
  std::vector<bool> chosen(in.bench.size(), false);
  int count = plan.active;
  while (short_at != std::string::npos && count < max_active) {
    double best_gain = 0;
    size_t best = in.bench.size();
    for (size_t i = 0; i < in.bench.size(); ++i) {
      if (chosen[i]) continue;
      double gain = 0;
      for (size_t k = 0; k < demand.at.size(); ++k) {
        double missing = std::max(0.0, demand.minutes[k] - supply[k]);
        gain += std::min(missing, bench_supply[i][k]);
      }
      bool better = gain > best_gain + 1e-9 ||
                    (best < in.bench.size() && std::abs(gain - best_gain) <= 1e-9 &&
                     on_shift(in.bench[i], in.now) && !on_shift(in.bench[best], in.now));
      if (better) {
        best_gain = gain;
        best = i;
      }
    }
    if (best == in.bench.size()) break;  // nobody left who works before the deadlines
    chosen[best] = true;
    add(supply, bench_supply[best]);
    ++count;
    if (on_shift(in.bench[best], in.now)) plan.call_in.push_back(in.bench[best].staff_id);
    short_at = first_shortfall(supply, demand, 1.0);
  }
  // The minimum counts whatever the backlog: fill it from whoever is in working hours.
  for (size_t i = 0; i < in.bench.size() && count < min_active; ++i) {
    if (chosen[i] || !on_shift(in.bench[i], in.now)) continue;
    chosen[i] = true;
    plan.call_in.push_back(in.bench[i].staff_id);
    ++count;
  }
  plan.desired = std::max(count, min_active);
  if (short_at == std::string::npos) {
    plan.reason = cat(plan.desired, " staff can finish ", plan.backlog_minutes,
                      " minutes of work by ", format_utc(demand.at.back()), "; ",
                      plan.call_in.size(), " in working hours called in now");
  } else {
    plan.deadline_at_risk = true;
    double missing = demand.minutes[short_at] - supply[short_at];
    plan.reason = cat("deadline at risk: ", absl::StrFormat("%.0f", missing),
                      " staff-minutes short by ", format_utc(demand.at[short_at]),
                      count >= max_active ? cat(" with the pool at its maximum of ", max_active)
                                          : std::string(" with every bench member counted"),
                      "; ", plan.call_in.size(), " in working hours called in now");
  }
  return plan;
}

}  // namespace lexroute
