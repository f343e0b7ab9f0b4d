#pragma once

#include <string>
#include <vector>

#include "lexroute/v1/task.pb.h"
#include "router/error.h"

namespace lexroute {

// What intake keeps of a firm's tasks: the idempotency key that binds a submission to its task,
// the QUEUED record once Kafka holds the task, and the task as its firm reads or cancels it.
// The real one is TaskStore (Redis); tests/fakes/fake_intake_records.h is in memory.
class IntakeRecords {
 public:
  virtual ~IntakeRecords() = default;

  struct IdempotencyClaim {
    bool is_new = false;
    std::string task_id;      // the task the key is bound to
    std::string fingerprint;  // of the request that bound it
    std::string record;       // that request's TaskSubmitted, serialized
  };
  // Binds the firm's `key` to `task_id` on first use; a later use gets the first binding back.
  virtual Result<IdempotencyClaim> claim_idempotency_key(const std::string& firm,
                                                         const std::string& key,
                                                         const std::string& task_id,
                                                         const std::string& fingerprint,
                                                         const std::string& record) = 0;
  // QUEUED records once Kafka acknowledged, unless the router wrote them first.
  virtual Result<void> record_queued(const std::vector<const v1::TaskSubmitted*>& tasks) = 0;
  virtual bool exists(const std::string& task_id) = 0;
  // The task whatever its owner; callers check `firm_id`. NOT_FOUND for unknown ids.
  virtual Result<v1::Task> get(const std::string& task_id) = 0;
  // NOT_FOUND unless `firm` owns the task; FAILED_PRECONDITION once it is terminal.
  virtual Result<v1::Task> cancel(const std::string& firm, const std::string& task_id,
                                  const std::string& reason) = 0;
};

}  // namespace lexroute
