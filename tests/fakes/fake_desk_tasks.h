#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "router/clock.h"
#include "services/ports/desk_tasks.h"
#include "services/ports/staff_records.h"

namespace lexroute::testing {

// DeskTasks in memory, with the accept_offer, complete_task and reject_offer scripts' answers
// (services/redis/scripts). A test puts tasks on offer and takes them back as the router would.
// Load, the audit trail, waiting order and the clock's sweeps (offer expiry, deadlines) are not
// kept: the desk reads none of them.
class FakeDeskTasks : public DeskTasks {
 public:
  explicit FakeDeskTasks(const Clock& clock) : clock_(clock) {}

  Result<std::vector<Result<v1::Task>>> take_steps(const std::vector<StaffStep>& steps) override;
  Result<v1::Task> reject(const std::string& pool, const std::string& staff,
                          const std::string& task_id, const std::string& reason) override;
  Result<std::vector<TaskLook>> look_up(const std::vector<std::string>& task_ids,
                                        const std::vector<bool>& whole) override;

  // A new task of `pool` on offer to `staff` until `expires_ms`, as the router makes one; its id.
  std::string offer(const std::string& pool, const std::string& staff, int64_t expires_ms,
                    const v1::TaskSpec& spec = {});
  // The router takes the task back from whoever holds it (they went away): it waits to be routed
  // again, and they are not excluded from it.
  void take_back(const std::string& task_id, const std::string& reason);
  // take_back for each open offer of `staff`; how many.
  size_t take_back_offers(const std::string& pool, const std::string& staff,
                          const std::string& reason);
  // What `staff` holds now, and what they completed in the last 36 h. The real store keeps these
  // sets apart from the tasks; here they are read off the tasks, which the scripts keep in step
  // with them.
  StaffRecords::Holdings holdings_of(const std::string& pool, const std::string& staff);
  // The task as stored, if there is one.
  std::optional<v1::Task> task(const std::string& task_id);

  // While away, every call fails UNAVAILABLE and changes nothing, as when Redis is unreachable.
  void set_away(bool away);
  // Calls that asked to change a task (take_steps and reject), refused or not.
  size_t writes_asked();

 private:
  struct Record {
    v1::Task task;
    std::set<std::string> excluded;  // turned its offer down
    std::optional<int64_t> offer_expires_ms;
  };
  Result<v1::Task> step(const StaffStep& step, int64_t now_ms);  // under mutex_
  void recorded(Record& r, v1::TaskStatus status, int64_t at_ms, const std::string& actor,
                const std::string& reason);

  const Clock& clock_;
  std::mutex mutex_;
  std::map<std::string, Record> tasks_;
  bool away_ = false;
  size_t writes_asked_ = 0;
};

}  // namespace lexroute::testing
