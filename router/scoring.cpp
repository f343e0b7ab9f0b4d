#include "router/scoring.h"

#include <algorithm>

namespace lexroute {
namespace {

constexpr double kShiftWeight = 8;
constexpr double kAffinityWeight = 3;
constexpr double kFitWeight = 2;
constexpr double kBalanceWeight = 1;

// Up to an hour counts: past that, everyone idle that long is as rested as the next.
double hours_since(absl::Time then, absl::Time now) {
  if (then == absl::InfinitePast()) return 1.0;
  return std::clamp(absl::ToDoubleHours(now - then), 0.0, 1.0);
}

}  // namespace

ScoreParts score(const ScoreInputs& in, absl::Time now, BalanceStrategy strategy) {
  ScoreParts p;
  p.affinity = in.worked_matter_recently ? 1.0 : 0.0;
  p.fit = in.required_skills == 0
              ? 1.0
              : 1.0 - in.proficiency_surplus / (4.0 * static_cast<double>(in.required_skills));
  p.shift_fit = in.effort_minutes <= 0 || in.minutes_left_on_shift >= in.effort_minutes
                    ? 1.0
                    : std::max(0.0, in.minutes_left_on_shift / in.effort_minutes);
  switch (strategy) {
    case BalanceStrategy::kLeastLoaded:
      p.balance = 1.0 - static_cast<double>(in.load) / in.capacity;
      break;
    case BalanceStrategy::kLongestIdle:
      p.balance = in.load > 0 ? 0.0 : hours_since(in.idle_since, now);
      break;
    case BalanceStrategy::kRoundRobin:
      p.balance = hours_since(in.last_offer, now);
      break;
  }
  p.score = kShiftWeight * p.shift_fit + kAffinityWeight * p.affinity + kFitWeight * p.fit +
            kBalanceWeight * p.balance;
  return p;
}

}  // namespace lexroute
