#pragma once

#include <absl/time/time.h>

#include <string>
#include <unordered_set>
#include <vector>

#include "router/staff.h"

namespace lexroute {

// Everything a task demands of whoever takes it, plus what scoring needs to know about it.
struct TaskRequirements {
  std::string pool;
  std::string vendor;                  // empty: any
  std::vector<SkillLevel> skills;      // minimum proficiency per skill
  std::vector<std::string> languages;  // lower case; all needed
  std::string jurisdiction;            // lower case; empty: none
  int confidentiality_tier = 0;
  std::vector<std::string> allowed_regions;  // empty: anywhere
  std::string firm;
  std::string matter;
  std::vector<std::string> parties;                // lower case
  std::unordered_set<std::string> excluded_staff;  // already rejected or timed out on this task
  int effort_minutes = 0;
  absl::Time deadline = absl::InfiniteFuture();
  int priority = 0;
};

}  // namespace lexroute
