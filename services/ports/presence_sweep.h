#pragma once

#include <cstddef>
#include <string>

#include "router/error.h"
#include "router/pool_settings.h"

namespace lexroute {

// Who is really there, as the router's clock pass moves it along: staff silent past the pool's
// presence timeout go offline and their work goes back to routing (docs/routing.md, "Presence").
// The real one is PresenceStore (Redis); tests/fakes/fake_presence_sweep.h is in memory.
class PresenceSweep {
 public:
  virtual ~PresenceSweep() = default;

  struct SweepResult {
    size_t went_offline = 0;
    size_t offers_moved = 0;
    size_t accepted_moved = 0;
  };
  // Takes silent staff offline and moves their work. At most `limit` staff per step, so one
  // pass stays short.
  virtual Result<SweepResult> sweep(const std::string& pool, const PoolSettings& settings,
                                    size_t limit) = 0;
};

}  // namespace lexroute
