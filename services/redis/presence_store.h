#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "router/clock.h"
#include "router/error.h"
#include "router/staff.h"
#include "services/ports/presence_sweep.h"
#include "services/ports/staff_presence.h"
#include "services/redis/redis_client.h"
#include "services/redis/staff_store.h"
#include "services/redis/task_store.h"

namespace lexroute {

// Who is really there. The worker app heartbeats; a staff member silent for longer than the
// pool's presence timeout goes offline and their open offers go back to routing at once; their
// accepted work follows after the pool's grace period unless they are heard from again
// (docs/routing.md, "Presence").
class PresenceStore : public StaffPresence, public PresenceSweep {
 public:
  PresenceStore(RedisClient& redis, StaffStore& staff, TaskStore& tasks, const Clock& clock)
      : redis_(redis), staff_(staff), tasks_(tasks), clock_(clock) {}

  Result<Heartbeat> heartbeat(const std::string& pool, const std::string& staff_id);
  // One round trip (StaffPresence::heartbeats).
  Result<std::vector<Result<Heartbeat>>> heartbeats(
      const std::vector<std::pair<std::string, std::string>>& staff) override;

  Result<void> set_availability(const std::string& pool, const std::string& staff_id,
                                Availability availability) override;

  // Staff gone silent whose accepted work still waits out the grace period.
  Result<int64_t> lapsed_count(const std::string& pool);
  // The router's pass (PresenceSweep).
  Result<SweepResult> sweep(const std::string& pool, const PoolSettings& settings,
                            size_t limit) override;

  // How often a client should heartbeat for a given presence timeout: four chances before it.
  static int interval_for(int presence_timeout_seconds);

 private:
  // Sends each of `offers` held by `staff_id` back to routing with `reason`.
  Result<size_t> move_offers(const std::string& pool, const std::string& staff_id,
                             const std::vector<std::string>& offers, const std::string& reason);

  RedisClient& redis_;
  StaffStore& staff_;
  TaskStore& tasks_;
  const Clock& clock_;
};

}  // namespace lexroute
