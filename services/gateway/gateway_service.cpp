#include "services/gateway/gateway_service.h"

#include <functional>
#include <optional>
#include <set>

#include "router/validation.h"
#include "services/common/grpc_auth.h"
#include "services/common/grpc_status.h"
#include "services/common/log.h"
#include "services/redis/keys.h"

namespace lexroute {
namespace {

constexpr auto kStreamRecheck = std::chrono::milliseconds(1000);

// The answer to accept, reject and complete: the task as it now is.
grpc::Status answer(Result<v1::Task> task, v1::OfferActionResponse* response,
                    grpc::ServerContext* context) {
  if (!task) return to_grpc_status(task.error(), context);
  *response->mutable_task() = std::move(*task);
  return grpc::Status::OK;
}

v1::Availability to_proto(Availability a) {
  switch (a) {
    case Availability::kAvailable:
      return v1::AVAILABILITY_AVAILABLE;
    case Availability::kOnBreak:
      return v1::AVAILABILITY_ON_BREAK;
    case Availability::kOffline:
      break;
  }
  return v1::AVAILABILITY_OFFLINE;
}

// Sends what is new in `now` (ids of open offers, or of accepted work) compared with `sent`, and
// forgets what left it. `send(task)` writes one event and says whether the stream is still open;
// `left(id)` is told of each id that left. Returns false when the stream closed.
bool send_changes(const std::vector<std::string>& now_ids, std::set<std::string>& sent,
                  const std::function<std::optional<bool>(const std::string&)>& send,
                  const std::function<bool(const std::string&)>& left) {
  std::set<std::string> now(now_ids.begin(), now_ids.end());
  for (const auto& id : now) {
    if (sent.contains(id)) continue;
    auto written = send(id);
    if (!written) continue;  // not (or no longer) theirs in that state: look again next time
    if (!*written) return false;
    sent.insert(id);
  }
  for (auto it = sent.begin(); it != sent.end();) {
    if (now.contains(*it)) {
      ++it;
      continue;
    }
    if (!left(*it)) return false;
    it = sent.erase(it);
  }
  return true;
}

}  // namespace

v1::Offer to_offer(const v1::Task& task) {
  v1::Offer offer;
  offer.set_task_id(task.id());
  offer.set_matter_id(task.spec().matter_id());
  offer.set_kind(task.spec().kind());
  offer.set_priority(task.spec().priority());
  offer.set_effort_minutes(task.spec().effort_minutes());
  *offer.mutable_deadline() = task.spec().deadline();
  offer.set_payload_ref(task.spec().payload_ref());
  for (const auto& step : task.history()) {
    if (step.status() == v1::TASK_STATUS_OFFERED) *offer.mutable_offered_at() = step.at();
  }
  return offer;
}

Result<StaffIdentity> GatewayService::authenticate(grpc::ServerContext* context) {
  return credentials_.authenticate_staff(bearer_token(*context));
}

Result<StaffIdentity> GatewayService::authenticate_for(grpc::ServerContext* context,
                                                       const std::string& task_id) {
  auto me = authenticate(context);
  if (me && task_id.empty()) return fail(Errc::kInvalidArgument, "task_id is required", "task_id");
  return me;
}

grpc::Status GatewayService::SignIn(grpc::ServerContext* context, const v1::SignInRequest*,
                                    v1::SignInResponse* response) {
  auto me = authenticate(context);
  if (!me) return to_grpc_status(me.error(), context);
  auto profile = staff_.get(me->pool, me->staff_id);
  if (!profile) return to_grpc_status(profile.error(), context);
  response->set_staff_id(profile->id());
  response->set_display_name(profile->display_name());
  response->set_time_zone(profile->time_zone());
  response->set_capacity(profile->capacity());
  return grpc::Status::OK;
}

grpc::Status GatewayService::SetAvailability(grpc::ServerContext* context,
                                             const v1::SetAvailabilityRequest* request,
                                             v1::SetAvailabilityResponse* response) {
  auto me = authenticate(context);
  if (!me) return to_grpc_status(me.error(), context);
  Availability a;
  switch (request->availability()) {
    case v1::AVAILABILITY_OFFLINE:
      a = Availability::kOffline;
      break;
    case v1::AVAILABILITY_AVAILABLE:
      a = Availability::kAvailable;
      break;
    case v1::AVAILABILITY_ON_BREAK:
      a = Availability::kOnBreak;
      break;
    default:
      return to_grpc_status({Errc::kInvalidArgument,
                             "availability must be OFFLINE, AVAILABLE or ON_BREAK", "availability"},
                            context);
  }
  auto saved = presence_.set_availability(me->pool, me->staff_id, a);
  if (!saved) return to_grpc_status(saved.error(), context);
  LOG_INFO("gateway", "staff=", me->staff_id, " is ", availability_name(a));
  response->set_availability(request->availability());
  return grpc::Status::OK;
}

grpc::Status GatewayService::Heartbeat(grpc::ServerContext* context, const v1::HeartbeatRequest*,
                                       v1::HeartbeatResponse* response) {
  auto me = authenticate(context);
  if (!me) return to_grpc_status(me.error(), context);
  auto beat = presence_.heartbeat(me->pool, me->staff_id);
  if (!beat) return to_grpc_status(beat.error(), context);
  response->set_availability(to_proto(beat->availability));
  response->set_interval_seconds(beat->interval_seconds);
  return grpc::Status::OK;
}

grpc::Status GatewayService::StreamOffers(grpc::ServerContext* context,
                                          const v1::StreamOffersRequest*,
                                          grpc::ServerWriter<v1::OfferEvent>* writer) {
  auto me = authenticate(context);
  if (!me) return to_grpc_status(me.error(), context);
  const std::string channel = keys::staff_channel(me->pool, me->staff_id);
  std::set<std::string> sent_offers, sent_work;
  uint64_t connection = notifier_.connections();

  // The task if it is this staff member's and in `status`.
  auto theirs = [&](const std::string& id, v1::TaskStatus status) -> std::optional<v1::Task> {
    auto task = tasks_.get(id);
    if (!task || task->status() != status || task->staff_id() != me->staff_id) return std::nullopt;
    return std::move(*task);
  };
  auto send_as = [&](v1::TaskStatus status, bool accepted) {
    return [&, status, accepted](const std::string& id) -> std::optional<bool> {
      auto task = theirs(id, status);
      if (!task) return std::nullopt;
      v1::OfferEvent event;
      *(accepted ? event.mutable_accepted() : event.mutable_offered()) = to_offer(*task);
      return writer->Write(event);
    };
  };
  auto withdraw = [&](const std::string& id) {
    v1::OfferEvent event;
    event.set_withdrawn_task_id(id);
    return writer->Write(event);
  };
  auto offer_left = [&](const std::string& id) {
    if (theirs(id, v1::TASK_STATUS_ACCEPTED)) {
      sent_work.insert(id);  // the app accepted it through this stream's offer: nothing to say
      return true;
    }
    return theirs(id, v1::TASK_STATUS_COMPLETED) || withdraw(id);
  };
  auto work_left = [&](const std::string& id) {
    return theirs(id, v1::TASK_STATUS_COMPLETED) || withdraw(id);
  };

  while (!context->IsCancelled() && !stopping_.load()) {
    uint64_t seen = notifier_.generation(channel);
    if (uint64_t c = notifier_.connections(); c != connection) {
      // Redis may have restarted and lost its last second of writes, taking back an accept or a
      // completion the app saw succeed: send everything again and let the app de-duplicate.
      connection = c;
      sent_offers.clear();
      sent_work.clear();
    }
    auto open = staff_.open_offers(me->pool, me->staff_id);
    auto work = staff_.accepted_work(me->pool, me->staff_id);
    if (!open || !work) {
      // Redis is away: keep the stream and look again; the staff member loses nothing.
      notifier_.wait(channel, seen, kStreamRecheck);
      continue;
    }
    if (!send_changes(*open, sent_offers, send_as(v1::TASK_STATUS_OFFERED, false), offer_left) ||
        !send_changes(*work, sent_work, send_as(v1::TASK_STATUS_ACCEPTED, true), work_left)) {
      return grpc::Status::OK;
    }
    notifier_.wait(channel, seen, kStreamRecheck);
  }
  return grpc::Status::OK;
}

grpc::Status GatewayService::AcceptOffer(grpc::ServerContext* context,
                                         const v1::OfferActionRequest* request,
                                         v1::OfferActionResponse* response) {
  auto me = authenticate_for(context, request->task_id());
  if (!me) return to_grpc_status(me.error(), context);
  auto task = tasks_.accept(me->pool, me->staff_id, request->task_id());
  if (task) LOG_DEBUG("gateway", "task=", request->task_id(), " staff=", me->staff_id, " accepted");
  return answer(std::move(task), response, context);
}

grpc::Status GatewayService::RejectOffer(grpc::ServerContext* context,
                                         const v1::OfferActionRequest* request,
                                         v1::OfferActionResponse* response) {
  auto me = authenticate_for(context, request->task_id());
  if (!me) return to_grpc_status(me.error(), context);
  if (request->reason().size() > 500) {
    return to_grpc_status(
        {Errc::kInvalidArgument, "reason must be at most 500 characters", "reason"}, context);
  }
  std::string reason = request->reason().empty() ? "no reason given" : request->reason();
  auto task = tasks_.reject(me->pool, me->staff_id, request->task_id(), reason);
  if (task) {
    LOG_INFO("gateway", "task=", request->task_id(), " staff=", me->staff_id,
             " rejected: ", reason);
  }
  return answer(std::move(task), response, context);
}

grpc::Status GatewayService::CompleteTask(grpc::ServerContext* context,
                                          const v1::CompleteTaskRequest* request,
                                          v1::OfferActionResponse* response) {
  auto me = authenticate_for(context, request->task_id());
  if (!me) return to_grpc_status(me.error(), context);
  if (!is_valid_name(request->outcome())) {
    return to_grpc_status({Errc::kInvalidArgument,
                           "outcome is required: 1-64 letters, digits, '-', '_' or '.'", "outcome"},
                          context);
  }
  if (request->note().size() > 4000) {
    return to_grpc_status({Errc::kInvalidArgument, "note must be at most 4000 characters", "note"},
                          context);
  }
  auto task = tasks_.complete(me->pool, me->staff_id, request->task_id(), request->outcome(),
                              request->note());
  if (task) {
    LOG_DEBUG("gateway", "task=", request->task_id(), " staff=", me->staff_id, " completed ",
              request->outcome());
  }
  return answer(std::move(task), response, context);
}

}  // namespace lexroute
