#pragma once

#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "services/ports/staff_presence.h"
#include "tests/fakes/fake_desk_tasks.h"

namespace lexroute::testing {

// StaffPresence in memory, with the set_availability and heartbeat scripts' effects on what the
// desk reads: availability as set, and open offers back to routing (in `tasks`) for someone who
// signs out or takes a break. Who is under presence, and lapsing, is not kept: the desk never
// reads it.
class FakeStaffPresence : public StaffPresence {
 public:
  explicit FakeStaffPresence(FakeDeskTasks& tasks) : tasks_(tasks) {}

  Result<std::vector<Result<Heartbeat>>> heartbeats(
      const std::vector<std::pair<std::string, std::string>>& staff) override;
  Result<void> set_availability(const std::string& pool, const std::string& staff_id,
                                Availability availability) override;

  // How often staff of `pool` are told to heartbeat. The real one derives it from the pool's
  // presence timeout (PresenceStore::interval_for); here the test sets it.
  void set_interval(const std::string& pool, int seconds);
  // Heartbeats heard from (pool, staff id) so far.
  int heard_from(const std::string& pool, const std::string& staff_id);
  // While away, every call fails UNAVAILABLE and changes nothing, as when Redis is unreachable.
  void set_away(bool away);

 private:
  FakeDeskTasks& tasks_;
  std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, Availability> availability_;
  std::map<std::pair<std::string, std::string>, int> heard_;
  std::map<std::string, int> interval_;
  bool away_ = false;
};

}  // namespace lexroute::testing
