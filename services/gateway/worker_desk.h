#pragma once

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "lexroute/v1/worker.pb.h"
#include "router/clock.h"
#include "services/ports/change_signals.h"
#include "services/ports/desk_tasks.h"
#include "services/ports/offer_source.h"
#include "services/ports/staff_credentials.h"
#include "services/ports/staff_presence.h"
#include "services/ports/staff_records.h"

namespace lexroute {

// What vendor staff do all day, whichever door they come in by: the gRPC WorkerGateway for
// programs, the worker app's HTTP API for people. Each door authenticates the caller its own
// way and hands the identity in; every operation then acts only on that staff member's own
// offers and work, and validates its input here so both doors refuse the same things.
class WorkerDesk : public OfferSource {
 public:
  // `clock` stamps every feed event's server_time and says which completions are recent.
  WorkerDesk(DeskTasks& tasks, StaffRecords& staff, StaffPresence& presence,
             StaffCredentials& credentials, ChangeSignals& signals, const Clock& clock)
      : tasks_(tasks),
        staff_(staff),
        presence_(presence),
        credentials_(credentials),
        signals_(signals),
        clock_(clock) {}

  Result<StaffIdentity> authenticate(const std::string& staff_token) override;
  // Many tokens in one round trip, one answer each; fails as a whole only when Redis is away.
  Result<std::vector<Result<StaffIdentity>>> authenticate(const std::vector<std::string>& tokens);

  Result<v1::SignInResponse> sign_in(const StaffIdentity& me);
  Result<v1::SetAvailabilityResponse> set_availability(const StaffIdentity& me,
                                                       const v1::SetAvailabilityRequest& request);
  Result<v1::HeartbeatResponse> heartbeat(const StaffIdentity& me);
  // Heartbeats of many staff members in one round trip, one answer each, in order.
  std::vector<Result<v1::HeartbeatResponse>> heartbeats(
      const std::vector<const StaffIdentity*>& who);
  Result<v1::Task> accept(const StaffIdentity& me, const v1::OfferActionRequest& request);
  Result<v1::Task> reject(const StaffIdentity& me, const v1::OfferActionRequest& request);
  Result<v1::Task> complete(const StaffIdentity& me, const v1::CompleteTaskRequest& request);
  // Accepts and completions of many staff members in one round trip, one answer each, in order.
  // Each step is either an accept or a completion, validated as the single calls are.
  struct Step {
    const StaffIdentity* me = nullptr;
    const v1::OfferActionRequest* accept = nullptr;
    const v1::CompleteTaskRequest* complete = nullptr;
  };
  std::vector<Result<v1::Task>> take_steps(const std::vector<Step>& steps);

  // Many feeds in two round trips whatever their number: what each staff member holds, then every
  // task any of them must be told about.
  void offer_changes(std::span<FeedLook> looks) override;

 private:
  // Takes out of `valid` (and `asked`) the completions whose outcome is not one of their task's
  // kind (router/outcomes.h), answering them INVALID_ARGUMENT: one look at the tasks for all.
  void refuse_outcomes_not_of_their_kind(std::vector<DeskTasks::StaffStep>& valid,
                                         std::vector<size_t>& asked,
                                         std::vector<Result<v1::Task>>& answers);

  DeskTasks& tasks_;
  StaffRecords& staff_;
  StaffPresence& presence_;
  StaffCredentials& credentials_;
  ChangeSignals& signals_;
  const Clock& clock_;
};

// The staff-facing view of a task, the only one staff are shown (offers, accepted and finished
// work, the answers to their steps): what to decide on and how it ended, with the outcomes its
// kind allows. Never document content, other staff, reasons, routing candidates or scores, the
// firm or the pool; a payload_ref whose scheme may not be shown is left out.
v1::Offer to_offer(const v1::Task& task);

}  // namespace lexroute
