#pragma once

#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "router/staff.h"

namespace lexroute {

// What a task demands of whoever takes it.
struct TaskRequirements {
  std::string pool;
  std::vector<SkillLevel> skills;                  // minimum proficiency per skill
  std::unordered_set<std::string> excluded_staff;  // already rejected or timed out on this task
};

// The router's in-memory view of the roster and of each staff member's state. Pure: it is filled
// from Redis by the router service and consulted without I/O.
class StaffDirectory {
 public:
  void upsert(StaffProfile profile);
  void remove(const std::string& staff_id);
  void set_state(const std::string& staff_id, StaffState state);
  const StaffState* state(const std::string& staff_id) const;
  const StaffProfile* profile(const std::string& staff_id) const;
  size_t size() const { return staff_.size(); }

  // Staff who satisfy every requirement and have spare capacity now, best first (lowest load
  // relative to capacity, then least over-qualified), at most `limit` of them. The caller tries
  // them in order: a stale local view can lose the reservation race in Redis.
  std::vector<std::string> candidates(const TaskRequirements& task, size_t limit) const;

  // How many staff could ever take `task` (skills, pool, not excluded), whatever their state
  // now. Zero means waiting cannot help: the task is unroutable.
  size_t count_qualified(const TaskRequirements& task) const;
  // Whether anyone at all has spare capacity, i.e. whether waiting work is worth a look.
  bool anyone_has_room() const;

  // Whether `staff_id` could take `task` as far as this view knows.
  bool eligible(const std::string& staff_id, const TaskRequirements& task) const;

 private:
  struct Entry {
    StaffProfile profile;
    StaffState state;
  };
  static bool qualified(const StaffProfile& profile, const TaskRequirements& task);
  static bool has_room(const Entry& entry);

  std::unordered_map<std::string, Entry> staff_;
};

}  // namespace lexroute
