#pragma once

#include <memory>

#include "lexroute/v1/worker.grpc.pb.h"
#include "services/common/group_queue.h"
#include "services/gateway/offer_feeds.h"
#include "services/gateway/worker_desk.h"

namespace lexroute {

// An AcceptOffer or CompleteTask call waiting to be answered with its group.
struct StaffStepCall {
  grpc::CallbackServerContext* context;
  grpc::ServerUnaryReactor* reactor;
  // One of these two is set.
  const v1::OfferActionRequest* accept;
  const v1::CompleteTaskRequest* complete;
  v1::OfferActionResponse* response;
};

// A Heartbeat call waiting to be answered with its group.
struct HeartbeatCall {
  grpc::CallbackServerContext* context;
  grpc::ServerUnaryReactor* reactor;
  v1::HeartbeatResponse* response;
};

// gRPC WorkerGateway: the programs' door to the WorkerDesk. Authenticates the bearer token of
// each call and maps the desk's answers onto gRPC statuses. StreamOffers is served by OfferFeeds
// without a thread per staff member, on gRPC's async API and completion queues of its own. The
// other calls every task brings are on gRPC's callback API: AcceptOffer, CompleteTask and
// Heartbeat are answered in groups (one round trip for the tokens, one for the steps or
// heartbeats), so a whole roster heartbeating at once is a few round trips, not a thread each.
// The rarer calls are synchronous.
class GatewayService final
    : public v1::WorkerGateway::WithAsyncMethod_StreamOffers<
          v1::WorkerGateway::WithCallbackMethod_AcceptOffer<
              v1::WorkerGateway::WithCallbackMethod_CompleteTask<
                  v1::WorkerGateway::WithCallbackMethod_Heartbeat<v1::WorkerGateway::Service>>>> {
 public:
  GatewayService(WorkerDesk& desk, ChangeSignals& signals)
      : desk_(desk),
        feeds_(desk, signals),
        steps_([this](std::vector<StaffStepCall>& group) { answer_steps(group); }, 2, 512),
        heartbeats_([this](std::vector<HeartbeatCall>& group) { answer_heartbeats(group); }, 1,
                    1024) {}

  // How many completion queues (each with a thread) serve the offer feeds. A completion scans
  // only the feeds on its own queue (CompletionQueues says why that matters).
  static constexpr size_t kFeedQueues = 8;

  // Adds the offer feeds' completion queues to the server being built.
  void add_queues(grpc::ServerBuilder& builder);
  // Starts taking offer feeds, once the server is started.
  void start();
  // Ends every open offer feed, the worker app's too, so a server shutdown does not wait for them.
  void stop() { feeds_.stop(); }
  // Every open offer feed of this gateway; the worker app's pages open theirs here.
  LiveFeeds& live_feeds() { return feeds_.live(); }
  // Once the server has shut down: drains and ends the offer feeds' queues.
  void close_queues();

  grpc::Status SignIn(grpc::ServerContext* context, const v1::SignInRequest* request,
                      v1::SignInResponse* response) override;
  grpc::Status SetAvailability(grpc::ServerContext* context,
                               const v1::SetAvailabilityRequest* request,
                               v1::SetAvailabilityResponse* response) override;
  using WithCallbackMethod_Heartbeat::Heartbeat;
  grpc::ServerUnaryReactor* Heartbeat(grpc::CallbackServerContext* context,
                                      const v1::HeartbeatRequest* request,
                                      v1::HeartbeatResponse* response) override;
  using WithCallbackMethod_AcceptOffer::AcceptOffer;  // the synchronous one is never called
  grpc::ServerUnaryReactor* AcceptOffer(grpc::CallbackServerContext* context,
                                        const v1::OfferActionRequest* request,
                                        v1::OfferActionResponse* response) override;
  grpc::Status RejectOffer(grpc::ServerContext* context, const v1::OfferActionRequest* request,
                           v1::OfferActionResponse* response) override;
  using WithCallbackMethod_CompleteTask::CompleteTask;
  grpc::ServerUnaryReactor* CompleteTask(grpc::CallbackServerContext* context,
                                         const v1::CompleteTaskRequest* request,
                                         v1::OfferActionResponse* response) override;

 private:
  Result<StaffIdentity> authenticate(grpc::ServerContextBase* context);
  void answer_steps(std::vector<StaffStepCall>& group);
  void answer_heartbeats(std::vector<HeartbeatCall>& group);

  WorkerDesk& desk_;
  OfferFeeds feeds_;
  std::unique_ptr<CompletionQueues> feed_queues_;  // after feeds_: drained before it goes
  // Last: their threads use everything above.
  GroupQueue<StaffStepCall> steps_;
  GroupQueue<HeartbeatCall> heartbeats_;
};

}  // namespace lexroute
