#pragma once

#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "services/ports/roster_source.h"

namespace lexroute::testing {

// RosterSource in memory. A test sets rosters, settings and live states as Admin and the worker
// app would; FakeRoutingRecords reads and moves the same loads, as the Lua scripts move the load
// hash the real states come from.
class FakeRosterSource : public RosterSource {
 public:
  Result<std::vector<std::string>> pools() override;
  Result<void> register_pool(const std::string& pool) override;
  Result<int64_t> roster_version(const std::string& pool) override;
  Result<std::vector<v1::Staff>> roster(const std::string& pool) override;
  Result<PoolSettings> settings(const std::string& pool) override;
  Result<std::unordered_map<std::string, StaffState>> states(const std::string& pool) override;
  Result<std::unordered_map<std::string, StaffState>> states(
      const std::string& pool, const std::vector<std::string>& ids) override;

  // Adds or replaces a profile in its pool, which moves the pool's roster version.
  void upsert(const v1::Staff& staff);
  // Moves the roster version too: settings travel with the roster.
  void configure(const std::string& pool, const PoolSettings& settings);
  void set_state(const std::string& pool, const std::string& staff_id, StaffState state);
  StaffState state(const std::string& pool, const std::string& staff_id);
  // Available, below capacity: what route_task.lua checks before it reserves someone.
  bool has_room(const std::string& pool, const std::string& staff_id);
  void add_load(const std::string& pool, const std::string& staff_id, int by);

 private:
  struct Pool {
    std::map<std::string, v1::Staff> roster;
    std::map<std::string, StaffState> states;
    PoolSettings settings;
    int64_t roster_version = 0;
  };

  std::mutex mutex_;
  std::map<std::string, Pool> pools_;
};

}  // namespace lexroute::testing
