#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "lexroute/v1/admin.pb.h"
#include "router/error.h"
#include "router/pool_settings.h"
#include "router/staff.h"

namespace lexroute {

// The pools, their rosters and settings, and each staff member's live state, as the router
// reads them to keep its own view; the only write is listing a pool it routes for.
// The real one is StaffStore (Redis); tests/fakes/fake_roster_source.h is in memory.
class RosterSource {
 public:
  virtual ~RosterSource() = default;

  virtual Result<std::vector<std::string>> pools() = 0;
  // Lists a pool that has tasks but perhaps no staff yet, so its stored offsets are found.
  virtual Result<void> register_pool(const std::string& pool) = 0;
  // Moves whenever the pool's roster or settings change.
  virtual Result<int64_t> roster_version(const std::string& pool) = 0;
  virtual Result<std::vector<v1::Staff>> roster(const std::string& pool) = 0;
  virtual Result<PoolSettings> settings(const std::string& pool) = 0;

  virtual Result<std::unordered_map<std::string, StaffState>> states(const std::string& pool) = 0;
  // The same for only these staff members.
  virtual Result<std::unordered_map<std::string, StaffState>> states(
      const std::string& pool, const std::vector<std::string>& ids) = 0;
};

}  // namespace lexroute
