#pragma once

#include <grpcpp/server_context.h>
#include <grpcpp/support/async_stream.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "lexroute/v1/worker.grpc.pb.h"
#include "services/common/completion_queues.h"
#include "services/ports/change_signals.h"
#include "services/ports/offer_source.h"

namespace lexroute {

// The gateway's open gRPC offer feeds (WorkerGateway.StreamOffers), served by a few threads
// instead of one blocked thread each: a roster's worth of threads leaves the machine switching
// between them (docs/performance.md, "Measured choices"). A feed is brought up to date
// (OfferSource::offer_changes, the WorkerDesk's) when the change signals say its staff member's
// channel changed, when Redis was away and a second passed, and as a safety net every kRecheck;
// its events go out through gRPC's async API on completion queues of the feeds' own
// (CompletionQueues says why), one write at a time, in order.
class OfferFeeds {
 public:
  // Asks gRPC for the next StreamOffers call, to be announced on `queue` with `tag`. The request
  // comes as bytes and is parsed here (request_parsing.h): gRPC's own parse would end a call it
  // cannot parse with INTERNAL.
  using RequestCall = std::function<void(grpc::ServerContext*, grpc::ByteBuffer*,
                                         grpc::ServerAsyncWriter<v1::OfferEvent>*,
                                         grpc::ServerCompletionQueue* queue, void* tag)>;

  OfferFeeds(OfferSource& desk, ChangeSignals& signals, size_t threads = 2);
  ~OfferFeeds();
  OfferFeeds(const OfferFeeds&) = delete;
  OfferFeeds& operator=(const OfferFeeds&) = delete;

  // Waits for StreamOffers calls on every one of `queues`, once the server is started. The
  // queues' threads serve the calls; they must be drained before this is destroyed.
  void serve(CompletionQueues& queues, RequestCall request);
  // Ends every open feed with OK (the client reconnects elsewhere), takes no more calls and stops
  // the threads.
  void stop();
  // After stop() and the server's shutdown: waits until every call, and every wait for one, is
  // over, so nothing starts an operation on a queue once it is shut down. False on timeout.
  bool wait_for_streams(std::chrono::milliseconds timeout);

  // Without a change notification, a feed still looks at Redis this often. Notifications are only
  // lost while the pub/sub connection is down, and its reconnect makes every feed look again, so
  // this is a safety net, kept rare: 100,000 open feeds every 15 s would be 6,700 looks a second.
  static constexpr std::chrono::seconds kRecheck{60};

 private:
  class Stream;
  struct Feed;

  // Waits for the next call on `queue`, unless stopping.
  void await_call(grpc::ServerCompletionQueue* queue);
  // The feed of the staff member `me`, whose call came in on `stream`.
  std::shared_ptr<Feed> open(Stream* stream, const StaffIdentity& me);
  void work();
  void stream_began();
  void stream_ended();
  // Queues `feed` to be brought up to date unless it already is queued. Under mutex_.
  void schedule(const std::shared_ptr<Feed>& feed);
  void forget(const std::shared_ptr<Feed>& feed);
  void schedule_due(std::chrono::steady_clock::time_point now);  // under mutex_

  OfferSource& desk_;
  ChangeSignals& signals_;
  RequestCall request_call_;
  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::deque<std::shared_ptr<Feed>> due_;
  std::list<std::shared_ptr<Feed>> open_;
  std::chrono::steady_clock::time_point last_scan_{};
  bool stopping_ = false;
  size_t streams_ = 0;  // Stream objects alive: open calls and waits for one
  std::condition_variable streams_gone_;
  std::vector<std::thread> threads_;
};

}  // namespace lexroute
