#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "lexroute/v1/admin.pb.h"
#include "router/error.h"
#include "router/pool_settings.h"
#include "router/staff.h"
#include "services/ports/pool_listing.h"
#include "services/ports/roster_source.h"
#include "services/ports/staff_records.h"
#include "services/redis/redis_client.h"

namespace lexroute {

// The roster (profiles, rarely changing) and each staff member's live state (availability,
// load, offers) in Redis.
// How a pool routes; set with Admin.ConfigurePool.
class StaffStore : public PoolListing, public StaffRecords, public RosterSource {
 public:
  explicit StaffStore(RedisClient& redis) : redis_(redis) {}

  // Adds or replaces a profile; bumps the pool's roster version so routers reload it.
  Result<void> upsert(const v1::Staff& staff);
  Result<v1::Staff> get(const std::string& pool, const std::string& staff_id) override;
  Result<std::vector<v1::Staff>> roster(const std::string& pool) override;
  Result<int64_t> roster_version(const std::string& pool) override;
  Result<std::vector<std::string>> pools() override;
  Result<void> upsert_vendor(const v1::Vendor& vendor);
  Result<std::vector<v1::Vendor>> vendors();
  // Lists a pool that has tasks but perhaps no staff yet, so its stored offsets are found.
  Result<void> register_pool(const std::string& pool) override;
  Result<PoolSettings> settings(const std::string& pool) override;
  // Sets what `change` sets, nothing else.
  Result<void> update_settings(const std::string& pool, const PoolSettingsChange& change);

  Result<std::unordered_map<std::string, StaffState>> states(const std::string& pool) override;
  // The same for only these staff members (two HMGETs instead of reading the whole pool).
  Result<std::unordered_map<std::string, StaffState>> states(
      const std::string& pool, const std::vector<std::string>& ids) override;
  // Also puts them under presence (docs/routing.md) as of `now_ms`, or takes them out of it.
  Result<void> set_availability(const std::string& pool, const std::string& staff_id,
                                Availability availability, int64_t now_ms);
  // Task ids on open offer to the staff member.
  Result<std::vector<std::string>> open_offers(const std::string& pool,
                                               const std::string& staff_id);
  // One round trip (StaffRecords::holdings).
  Result<std::vector<Holdings>> holdings(
      const std::vector<std::pair<std::string, std::string>>& staff) override;

 private:
  RedisClient& redis_;
};

const char* availability_name(Availability a);
Availability availability_from_name(std::string_view name);

}  // namespace lexroute
