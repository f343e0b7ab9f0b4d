#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "lexroute/v1/admin.pb.h"
#include "router/error.h"
#include "router/staff.h"
#include "services/redis/redis_client.h"

namespace lexroute {

// The roster (profiles, rarely changing) and each staff member's live state (availability,
// load, offers) in Redis.
class StaffStore {
 public:
  explicit StaffStore(RedisClient& redis) : redis_(redis) {}

  // Adds or replaces a profile; bumps the pool's roster version so routers reload it.
  Result<void> upsert(const v1::Staff& staff);
  Result<v1::Staff> get(const std::string& pool, const std::string& staff_id);
  Result<std::vector<v1::Staff>> roster(const std::string& pool);
  Result<int64_t> roster_version(const std::string& pool);
  Result<std::vector<std::string>> pools();
  // Lists a pool that has tasks but perhaps no staff yet, so its stored offsets are found.
  Result<void> register_pool(const std::string& pool);
  // How the pool breaks ties: "least-loaded" (default), "longest-idle" or "round-robin".
  Result<std::string> strategy(const std::string& pool);
  Result<void> set_strategy(const std::string& pool, const std::string& strategy);

  Result<std::unordered_map<std::string, StaffState>> states(const std::string& pool);
  // The same for only these staff members (two HMGETs instead of reading the whole pool).
  Result<std::unordered_map<std::string, StaffState>> states(const std::string& pool,
                                                            const std::vector<std::string>& ids);
  Result<void> set_availability(const std::string& pool, const std::string& staff_id,
                                Availability availability);
  // Task ids on open offer to the staff member, and those they accepted.
  Result<std::vector<std::string>> open_offers(const std::string& pool,
                                               const std::string& staff_id);
  Result<std::vector<std::string>> accepted(const std::string& pool, const std::string& staff_id);

 private:
  RedisClient& redis_;
};

const char* availability_name(Availability a);
Availability availability_from_name(std::string_view name);

}  // namespace lexroute
