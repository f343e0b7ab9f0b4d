#include "router/constraints.h"

#include <algorithm>

#include "router/text.h"

namespace lexroute {
namespace {

bool contains(const std::vector<std::string>& haystack, const std::string& needle) {
  return std::find(haystack.begin(), haystack.end(), needle) != haystack.end();
}

}  // namespace

const char* constraint_name(Constraint c) {
  switch (c) {
    case Constraint::kVendor:
      return "vendor";
    case Constraint::kSkills:
      return "skills";
    case Constraint::kLanguages:
      return "languages";
    case Constraint::kJurisdiction:
      return "jurisdiction";
    case Constraint::kClearance:
      return "clearance";
    case Constraint::kResidency:
      return "residency";
    case Constraint::kEthicalWall:
      return "ethical_wall";
    case Constraint::kExcluded:
      return "already_declined";
    case Constraint::kAvailable:
      return "available";
    case Constraint::kOnShift:
      return "on_shift";
    case Constraint::kCapacity:
      return "capacity";
  }
  return "?";
}

std::string describe_requirement(Constraint c, const TaskRequirements& task) {
  auto join = [](const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
    return out;
  };
  switch (c) {
    case Constraint::kVendor:
      return cat("vendor ", task.vendor);
    case Constraint::kSkills: {
      std::string out = "skills";
      for (const auto& s : task.skills) out += cat(" ", s.skill, ">=", s.proficiency);
      return out;
    }
    case Constraint::kLanguages:
      return cat("languages ", join(task.languages));
    case Constraint::kJurisdiction:
      return cat("jurisdiction ", task.jurisdiction);
    case Constraint::kClearance:
      return cat("clearance >= ", task.confidentiality_tier);
    case Constraint::kResidency:
      return cat("residency ", join(task.allowed_regions));
    case Constraint::kEthicalWall:
      return "ethical walls";
    case Constraint::kExcluded:
      return "not already declined";
    case Constraint::kAvailable:
      return "signed in and available";
    case Constraint::kOnShift:
      return "on shift";
    case Constraint::kCapacity:
      return "spare capacity";
  }
  return "?";
}

bool walled_off(const StaffProfile& staff, const TaskRequirements& task) {
  for (const auto& wall : staff.walls) {
    bool firm_matches = wall.firm.empty() || wall.firm == task.firm;
    bool matter_matches = wall.matter.empty() || wall.matter == task.matter;
    bool party_matches = wall.party.empty() || contains(task.parties, wall.party);
    if (firm_matches && matter_matches && party_matches) return true;
  }
  return false;
}

std::optional<Constraint> first_lasting_failure(const StaffProfile& staff,
                                                const TaskRequirements& task) {
  if (!task.vendor.empty() && staff.vendor != task.vendor) return Constraint::kVendor;
  for (const auto& need : task.skills) {
    if (staff.proficiency(need.skill) < need.proficiency) return Constraint::kSkills;
  }
  for (const auto& lang : task.languages) {
    if (!contains(staff.languages, lang)) return Constraint::kLanguages;
  }
  if (!task.jurisdiction.empty() && !contains(staff.jurisdictions, task.jurisdiction)) {
    return Constraint::kJurisdiction;
  }
  if (staff.clearance < task.confidentiality_tier) return Constraint::kClearance;
  if (!task.allowed_regions.empty() && !contains(task.allowed_regions, staff.region)) {
    return Constraint::kResidency;
  }
  if (walled_off(staff, task)) return Constraint::kEthicalWall;
  if (task.excluded_staff.contains(staff.id)) return Constraint::kExcluded;
  return std::nullopt;
}

}  // namespace lexroute
