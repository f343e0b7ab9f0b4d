#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "lexroute/v1/admin.pb.h"
#include "router/error.h"

namespace lexroute {

// A staff member's profile, and the tasks they hold right now, as the worker desk reads them.
// The real one is StaffStore (Redis); tests/fakes/fake_staff_records.h is in memory.
class StaffRecords {
 public:
  virtual ~StaffRecords() = default;

  // NOT_FOUND (field staff_id) for someone not on the pool's roster.
  virtual Result<v1::Staff> get(const std::string& pool, const std::string& staff_id) = 0;

  // Task ids on open offer to a staff member, and those they accepted and have not completed;
  // and what they completed lately (task id, completion ms), at least the last 36 hours.
  struct Holdings {
    std::vector<std::string> open_offers, accepted_work;
    std::vector<std::pair<std::string, int64_t>> recently_done;
  };
  // The holdings of many staff members (pool, staff id) at once, in order.
  virtual Result<std::vector<Holdings>> holdings(
      const std::vector<std::pair<std::string, std::string>>& staff) = 0;
};

}  // namespace lexroute
