#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

#include "router/clock.h"
#include "router/error.h"
#include "router/pool_settings.h"
#include "router/staff_directory.h"
#include "services/ports/change_signals.h"
#include "services/ports/roster_source.h"

namespace lexroute {

// The router's view of each pool it routes: the roster as a StaffDirectory with the pool's
// settings, and each staff member's state. Read from the RosterSource; kept current by the
// pool's wake messages, and read again in full when those may have been missed.
class PoolViews {
 public:
  struct View {
    StaffDirectory directory;
    int64_t roster_version = -1;
    PoolSettings settings;
    bool needs_full_refresh = true;
    std::chrono::steady_clock::time_point last_full_refresh{};
  };

  PoolViews(RosterSource& staff, ChangeSignals& signals, const Clock& clock)
      : staff_(staff), signals_(signals), clock_(clock) {}

  // A pool's view; null when the router has none. Writes nothing.
  const View* pool(const std::string& name) const;
  // The view of a pool the router routes a task for, empty the first time; a pool new to the
  // router is listed among the pools, so that its stored offsets are read back when partitions
  // are assigned.
  View& open(const std::string& name);
  // The view of a pool the router has: to count its own offers in.
  View& at(const std::string& name) { return views_.at(name); }
  const std::map<std::string, View>& all() const { return views_; }

  // Rosters and settings of the pools whose roster version moved (every pool's when forced).
  Result<void> refresh_roster(bool force);
  // Staff states: only those named in wake messages since the last call, or the whole pool when
  // messages may have been missed (and every few seconds regardless).
  Result<void> refresh_states(bool force_full = false);
  // The store lost writes: rosters, settings and states may have gone back too.
  void read_everything_again();

 private:
  RosterSource& staff_;
  ChangeSignals& signals_;
  const Clock& clock_;
  std::map<std::string, View> views_;
  std::chrono::steady_clock::time_point last_roster_check_{};
};

}  // namespace lexroute
