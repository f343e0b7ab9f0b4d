#include "router/staff.h"

namespace lexroute {

int StaffProfile::proficiency(const std::string& skill) const {
  for (const auto& s : skills) {
    if (s.skill == skill) return s.proficiency;
  }
  return 0;
}

}  // namespace lexroute
