#pragma once

#include <array>
#include <optional>

#include "router/staff.h"
#include "router/task_requirements.h"

namespace lexroute {

// The hard constraints, in the order they are checked (and reported). Those up to and including
// kExcluded never change on their own: a task failing them for everyone can never be routed.
// The last three are momentary: waiting can help.
enum class Constraint {
  kVendor,
  kSkills,
  kLanguages,
  kJurisdiction,
  kClearance,
  kResidency,
  kEthicalWall,
  kExcluded,
  kAvailable,
  kOnShift,
  kCapacity,
};
inline constexpr size_t kConstraintCount = 11;

const char* constraint_name(Constraint c);
// A phrase for reasons: "skills doc-review>=3", "residency eu", "ethical walls".
std::string describe_requirement(Constraint c, const TaskRequirements& task);

// The first constraint `staff` fails for `task` that never changes on its own, or nothing.
std::optional<Constraint> first_lasting_failure(const StaffProfile& staff,
                                                const TaskRequirements& task);

bool walled_off(const StaffProfile& staff, const TaskRequirements& task);

}  // namespace lexroute
