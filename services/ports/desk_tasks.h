#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lexroute/v1/task.pb.h"
#include "router/error.h"

namespace lexroute {

// The task records as the worker desk sees them: a staff member's steps on the offers and work
// they hold, and tasks as an offer feed shows them.
//
// A step is answered with the task as it now is. On a task the staff member does not hold it is
// FAILED_PRECONDITION (so is a task of another pool, and one no longer open for that step); on an
// unknown task, NOT_FOUND (field task_id). A step taken again by whoever took it (a retry) is
// answered as the first one was and changes nothing: a completion keeps its first outcome.
// The real one is TaskStore (Redis); tests/fakes/fake_desk_tasks.h is in memory.
class DeskTasks {
 public:
  virtual ~DeskTasks() = default;

  struct StaffStep {
    enum class Kind { kAccept, kComplete };
    Kind kind = Kind::kAccept;
    std::string pool, staff, task_id;
    std::string outcome, note;  // of a completion
  };
  // Accepts and completions of many staff members at once, one answer each, in order; each is
  // atomic on its own. Fails as a whole only when the store could not be asked.
  virtual Result<std::vector<Result<v1::Task>>> take_steps(const std::vector<StaffStep>& steps) = 0;
  // Turns down an open offer: the task waits to be routed again, never to this staff member.
  // Turning it down again is answered as the first time.
  virtual Result<v1::Task> reject(const std::string& pool, const std::string& staff,
                                  const std::string& task_id, const std::string& reason) = 0;

  // A task as an offer feed shows it: the task (none when it is gone) and, while it is on open
  // offer, when that offer times out (ms).
  struct TaskLook {
    std::optional<v1::Task> task;
    std::optional<int64_t> offer_expires_ms;
  };
  // Many tasks at once, in order. Where `whole[i]` is false, only the task's status and staff
  // member need be read: enough to tell a completion from a withdrawal.
  virtual Result<std::vector<TaskLook>> look_up(const std::vector<std::string>& task_ids,
                                                const std::vector<bool>& whole) = 0;
};

}  // namespace lexroute
