#pragma once

#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "services/ports/staff_records.h"
#include "tests/fakes/fake_desk_tasks.h"

namespace lexroute::testing {

// StaffRecords in memory: profiles a test adds, and holdings read off `tasks`.
class FakeStaffRecords : public StaffRecords {
 public:
  explicit FakeStaffRecords(FakeDeskTasks& tasks) : tasks_(tasks) {}

  Result<v1::Staff> get(const std::string& pool, const std::string& staff_id) override;
  Result<std::vector<Holdings>> holdings(
      const std::vector<std::pair<std::string, std::string>>& staff) override;

  // Adds or replaces a profile, in `staff.pool()`.
  void add(const v1::Staff& staff);
  // While away, every call fails UNAVAILABLE, as when Redis is unreachable.
  void set_away(bool away);

 private:
  FakeDeskTasks& tasks_;
  std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, v1::Staff> profiles_;  // by (pool, id)
  bool away_ = false;
};

}  // namespace lexroute::testing
