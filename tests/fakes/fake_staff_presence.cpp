#include "tests/fakes/fake_staff_presence.h"

namespace lexroute::testing {

Result<std::vector<Result<StaffPresence::Heartbeat>>> FakeStaffPresence::heartbeats(
    const std::vector<std::pair<std::string, std::string>>& staff) {
  std::lock_guard lock(mutex_);
  if (away_) return fail(Errc::kUnavailable, "presence is away");
  std::vector<Result<Heartbeat>> answers;
  answers.reserve(staff.size());
  for (const auto& who : staff) {
    ++heard_[who];
    Heartbeat beat;
    if (auto it = availability_.find(who); it != availability_.end()) {
      beat.availability = it->second;
    }
    if (auto it = interval_.find(who.first); it != interval_.end()) {
      beat.interval_seconds = it->second;
    }
    answers.push_back(beat);
  }
  return answers;
}

Result<void> FakeStaffPresence::set_availability(const std::string& pool,
                                                 const std::string& staff_id,
                                                 Availability availability) {
  {
    std::lock_guard lock(mutex_);
    if (away_) return fail(Errc::kUnavailable, "presence is away");
    availability_[{pool, staff_id}] = availability;
  }
  if (availability != Availability::kAvailable) {
    tasks_.take_back_offers(
        pool, staff_id,
        staff_id + (availability == Availability::kOnBreak ? " went on a break" : " signed out"));
  }
  return {};
}

void FakeStaffPresence::set_interval(const std::string& pool, int seconds) {
  std::lock_guard lock(mutex_);
  interval_[pool] = seconds;
}

int FakeStaffPresence::heard_from(const std::string& pool, const std::string& staff_id) {
  std::lock_guard lock(mutex_);
  return heard_[{pool, staff_id}];
}

void FakeStaffPresence::set_away(bool away) {
  std::lock_guard lock(mutex_);
  away_ = away;
}

}  // namespace lexroute::testing
