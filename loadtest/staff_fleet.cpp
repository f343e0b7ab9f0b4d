#include "loadtest/staff_fleet.h"

#include <map>
#include <queue>

#include "cli/client.h"

namespace lexroute::loadtest {
namespace {

// Sign-ins in flight at once: 100,000 at a time would only queue in the server.
constexpr size_t kSignInsInFlight = 1000;

void authorize_staff(grpc::ClientContext& ctx, const std::string& token) {
  cli::authorize(ctx, token, std::chrono::seconds(30));
}

// A unary call in flight: what gRPC needs kept alive until its callback.
template <typename Request, typename Response>
struct Call {
  grpc::ClientContext ctx;
  Request request;
  Response response;
};

}  // namespace

// Runs callbacks after the think time, on one thread.
struct StaffFleet::Timer {
  using Due = std::pair<std::chrono::steady_clock::time_point, uint64_t>;
  std::mutex mutex;
  std::condition_variable wake;
  std::map<Due, std::function<void()>> due;
  uint64_t order = 0;
  bool stopping = false;
  std::thread thread{[this] { run(); }};

  void add(std::chrono::steady_clock::time_point at, std::function<void()> fn) {
    std::lock_guard lock(mutex);
    due.emplace(Due{at, order++}, std::move(fn));
    wake.notify_one();
  }
  void run() {
    std::unique_lock lock(mutex);
    while (!stopping) {
      if (due.empty()) {
        wake.wait(lock);
        continue;
      }
      auto first = due.begin();
      if (first->first.first > std::chrono::steady_clock::now()) {
        wake.wait_until(lock, first->first.first);
        continue;
      }
      auto fn = std::move(first->second);
      due.erase(first);
      lock.unlock();
      fn();
      lock.lock();
    }
  }
  ~Timer() {
    {
      std::lock_guard lock(mutex);
      stopping = true;
      wake.notify_one();
    }
    thread.join();
  }
};

// One staff member's StreamOffers on gRPC's async API, its operations completing on one of the
// fleet's queues (CompletionQueues says why not the callback API). One read is outstanding at a
// time; when a read fails the stream is over and its status is fetched.
class StaffFleet::Reader {
 public:
  Reader(StaffFleet& fleet, size_t member, grpc::CompletionQueue* queue)
      : fleet_(fleet), member_(member) {
    ctx_.AddMetadata("authorization", "Bearer " + fleet.options_.staff[member].token);
    stream_ = fleet.stub(member).PrepareAsyncStreamOffers(&ctx_, request_, queue);
    stream_->StartCall(&started_);
  }
  void cancel() { ctx_.TryCancel(); }
  void wait() {
    std::unique_lock lock(mutex_);
    finished_.wait(lock, [&] { return done_; });
  }

 private:
  void started(bool ok) { ok ? stream_->Read(&event_, &read_) : end(); }
  void read(bool ok) {
    if (!ok) return end();
    if (event_.has_offered()) fleet_.on_offer(member_, event_.offered(), false);
    if (event_.has_accepted()) fleet_.on_offer(member_, event_.accepted(), true);
    stream_->Read(&event_, &read_);
  }
  void end() { stream_->Finish(&status_, &finished_step_); }
  void finished(bool) {
    std::lock_guard lock(mutex_);
    done_ = true;
    finished_.notify_all();
  }

  StaffFleet& fleet_;
  size_t member_;
  grpc::ClientContext ctx_;
  v1::StreamOffersRequest request_;
  v1::OfferEvent event_;
  grpc::Status status_;
  std::unique_ptr<grpc::ClientAsyncReader<v1::OfferEvent>> stream_;
  CompletionQueues::Step<Reader> started_{this, &Reader::started};
  CompletionQueues::Step<Reader> read_{this, &Reader::read};
  CompletionQueues::Step<Reader> finished_step_{this, &Reader::finished};
  std::mutex mutex_;
  std::condition_variable finished_;
  bool done_ = false;
};

StaffFleet::StaffFleet(Options options, Observer offered, Observer completed)
    : options_(std::move(options)),
      offered_(std::move(offered)),
      completed_(std::move(completed)),
      timer_(std::make_unique<Timer>()),
      feed_queues_(kFeedQueues) {
  feed_queues_.start();
  for (size_t i = 0; i < std::max<size_t>(options_.channels, 1); ++i) {
    grpc::ChannelArguments args;
    args.SetInt("lexroute.loadtest.channel", static_cast<int>(i));  // its own connection
    stubs_.push_back(
        v1::WorkerGateway::NewStub(cli::open_channel(options_.server, options_.security, args)));
  }
}

StaffFleet::~StaffFleet() { stop(); }

bool StaffFleet::start() {
  std::atomic<size_t> signed_in{0}, answered{0};
  for (size_t i = 0; i < options_.staff.size(); ++i) {
    while (i - answered.load() >= kSignInsInFlight) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    auto* call = new Call<v1::SetAvailabilityRequest, v1::SetAvailabilityResponse>();
    authorize_staff(call->ctx, options_.staff[i].token);
    call->request.set_availability(v1::AVAILABILITY_AVAILABLE);
    stub(i).async()->SetAvailability(&call->ctx, &call->request, &call->response,
                                     [&, call](grpc::Status s) {
                                       if (s.ok()) ++signed_in;
                                       delete call;
                                       ++answered;
                                     });
  }
  while (answered.load() < options_.staff.size()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  for (size_t i = 0; i < options_.staff.size(); ++i) {
    readers_.push_back(std::make_unique<Reader>(*this, i, feed_queues_.at(i % kFeedQueues)));
  }
  heartbeats_ = std::thread([this] { heartbeat_loop(); });
  return signed_in.load() == options_.staff.size();
}

void StaffFleet::stop() {
  if (stopping_.exchange(true)) return;
  for (auto& r : readers_) r->cancel();
  for (auto& r : readers_) r->wait();
  {
    std::unique_lock lock(mutex_);
    idle_.wait_for(lock, std::chrono::seconds(30), [&] { return in_flight_.load() == 0; });
  }
  if (heartbeats_.joinable()) heartbeats_.join();
  readers_.clear();
  feed_queues_.shutdown();
  timer_.reset();
}

void StaffFleet::later(std::function<void()> fn) {
  if (options_.think.count() == 0) {
    fn();
  } else {
    timer_->add(std::chrono::steady_clock::now() + options_.think, std::move(fn));
  }
}

void StaffFleet::on_offer(size_t member, const v1::Offer& offer, bool already_accepted) {
  if (stopping_.load()) return;
  if (!already_accepted) offered_(offer, std::chrono::steady_clock::now());
  ++in_flight_;
  later([this, member, offer, already_accepted] {
    already_accepted ? complete(member, offer) : accept(member, offer);
  });
}

void StaffFleet::accept(size_t member, v1::Offer offer) {
  auto* call = new Call<v1::OfferActionRequest, v1::OfferActionResponse>();
  authorize_staff(call->ctx, options_.staff[member].token);
  call->request.set_task_id(offer.task_id());
  stub(member).async()->AcceptOffer(
      &call->ctx, &call->request, &call->response,
      [this, member, call, offer = std::move(offer)](grpc::Status s) mutable {
        delete call;
        if (s.ok()) {
          later([this, member, offer = std::move(offer)] { complete(member, offer); });
          return;
        }
        // Withdrawn meanwhile (timed out, cancelled) is the server's call, not an error.
        if (s.error_code() != grpc::StatusCode::FAILED_PRECONDITION) ++errors_;
        if (--in_flight_ == 0) idle_.notify_all();
      });
}

void StaffFleet::complete(size_t member, v1::Offer offer) {
  auto* call = new Call<v1::CompleteTaskRequest, v1::OfferActionResponse>();
  authorize_staff(call->ctx, options_.staff[member].token);
  call->request.set_task_id(offer.task_id());
  // The first outcome the offer allows: the server refuses any other (router/outcomes.h).
  call->request.set_outcome(offer.allowed_outcomes().empty() ? std::string("done")
                                                             : offer.allowed_outcomes(0));
  stub(member).async()->CompleteTask(
      &call->ctx, &call->request, &call->response,
      [this, call, offer = std::move(offer)](grpc::Status s) {
        delete call;
        if (s.ok()) {
          completed_(offer, std::chrono::steady_clock::now());
        } else if (s.error_code() != grpc::StatusCode::FAILED_PRECONDITION) {
          ++errors_;
        }
        if (--in_flight_ == 0) idle_.notify_all();
      });
}

void StaffFleet::heartbeat_loop() {
  // Each member heartbeats once per interval at a phase of its own, as real apps do: the whole
  // roster at the same instant would be a burst no real workforce sends.
  constexpr auto kTick = std::chrono::milliseconds(50);
  const double per_tick = static_cast<double>(options_.staff.size()) * kTick /
                          std::chrono::duration<double>(options_.heartbeat_every);
  auto next_tick = std::chrono::steady_clock::now();
  size_t member = 0;
  double owed = 0;
  while (!stopping_.load()) {
    next_tick += kTick;
    std::this_thread::sleep_until(next_tick);
    for (owed += per_tick; owed >= 1 && !stopping_.load(); owed -= 1) {
      auto* call = new Call<v1::HeartbeatRequest, v1::HeartbeatResponse>();
      authorize_staff(call->ctx, options_.staff[member].token);
      ++in_flight_;
      stub(member).async()->Heartbeat(&call->ctx, &call->request, &call->response,
                                      [this, call](grpc::Status) {
                                        delete call;
                                        if (--in_flight_ == 0) idle_.notify_all();
                                      });
      member = (member + 1) % options_.staff.size();
    }
  }
}

}  // namespace lexroute::loadtest
