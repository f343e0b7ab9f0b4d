#include "services/gateway/gateway_service.h"

#include <grpcpp/server_builder.h>

#include "services/common/grpc_auth.h"
#include "services/common/grpc_status.h"
#include "services/common/log.h"
#include "services/common/request_parsing.h"

namespace lexroute {
namespace {

// Copies a desk answer into the gRPC response, or turns its error into the status.
template <typename T>
grpc::Status answer(Result<T> result, T* response, grpc::ServerContextBase* context) {
  if (!result) return to_grpc_status(result.error(), context);
  *response = std::move(*result);
  return grpc::Status::OK;
}

// The answer to accept, reject and complete: the staff-facing view of the task as it now is.
grpc::Status answer(Result<v1::Task> task, v1::OfferActionResponse* response,
                    grpc::ServerContextBase* context) {
  if (!task) return to_grpc_status(task.error(), context);
  *response->mutable_work() = to_offer(*task);
  return grpc::Status::OK;
}

// The calls of a group whose token is good, with who made each.
template <typename Call>
struct Admitted {
  std::vector<Result<StaffIdentity>> identities;  // of the whole group
  std::vector<Call*> calls;
  std::vector<const StaffIdentity*> who;  // of each admitted call
};

// Authenticates every call of a group in one round trip and finishes those refused.
template <typename Call>
Admitted<Call> admit(WorkerDesk& desk, std::vector<Call>& group) {
  Admitted<Call> out;
  std::vector<std::string> tokens;
  tokens.reserve(group.size());
  for (const auto& call : group) tokens.push_back(bearer_token(*call.context));
  auto identities = desk.authenticate(tokens);
  if (!identities) {
    for (auto& call : group) call.reactor->Finish(to_grpc_status(identities.error(), call.context));
    return out;
  }
  out.identities = std::move(*identities);
  for (size_t i = 0; i < group.size(); ++i) {
    if (!out.identities[i]) {
      group[i].reactor->Finish(to_grpc_status(out.identities[i].error(), group[i].context));
      continue;
    }
    out.calls.push_back(&group[i]);
    out.who.push_back(&*out.identities[i]);
  }
  return out;
}

}  // namespace

void GatewayService::add_queues(grpc::ServerBuilder& builder) {
  feed_queues_ = std::make_unique<CompletionQueues>(builder, kFeedQueues);
}

void GatewayService::start() {
  feed_queues_->start();
  static const int stream_offers =
      method_index(v1::WorkerGateway::service_full_name(), "StreamOffers");
  feeds_.serve(*feed_queues_, [this](grpc::ServerContext* context, grpc::ByteBuffer* request,
                                     grpc::ServerAsyncWriter<v1::OfferEvent>* writer,
                                     grpc::ServerCompletionQueue* queue, void* tag) {
    // RequestStreamOffers with the request left as bytes.
    RequestAsyncServerStreaming(stream_offers, context, request, writer, queue, queue, tag);
  });
}

void GatewayService::close_queues() {
  if (!feed_queues_) return;
  // The server's shutdown can return before every call's end has been handled (it waits for the
  // connections, not the calls); a queue shut down under a call that still reacts would make
  // gRPC abort.
  if (!feeds_.wait_for_streams(std::chrono::seconds(10))) {
    LOG_WARN("gateway", "offer feeds still open 10 s after the server shut down");
  }
  feed_queues_->shutdown();
}

Result<StaffIdentity> GatewayService::authenticate(grpc::ServerContextBase* context) {
  return desk_.authenticate(bearer_token(*context));
}

grpc::Status GatewayService::SignIn(grpc::ServerContext* context, const v1::SignInRequest*,
                                    v1::SignInResponse* response) {
  auto me = authenticate(context);
  if (!me) return to_grpc_status(me.error(), context);
  return answer(desk_.sign_in(*me), response, context);
}

grpc::Status GatewayService::SetAvailability(grpc::ServerContext* context,
                                             const v1::SetAvailabilityRequest* request,
                                             v1::SetAvailabilityResponse* response) {
  auto me = authenticate(context);
  if (!me) return to_grpc_status(me.error(), context);
  return answer(desk_.set_availability(*me, *request), response, context);
}

grpc::ServerUnaryReactor* GatewayService::Heartbeat(grpc::CallbackServerContext* context,
                                                    const v1::HeartbeatRequest*,
                                                    v1::HeartbeatResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  heartbeats_.add({context, reactor, response});
  return reactor;
}

grpc::ServerUnaryReactor* GatewayService::AcceptOffer(grpc::CallbackServerContext* context,
                                                      const v1::OfferActionRequest* request,
                                                      v1::OfferActionResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  steps_.add({context, reactor, request, nullptr, response});
  return reactor;
}

grpc::Status GatewayService::RejectOffer(grpc::ServerContext* context,
                                         const v1::OfferActionRequest* request,
                                         v1::OfferActionResponse* response) {
  auto me = authenticate(context);
  if (!me) return to_grpc_status(me.error(), context);
  return answer(desk_.reject(*me, *request), response, context);
}

grpc::ServerUnaryReactor* GatewayService::CompleteTask(grpc::CallbackServerContext* context,
                                                       const v1::CompleteTaskRequest* request,
                                                       v1::OfferActionResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  steps_.add({context, reactor, nullptr, request, response});
  return reactor;
}

void GatewayService::answer_steps(std::vector<StaffStepCall>& group) {
  Admitted<StaffStepCall> admitted = admit(desk_, group);
  std::vector<WorkerDesk::Step> steps;
  steps.reserve(admitted.calls.size());
  for (size_t k = 0; k < admitted.calls.size(); ++k) {
    steps.push_back({admitted.who[k], admitted.calls[k]->accept, admitted.calls[k]->complete});
  }
  auto answers = desk_.take_steps(steps);
  for (size_t k = 0; k < answers.size(); ++k) {
    StaffStepCall& call = *admitted.calls[k];
    call.reactor->Finish(answer(std::move(answers[k]), call.response, call.context));
  }
}

void GatewayService::answer_heartbeats(std::vector<HeartbeatCall>& group) {
  Admitted<HeartbeatCall> admitted = admit(desk_, group);
  auto answers = desk_.heartbeats(admitted.who);
  for (size_t k = 0; k < answers.size(); ++k) {
    HeartbeatCall& call = *admitted.calls[k];
    call.reactor->Finish(answer(std::move(answers[k]), call.response, call.context));
  }
}

}  // namespace lexroute
