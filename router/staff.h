#pragma once

#include <absl/time/time.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "router/schedule.h"

namespace lexroute {

struct SkillLevel {
  std::string skill;
  int proficiency = 0;  // 1 (novice) to 5 (expert)
};

// A conflict-of-interest screen: applies to a task when every non-empty field matches.
struct EthicalWall {
  std::string firm;
  std::string matter;
  std::string party;  // lower case
};

// What the router knows about a staff member that changes rarely (the roster).
struct StaffProfile {
  std::string id;
  std::string pool;
  std::string vendor;
  std::string region;
  int capacity = 1;
  std::vector<SkillLevel> skills;
  std::vector<std::string> languages;      // lower case
  std::vector<std::string> jurisdictions;  // lower case
  int clearance = 0;
  std::vector<EthicalWall> walls;
  // None: on shift whenever signed in.
  std::optional<Schedule> schedule;

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
