#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lexroute {

struct SkillLevel {
  std::string skill;
  int proficiency = 0;  // 1 (novice) to 5 (expert)
};

// What the router knows about a staff member that changes rarely (the roster).
struct StaffProfile {
  std::string id;
  std::string pool;
  int capacity = 1;
  std::vector<SkillLevel> skills;

  // The staff member's level in `skill`, 0 when they do not have it.
  int proficiency(const std::string& skill) const;
};

enum class Availability { kOffline, kAvailable, kOnBreak };

// What changes with every offer and completion; Redis holds the truth, the router a recent copy.
struct StaffState {
  Availability availability = Availability::kOffline;
  int load = 0;  // open offers plus accepted tasks
};

}  // namespace lexroute
