#include "tests/fakes/fake_roster_source.h"

namespace lexroute::testing {

Result<std::vector<std::string>> FakeRosterSource::pools() {
  std::lock_guard lock(mutex_);
  std::vector<std::string> names;
  for (const auto& [name, pool] : pools_) names.push_back(name);
  return names;
}

Result<void> FakeRosterSource::register_pool(const std::string& pool) {
  std::lock_guard lock(mutex_);
  pools_[pool];
  return {};
}

Result<int64_t> FakeRosterSource::roster_version(const std::string& pool) {
  std::lock_guard lock(mutex_);
  return pools_[pool].roster_version;
}

Result<std::vector<v1::Staff>> FakeRosterSource::roster(const std::string& pool) {
  std::lock_guard lock(mutex_);
  std::vector<v1::Staff> out;
  for (const auto& [id, staff] : pools_[pool].roster) out.push_back(staff);
  return out;
}

Result<PoolSettings> FakeRosterSource::settings(const std::string& pool) {
  std::lock_guard lock(mutex_);
  return pools_[pool].settings;
}

Result<std::unordered_map<std::string, StaffState>> FakeRosterSource::states(
    const std::string& pool) {
  std::lock_guard lock(mutex_);
  std::unordered_map<std::string, StaffState> out;
  for (const auto& [id, state] : pools_[pool].states) out[id] = state;
  return out;
}

Result<std::unordered_map<std::string, StaffState>> FakeRosterSource::states(
    const std::string& pool, const std::vector<std::string>& ids) {
  std::lock_guard lock(mutex_);
  std::unordered_map<std::string, StaffState> out;
  const Pool& p = pools_[pool];
  for (const auto& id : ids) {
    if (auto it = p.states.find(id); it != p.states.end()) out[id] = it->second;
  }
  return out;
}

void FakeRosterSource::upsert(const v1::Staff& staff) {
  std::lock_guard lock(mutex_);
  Pool& p = pools_[staff.pool()];
  p.roster[staff.id()] = staff;
  p.states.try_emplace(staff.id());
  ++p.roster_version;
}

void FakeRosterSource::configure(const std::string& pool, const PoolSettings& settings) {
  std::lock_guard lock(mutex_);
  Pool& p = pools_[pool];
  p.settings = settings;
  ++p.roster_version;
}

void FakeRosterSource::set_state(const std::string& pool, const std::string& staff_id,
                                 StaffState state) {
  std::lock_guard lock(mutex_);
  pools_[pool].states[staff_id] = state;
}

StaffState FakeRosterSource::state(const std::string& pool, const std::string& staff_id) {
  std::lock_guard lock(mutex_);
  return pools_[pool].states[staff_id];
}

bool FakeRosterSource::has_room(const std::string& pool, const std::string& staff_id) {
  std::lock_guard lock(mutex_);
  Pool& p = pools_[pool];
  auto staff = p.roster.find(staff_id);
  if (staff == p.roster.end()) return false;
  const StaffState& s = p.states[staff_id];
  return s.availability == Availability::kAvailable && s.load < staff->second.capacity();
}

void FakeRosterSource::add_load(const std::string& pool, const std::string& staff_id, int by) {
  std::lock_guard lock(mutex_);
  pools_[pool].states[staff_id].load += by;
}

}  // namespace lexroute::testing
