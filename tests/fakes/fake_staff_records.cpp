#include "tests/fakes/fake_staff_records.h"

namespace lexroute::testing {

Result<v1::Staff> FakeStaffRecords::get(const std::string& pool, const std::string& staff_id) {
  std::lock_guard lock(mutex_);
  if (away_) return fail(Errc::kUnavailable, "the staff records are away");
  auto it = profiles_.find({pool, staff_id});
  if (it == profiles_.end()) {
    return fail(Errc::kNotFound, "no staff member " + staff_id, "staff_id");
  }
  return it->second;
}

Result<std::vector<StaffRecords::Holdings>> FakeStaffRecords::holdings(
    const std::vector<std::pair<std::string, std::string>>& staff) {
  {
    std::lock_guard lock(mutex_);
    if (away_) return fail(Errc::kUnavailable, "the staff records are away");
  }
  std::vector<Holdings> out;
  out.reserve(staff.size());
  for (const auto& [pool, id] : staff) out.push_back(tasks_.holdings_of(pool, id));
  return out;
}

void FakeStaffRecords::add(const v1::Staff& staff) {
  std::lock_guard lock(mutex_);
  profiles_[{staff.pool(), staff.id()}] = staff;
}

void FakeStaffRecords::set_away(bool away) {
  std::lock_guard lock(mutex_);
  away_ = away;
}

}  // namespace lexroute::testing
