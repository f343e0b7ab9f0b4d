#include "router/staff_directory.h"

#include <algorithm>
#include <tuple>

namespace lexroute {

void StaffDirectory::upsert(StaffProfile profile) {
  auto& entry = staff_[profile.id];
  entry.profile = std::move(profile);
}

void StaffDirectory::remove(const std::string& staff_id) { staff_.erase(staff_id); }

void StaffDirectory::set_state(const std::string& staff_id, StaffState state) {
  auto it = staff_.find(staff_id);
  if (it != staff_.end()) it->second.state = state;
}

const StaffState* StaffDirectory::state(const std::string& staff_id) const {
  auto it = staff_.find(staff_id);
  return it == staff_.end() ? nullptr : &it->second.state;
}

const StaffProfile* StaffDirectory::profile(const std::string& staff_id) const {
  auto it = staff_.find(staff_id);
  return it == staff_.end() ? nullptr : &it->second.profile;
}

bool StaffDirectory::qualified(const StaffProfile& profile, const TaskRequirements& task) {
  if (profile.pool != task.pool) return false;
  if (task.excluded_staff.contains(profile.id)) return false;
  return std::ranges::all_of(task.skills, [&](const SkillLevel& need) {
    return profile.proficiency(need.skill) >= need.proficiency;
  });
}

bool StaffDirectory::has_room(const Entry& entry) {
  return entry.state.availability == Availability::kAvailable &&
         entry.state.load < entry.profile.capacity;
}

bool StaffDirectory::eligible(const std::string& staff_id, const TaskRequirements& task) const {
  auto it = staff_.find(staff_id);
  return it != staff_.end() && has_room(it->second) && qualified(it->second.profile, task);
}

size_t StaffDirectory::count_qualified(const TaskRequirements& task) const {
  return static_cast<size_t>(std::ranges::count_if(
      staff_, [&](const auto& kv) { return qualified(kv.second.profile, task); }));
}

bool StaffDirectory::anyone_has_room() const {
  return std::ranges::any_of(staff_, [](const auto& kv) { return has_room(kv.second); });
}

std::vector<std::string> StaffDirectory::candidates(const TaskRequirements& task,
                                                    size_t limit) const {
  // Load relative to capacity, then how far above the required levels the person is: a senior
  // reviewer should not be burnt on work a junior can do.
  using Rank = std::tuple<double, int, const std::string*>;
  std::vector<Rank> ranked;
  for (const auto& [id, entry] : staff_) {
    if (!has_room(entry) || !qualified(entry.profile, task)) continue;
    int surplus = 0;
    for (const auto& need : task.skills) {
      surplus += entry.profile.proficiency(need.skill) - need.proficiency;
    }
    double load = static_cast<double>(entry.state.load) / entry.profile.capacity;
    ranked.emplace_back(load, surplus, &id);
  }
  auto by_rank = [](const Rank& a, const Rank& b) {
    return std::tie(std::get<0>(a), std::get<1>(a), *std::get<2>(a)) <
           std::tie(std::get<0>(b), std::get<1>(b), *std::get<2>(b));
  };
  size_t keep = std::min(limit, ranked.size());
  std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(keep),
                    ranked.end(), by_rank);
  std::vector<std::string> out;
  out.reserve(keep);
  for (size_t i = 0; i < keep; ++i) out.push_back(*std::get<2>(ranked[i]));
  return out;
}

}  // namespace lexroute
