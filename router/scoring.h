#pragma once

#include <absl/time/time.h>

#include <string>

namespace lexroute {

// How a pool breaks ties among equally suitable staff.
enum class BalanceStrategy { kLeastLoaded, kLongestIdle, kRoundRobin };

// One eligible staff member's score, with its parts (docs/routing.md has the formula).
struct ScoreParts {
  std::string staff_id;
  double score = 0;
  double affinity = 0;   // 1: worked this firm's matter recently
  double fit = 0;        // 1: exactly as qualified as needed; lower: over-qualified
  double shift_fit = 0;  // 1: enough of the shift left for the effort
  double balance = 0;    // the pool's strategy
};

// What the score of one eligible staff member for one task depends on. StaffDirectory finds
// these in its packed index; the policy below is all that weighs them.
struct ScoreInputs {
  bool worked_matter_recently = false;
  int required_skills = 0;
  int proficiency_surplus = 0;  // summed over the required skills: level held - level asked
  double minutes_left_on_shift = 0;
  int effort_minutes = 0;
  int load = 0;
  int capacity = 1;
  absl::Time idle_since = absl::InfinitePast();  // InfinitePast: never held work
  absl::Time last_offer = absl::InfinitePast();  // InfinitePast: never offered any
};

// The scoring policy: enough shift left matters most, then keeping a matter with people who know
// it, then not over-qualifying, then the pool's balance.
ScoreParts score(const ScoreInputs& in, absl::Time now, BalanceStrategy strategy);

}  // namespace lexroute
