#include "workers/staff_simulator.h"

#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>

#include <deque>
#include <random>
#include <set>

#include "cli/client.h"
#include "lexroute/v1/worker.grpc.pb.h"
#include "services/common/log.h"

namespace lexroute {
namespace {

// One of the outcomes the offer allows, as a person would pick from the app's list; the server
// refuses any other (router/outcomes.h).
std::string outcome_for(const v1::Offer& offer, std::mt19937& rng) {
  if (offer.allowed_outcomes().empty()) return "done";
  return offer.allowed_outcomes(static_cast<int>(rng() % offer.allowed_outcomes_size()));
}

}  // namespace

StaffSimulator::StaffSimulator(Options options) : options_(std::move(options)) {}

StaffSimulator::~StaffSimulator() { stop(); }

void StaffSimulator::start() {
  for (size_t i = 0; i < options_.staff.size(); ++i) {
    threads_.emplace_back([this, i] { work(options_.staff[i], i); });
  }
  heartbeats_ = std::thread([this] { heartbeat_all(); });
}

void StaffSimulator::heartbeat_all() {
  auto stub = v1::WorkerGateway::NewStub(cli::open_channel(options_.server, options_.security));
  auto interval = std::chrono::seconds(15);
  auto next = std::chrono::steady_clock::now();
  while (!stopping_.load()) {
    if (std::chrono::steady_clock::now() < next) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    for (const auto& member : options_.staff) {
      if (stopping_.load()) break;
      v1::HeartbeatResponse beat;
      auto status = stub->Heartbeat(cli::call_context(member.token, std::chrono::seconds(5)).get(),
                                    v1::HeartbeatRequest{}, &beat);
      if (!status.ok()) continue;  // the gateway is away; the next round tries again
      interval = std::chrono::seconds(std::max(1, beat.interval_seconds()));
      if (beat.availability() == v1::AVAILABILITY_OFFLINE) {
        // Taken offline after a silence (a stalled machine, a gateway restart): sign back in.
        v1::SetAvailabilityRequest available;
        available.set_availability(v1::AVAILABILITY_AVAILABLE);
        v1::SetAvailabilityResponse ignored;
        (void)stub->SetAvailability(cli::call_context(member.token).get(), available, &ignored);
      }
    }
    next = std::chrono::steady_clock::now() + interval;
  }
}

void StaffSimulator::stop() {
  if (stopping_.exchange(true)) return;
  {
    std::lock_guard lock(streams_mutex_);
    for (auto* ctx : streams_) ctx->TryCancel();
  }
  for (auto& t : threads_) t.join();
  threads_.clear();
  if (heartbeats_.joinable()) heartbeats_.join();
}

void StaffSimulator::work(const Member& member, size_t index) {
  auto stub = v1::WorkerGateway::NewStub(cli::open_channel(options_.server, options_.security));
  std::mt19937 rng(static_cast<uint32_t>(index * 7919 + 17));
  std::uniform_real_distribution<double> coin(0.0, 1.0);
  auto pause = [&](std::chrono::milliseconds d) {
    auto until = std::chrono::steady_clock::now() + d;
    while (!stopping_.load() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(
          std::min<std::chrono::milliseconds>(d, std::chrono::milliseconds(20)));
    }
  };

  // A step answered UNAVAILABLE (Redis away, or its replicas not yet holding the step) is sent
  // again as it was, as a staff member's app should (the worker app in web/ does not yet): the
  // gateway answers a step already taken as it answered the first time, so a retry never does
  // anything twice.
  auto until_answered = [&](const std::function<grpc::Status()>& step) {
    for (;;) {
      grpc::Status status = step();
      if (status.error_code() != grpc::StatusCode::UNAVAILABLE) return status;
      ++unavailable_;
      if (stopping_.load()) return status;
      pause(std::chrono::milliseconds(100));
    }
  };

  // Recently finished tasks, so one sent again after a Redis restart (completing is idempotent)
  // is not counted twice.
  std::set<std::string> finished;
  std::deque<std::string> finished_order;
  auto complete = [&](const v1::Offer& offer) {
    pause(options_.think);
    v1::CompleteTaskRequest done;
    done.set_task_id(offer.task_id());
    done.set_outcome(outcome_for(offer, rng));
    v1::OfferActionResponse reply;
    auto status = until_answered(
        [&] { return stub->CompleteTask(cli::call_context(member.token).get(), done, &reply); });
    if (status.ok() && options_.on_completed)
      options_.on_completed(member.staff_id, done.task_id());
    if (status.ok() && finished.insert(offer.task_id()).second) {
      ++completed_;
      finished_order.push_back(offer.task_id());
      if (finished_order.size() > 1024) {
        finished.erase(finished_order.front());
        finished_order.pop_front();
      }
    } else if (!status.ok() && status.error_code() != grpc::StatusCode::FAILED_PRECONDITION) {
      ++errors_;
    }
  };

  while (!stopping_.load()) {
    v1::SetAvailabilityRequest available;
    available.set_availability(v1::AVAILABILITY_AVAILABLE);
    v1::SetAvailabilityResponse ignored;
    auto status = stub->SetAvailability(cli::call_context(member.token).get(), available, &ignored);
    if (!status.ok()) {
      ++errors_;
      LOG_WARN("worker", "staff=", member.staff_id, " cannot sign in: ", cli::describe(status));
      pause(std::chrono::milliseconds(500));
      continue;
    }
    grpc::ClientContext stream_ctx;
    stream_ctx.AddMetadata("authorization", "Bearer " + member.token);
    {
      std::lock_guard lock(streams_mutex_);
      if (stopping_.load()) break;
      streams_.push_back(&stream_ctx);
    }
    auto stream = stub->StreamOffers(&stream_ctx, v1::StreamOffersRequest{});
    v1::OfferEvent event;
    while (!stopping_.load() && stream->Read(&event)) {
      if (event.has_accepted()) {
        // Accepted but not completed: ours from before a reconnect, or a completion Redis lost.
        complete(event.accepted());
        continue;
      }
      if (!event.has_offered()) continue;
      const v1::Offer& offer = event.offered();
      if (options_.on_offered) {
        options_.on_offered(
            member.staff_id, offer.task_id(),
            google::protobuf::util::TimeUtil::TimestampToMilliseconds(offer.offered_at()));
      }
      pause(options_.think);
      v1::OfferActionRequest act;
      act.set_task_id(offer.task_id());
      v1::OfferActionResponse reply;
      if (coin(rng) < options_.reject_rate) {
        act.set_reason("simulated: not my area");
        auto rejected = until_answered(
            [&] { return stub->RejectOffer(cli::call_context(member.token).get(), act, &reply); });
        if (rejected.ok()) {
          ++rejected_;
        }
        continue;
      }
      status = until_answered(
          [&] { return stub->AcceptOffer(cli::call_context(member.token).get(), act, &reply); });
      if (!status.ok()) {
        // Withdrawn meanwhile (cancelled): not an error of ours.
        if (status.error_code() != grpc::StatusCode::FAILED_PRECONDITION) ++errors_;
        continue;
      }
      ++accepted_;
      complete(offer);
    }
    {
      std::lock_guard lock(streams_mutex_);
      std::erase(streams_, &stream_ctx);
    }
    stream_ctx.TryCancel();
    (void)stream->Finish();
    if (!stopping_.load()) pause(std::chrono::milliseconds(200));  // gateway gone; come back
  }
  v1::SetAvailabilityRequest offline;
  offline.set_availability(v1::AVAILABILITY_OFFLINE);
  v1::SetAvailabilityResponse ignored;
  (void)stub->SetAvailability(cli::call_context(member.token, std::chrono::seconds(2)).get(),
                              offline, &ignored);
}

}  // namespace lexroute
