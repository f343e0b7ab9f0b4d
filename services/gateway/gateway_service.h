#pragma once

#include "lexroute/v1/worker.grpc.pb.h"
#include "services/gateway/offer_feeds.h"
#include "services/gateway/worker_desk.h"

namespace lexroute {

// gRPC WorkerGateway: the programs' door to the WorkerDesk. Authenticates the bearer token of
// each call and maps the desk's answers onto gRPC statuses. StreamOffers is on gRPC's callback
// API, served by OfferFeeds without a thread per staff member; the short calls are synchronous.
class GatewayService final
    : public v1::WorkerGateway::WithCallbackMethod_StreamOffers<v1::WorkerGateway::Service> {
 public:
  GatewayService(WorkerDesk& desk, Notifier& notifier) : desk_(desk), feeds_(desk, notifier) {}

  // Ends every open offer feed, so a server shutdown does not wait for them.
  void stop() { feeds_.stop(); }

  grpc::Status SignIn(grpc::ServerContext* context, const v1::SignInRequest* request,
                      v1::SignInResponse* response) override;
  grpc::Status SetAvailability(grpc::ServerContext* context,
                               const v1::SetAvailabilityRequest* request,
                               v1::SetAvailabilityResponse* response) override;
  grpc::Status Heartbeat(grpc::ServerContext* context, const v1::HeartbeatRequest* request,
                         v1::HeartbeatResponse* response) override;
  using WithCallbackMethod_StreamOffers::StreamOffers;  // the synchronous one is never called
  grpc::ServerWriteReactor<v1::OfferEvent>* StreamOffers(
      grpc::CallbackServerContext* context, const v1::StreamOffersRequest* request) override;
  grpc::Status AcceptOffer(grpc::ServerContext* context, const v1::OfferActionRequest* request,
                           v1::OfferActionResponse* response) override;
  grpc::Status RejectOffer(grpc::ServerContext* context, const v1::OfferActionRequest* request,
                           v1::OfferActionResponse* response) override;
  grpc::Status CompleteTask(grpc::ServerContext* context, const v1::CompleteTaskRequest* request,
                            v1::OfferActionResponse* response) override;

 private:
  Result<StaffIdentity> authenticate(grpc::ServerContextBase* context);

  WorkerDesk& desk_;
  OfferFeeds feeds_;
};

}  // namespace lexroute
