#include "services/router/clock_sweeps.h"

#include "services/common/log.h"

namespace lexroute {

Result<void> ClockSweeps::run(const PoolViews& views, size_t limit) {
  for (const auto& [name, view] : views.all()) {
    auto expired = tasks_.expire_due_offers(name, limit);
    if (!expired) return std::unexpected(expired.error());
    if (*expired > 0) LOG_INFO("router", "pool=", name, " ", *expired, " offers timed out");
    auto overdue = tasks_.pass_deadlines(name, limit);
    if (!overdue) return std::unexpected(overdue.error());
    if (*overdue > 0)
      LOG_WARN("router", "pool=", name, " ", *overdue, " tasks passed their deadline");
    auto presence = presence_.sweep(name, view.settings, limit);
    if (!presence) return std::unexpected(presence.error());
    if (presence->went_offline + presence->accepted_moved > 0) {
      LOG_INFO("router", "pool=", name, " ", presence->went_offline,
               " staff went offline without a heartbeat; ", presence->offers_moved, " offers and ",
               presence->accepted_moved, " accepted tasks moved on");
    }
  }
  return {};
}

}  // namespace lexroute
