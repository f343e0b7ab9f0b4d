#pragma once

#include <cstddef>

#include "router/error.h"
#include "services/ports/presence_sweep.h"
#include "services/ports/routing_records.h"
#include "services/router/pool_views.h"

namespace lexroute {

// What the clock moves along in each pool the router routes: offers not answered in time go back
// to routing, passed deadlines are marked, silent staff go offline and their work moves on. Each
// is a few round trips per pool, so the router runs them on its clock pass, not on every wake.
class ClockSweeps {
 public:
  ClockSweeps(RoutingRecords& tasks, PresenceSweep& presence)
      : tasks_(tasks), presence_(presence) {}

  // At most `limit` of each kind per pool, so one pass stays short.
  Result<void> run(const PoolViews& views, size_t limit);

 private:
  RoutingRecords& tasks_;
  PresenceSweep& presence_;
};

}  // namespace lexroute
