#pragma once

#include "lexroute/v1/worker.grpc.pb.h"
#include "services/gateway/worker_desk.h"

namespace lexroute {

// gRPC WorkerGateway: the programs' door to the WorkerDesk. Authenticates the bearer token of
// each call and maps the desk's answers onto gRPC statuses. Holds no state of its own.
class GatewayService final : public v1::WorkerGateway::Service {
 public:
  explicit GatewayService(WorkerDesk& desk) : desk_(desk) {}

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

  WorkerDesk& desk_;
};

}  // namespace lexroute
