#pragma once

#include <atomic>

#include "lexroute/v1/worker.grpc.pb.h"
#include "services/redis/credential_store.h"
#include "services/redis/notifier.h"
#include "services/redis/presence_store.h"
#include "services/redis/staff_store.h"
#include "services/redis/task_store.h"

namespace lexroute {

// gRPC WorkerGateway: what vendor staff do all day. Every call acts only on the calling staff
// member's own offers and work. Holds no state of its own.
class GatewayService final : public v1::WorkerGateway::Service {
 public:
  GatewayService(TaskStore& tasks, StaffStore& staff, PresenceStore& presence,
                 CredentialStore& credentials, Notifier& notifier)
      : tasks_(tasks),
        staff_(staff),
        presence_(presence),
        credentials_(credentials),
        notifier_(notifier) {}

  // Ends open offer streams so a server shutdown does not wait on them.
  void stop() { stopping_ = true; }

  grpc::Status SignIn(grpc::ServerContext* context, const v1::SignInRequest* request,
                      v1::SignInResponse* response) override;
  grpc::Status SetAvailability(grpc::ServerContext* context,
                               const v1::SetAvailabilityRequest* request,
                               v1::SetAvailabilityResponse* response) override;
  grpc::Status Heartbeat(grpc::ServerContext* context, const v1::HeartbeatRequest* request,
                         v1::HeartbeatResponse* response) override;
  grpc::Status StreamOffers(grpc::ServerContext* context, const v1::StreamOffersRequest* request,
                            grpc::ServerWriter<v1::OfferEvent>* writer) override;
  grpc::Status AcceptOffer(grpc::ServerContext* context, const v1::OfferActionRequest* request,
                           v1::OfferActionResponse* response) override;
  grpc::Status RejectOffer(grpc::ServerContext* context, const v1::OfferActionRequest* request,
                           v1::OfferActionResponse* response) override;
  grpc::Status CompleteTask(grpc::ServerContext* context, const v1::CompleteTaskRequest* request,
                            v1::OfferActionResponse* response) override;

 private:
  Result<StaffIdentity> authenticate(grpc::ServerContext* context);
  // The caller, for a call about `task_id` (which must be set).
  Result<StaffIdentity> authenticate_for(grpc::ServerContext* context, const std::string& task_id);

  TaskStore& tasks_;
  StaffStore& staff_;
  PresenceStore& presence_;
  CredentialStore& credentials_;
  Notifier& notifier_;
  std::atomic<bool> stopping_{false};
};

// The staff-facing view of an offered task: what to decide on, never document content.
v1::Offer to_offer(const v1::Task& task);

}  // namespace lexroute
