#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "router/clock.h"
#include "services/ports/intake_records.h"

namespace lexroute::testing {

// IntakeRecords in memory, with the rules of the Lua scripts intake relies on
// (claim_idempotency_key, record_queued, cancel_task). A test can also place a task as the router
// or a staff member would have left it, count the writes, and make the writes fail.
class FakeIntakeRecords : public IntakeRecords {
 public:
  explicit FakeIntakeRecords(const Clock& clock) : clock_(clock) {}

  Result<IdempotencyClaim> claim_idempotency_key(const std::string& firm, const std::string& key,
                                                 const std::string& task_id,
                                                 const std::string& fingerprint,
                                                 const std::string& record) override;
  Result<void> record_queued(const std::vector<const v1::TaskSubmitted*>& tasks) override;
  bool exists(const std::string& task_id) override;
  Result<v1::Task> get(const std::string& task_id) override;
  Result<v1::Task> cancel(const std::string& firm, const std::string& task_id,
                          const std::string& reason) override;

  // A task as something other than intake left it (offered, accepted, routed with a decision).
  void put(v1::Task task);
  // Keys bound, QUEUED records created and cancellations made so far.
  size_t writes();
  // Ids recorded QUEUED by record_queued, in order.
  std::vector<std::string> queued();
  // Until called again with nullopt, claims (or recording QUEUED) fail with `error` and change
  // nothing, as when the store cannot be reached.
  void fail_claims(std::optional<Error> error);
  void fail_recording(std::optional<Error> error);

 private:
  struct Binding {
    std::string task_id, fingerprint, record;
  };

  const Clock& clock_;
  std::mutex mutex_;
  // The real keys expire after a week; these never do.
  std::map<std::pair<std::string, std::string>, Binding> bindings_;  // (firm, key)
  std::map<std::string, v1::Task> tasks_;
  std::vector<std::string> queued_;
  size_t writes_ = 0;
  std::optional<Error> claim_failure_, recording_failure_;
};

}  // namespace lexroute::testing
