#include "services/gateway/gateway_service.h"

#include "services/common/grpc_auth.h"
#include "services/common/grpc_status.h"

namespace lexroute {
namespace {

// Copies a desk answer into the gRPC response, or turns its error into the status.
template <typename T>
grpc::Status answer(Result<T> result, T* response, grpc::ServerContextBase* context) {
  if (!result) return to_grpc_status(result.error(), context);
  *response = std::move(*result);
  return grpc::Status::OK;
}

// The answer to accept, reject and complete: the task as it now is.
grpc::Status answer(Result<v1::Task> task, v1::OfferActionResponse* response,
                    grpc::ServerContextBase* context) {
  if (!task) return to_grpc_status(task.error(), context);
  *response->mutable_task() = std::move(*task);
  return grpc::Status::OK;
}

// A feed refused before it started: finishes at once with the refusal.
class RefusedFeed final : public grpc::ServerWriteReactor<v1::OfferEvent> {
 public:
  explicit RefusedFeed(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};

}  // namespace

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

grpc::Status GatewayService::Heartbeat(grpc::ServerContext* context, const v1::HeartbeatRequest*,
                                       v1::HeartbeatResponse* response) {
  auto me = authenticate(context);
  if (!me) return to_grpc_status(me.error(), context);
  return answer(desk_.heartbeat(*me), response, context);
}

grpc::ServerWriteReactor<v1::OfferEvent>* GatewayService::StreamOffers(
    grpc::CallbackServerContext* context, const v1::StreamOffersRequest*) {
  auto me = authenticate(context);
  if (!me) return new RefusedFeed(to_grpc_status(me.error(), context));
  return feeds_.open(*me);
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
  std::vector<std::string> tokens;
  tokens.reserve(group.size());
  for (const auto& call : group) tokens.push_back(bearer_token(*call.context));
  auto who = desk_.authenticate(tokens);
  if (!who) {
    for (auto& call : group) call.reactor->Finish(to_grpc_status(who.error(), call.context));
    return;
  }
  std::vector<WorkerDesk::Step> steps;
  std::vector<StaffStepCall*> caller;  // of each step
  for (size_t i = 0; i < group.size(); ++i) {
    StaffStepCall& call = group[i];
    const Result<StaffIdentity>& me = (*who)[i];
    if (!me) {
      call.reactor->Finish(to_grpc_status(me.error(), call.context));
      continue;
    }
    steps.push_back({&*me, call.accept, call.complete});
    caller.push_back(&call);
  }
  auto answers = desk_.take_steps(steps);
  for (size_t k = 0; k < answers.size(); ++k) {
    StaffStepCall& call = *caller[k];
    call.reactor->Finish(answer(std::move(answers[k]), call.response, call.context));
  }
}

}  // namespace lexroute
