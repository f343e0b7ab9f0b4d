#pragma once

#include <absl/time/time.h>

#include <array>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "router/constraints.h"
#include "router/staff.h"
#include "router/task_requirements.h"

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

// What the directory concluded about one task at one moment.
struct Decision {
  size_t pool_staff = 0;  // staff in the pool
  size_t examined = 0;    // of those, checked one by one (the rest lacked a required skill or
                          // were not needed: enough eligible staff had been found)
  std::array<size_t, kConstraintCount> removed{};  // by the first constraint each one failed
  size_t eligible = 0;                             // eligible now among those examined
  std::vector<ScoreParts> ranked;                  // the best of them, best first
  // When nobody is eligible now (every staff member was examined):
  size_t qualified = 0;  // staff passing every lasting constraint
  std::optional<absl::Time> expected_start;  // earliest moment a qualified one is on shift
  // The lasting constraint that removed the last qualified staff, when qualified == 0.
  std::optional<Constraint> blocking;
};

// The router's in-memory view of one pool's roster and of each staff member's state. Pure: the
// router service fills it from Redis and asks it without I/O. Not thread-safe.
//
// A decision does not scan the pool: it walks only the staff holding the task's rarest required
// skill, starting at a rotating position, and stops once it has found enough eligible staff to
// score. Only when nobody is eligible does it examine everyone with that skill, to say why and
// until when.
class StaffDirectory {
 public:
  void upsert(StaffProfile profile);
  void remove(const std::string& staff_id);
  // `now` marks when a staff member became idle, for the longest-idle strategy.
  void set_state(const std::string& staff_id, StaffState state,
                 absl::Time now = absl::InfinitePast());
  // Remembers an offer, for matter affinity and round robin.
  void note_offer(const std::string& staff_id, const TaskRequirements& task, absl::Time now);
  const StaffState* state(const std::string& staff_id) const;
  const StaffProfile* profile(const std::string& staff_id) const;
  size_t size() const { return by_id_.size(); }

  Decision decide(const TaskRequirements& task, absl::Time now, BalanceStrategy strategy,
                  size_t top_k = 5) const;

  // Convenience: the ids of decide()'s ranked staff.
  std::vector<std::string> candidates(const TaskRequirements& task, absl::Time now,
                                      size_t top_k = 5) const;
  bool anyone_has_room() const;

  // Eligible staff found before a decision stops walking and scores.
  static constexpr size_t kEnoughEligible = 32;

 private:
  struct ShiftCache {
    absl::Time computed_for = absl::InfinitePast();
    absl::Time valid_until = absl::InfinitePast();
    bool on_shift = false;
    absl::Time shift_end;    // when on shift
    absl::Time next_start;   // when off shift (InfiniteFuture: none within the horizon)
  };
  struct Entry {
    StaffProfile profile;
    StaffState state;
    absl::Time idle_since = absl::InfinitePast();
    absl::Time last_offer = absl::InfinitePast();
    std::deque<std::string> recent_matters;  // "firm|matter", newest first
    bool removed = false;
    mutable ShiftCache shift;
  };

  const ShiftCache& shift_at(const Entry& e, absl::Time now) const;
  ScoreParts score(const Entry& e, const TaskRequirements& task, absl::Time now,
                   BalanceStrategy strategy) const;
  void rebuild_index() const;

  std::vector<Entry> entries_;
  std::unordered_map<std::string, size_t> by_id_;
  mutable bool index_dirty_ = true;
  mutable std::unordered_map<std::string, std::vector<uint32_t>> by_skill_;
  mutable size_t cursor_ = 0;
};

}  // namespace lexroute
