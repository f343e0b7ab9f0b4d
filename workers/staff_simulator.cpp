#include "workers/staff_simulator.h"

#include <grpcpp/grpcpp.h>

#include <random>

#include "cli/client.h"
#include "lexroute/v1/worker.grpc.pb.h"
#include "services/common/log.h"

namespace lexroute {
namespace {

std::string outcome_for(v1::TaskKind kind, std::mt19937& rng) {
  switch (kind) {
    case v1::TASK_KIND_DOCUMENT_REVIEW: {
      static const char* kReview[] = {"responsive", "not-responsive", "privileged",
                                      "needs-second-level-review"};
      return kReview[rng() % 4];
    }
    case v1::TASK_KIND_PRIVILEGE_REVIEW:
      return rng() % 2 ? "privileged" : "not-privileged";
    default:
      return "done";
  }
}

}  // namespace

StaffSimulator::StaffSimulator(Options options) : options_(std::move(options)) {}

StaffSimulator::~StaffSimulator() { stop(); }

void StaffSimulator::start() {
  for (size_t i = 0; i < options_.staff.size(); ++i) {
    threads_.emplace_back([this, i] { work(options_.staff[i], i); });
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
}

void StaffSimulator::work(const Member& member, size_t index) {
  auto stub = v1::WorkerGateway::NewStub(cli::open_channel(options_.server));
  std::mt19937 rng(static_cast<uint32_t>(index * 7919 + 17));
  std::uniform_real_distribution<double> coin(0.0, 1.0);
  auto pause = [&](std::chrono::milliseconds d) {
    auto until = std::chrono::steady_clock::now() + d;
    while (!stopping_.load() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(
          std::min<std::chrono::milliseconds>(d, std::chrono::milliseconds(20)));
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
      if (!event.has_offered()) continue;
      const v1::Offer& offer = event.offered();
      pause(options_.think);
      v1::OfferActionRequest act;
      act.set_task_id(offer.task_id());
      v1::OfferActionResponse reply;
      if (coin(rng) < options_.reject_rate) {
        act.set_reason("simulated: not my area");
        if (stub->RejectOffer(cli::call_context(member.token).get(), act, &reply).ok()) {
          ++rejected_;
        }
        continue;
      }
      status = stub->AcceptOffer(cli::call_context(member.token).get(), act, &reply);
      if (!status.ok()) {
        // Withdrawn meanwhile (cancelled): not an error of ours.
        if (status.error_code() != grpc::StatusCode::FAILED_PRECONDITION) ++errors_;
        continue;
      }
      ++accepted_;
      pause(options_.think);
      v1::CompleteTaskRequest done;
      done.set_task_id(offer.task_id());
      done.set_outcome(outcome_for(offer.kind(), rng));
      status = stub->CompleteTask(cli::call_context(member.token).get(), done, &reply);
      if (status.ok()) {
        ++completed_;
      } else if (status.error_code() != grpc::StatusCode::FAILED_PRECONDITION) {
        ++errors_;
      }
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
