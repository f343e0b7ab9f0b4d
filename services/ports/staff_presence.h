#pragma once

#include <string>
#include <utility>
#include <vector>

#include "router/error.h"
#include "router/staff.h"

namespace lexroute {

// Who is really there: the worker app's heartbeats, and the availability staff set themselves
// (docs/routing.md, "Presence").
// The real one is PresenceStore (Redis); tests/fakes/fake_staff_presence.h is in memory.
class StaffPresence {
 public:
  virtual ~StaffPresence() = default;

  struct Heartbeat {
    Availability availability = Availability::kOffline;  // as stored, for the app to show
    int interval_seconds = 15;                           // how often to heartbeat
  };
  // Heartbeats of many staff members, (pool, staff id) each, one answer each, in order. A
  // heartbeat never changes anyone's availability.
  virtual Result<std::vector<Result<Heartbeat>>> heartbeats(
      const std::vector<std::pair<std::string, std::string>>& staff) = 0;

  // Signing out or taking a break also sends the staff member's open offers back to routing:
  // someone away cannot answer them.
  virtual Result<void> set_availability(const std::string& pool, const std::string& staff_id,
                                        Availability availability) = 0;
};

}  // namespace lexroute
