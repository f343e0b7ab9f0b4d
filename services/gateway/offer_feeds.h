#pragma once

#include <grpcpp/server_context.h>
#include <grpcpp/support/async_stream.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>

#include "lexroute/v1/worker.grpc.pb.h"
#include "services/common/completion_queues.h"
#include "services/gateway/live_feeds.h"
#include "services/ports/change_signals.h"
#include "services/ports/offer_source.h"

namespace lexroute {

// The gateway's gRPC offer feeds (WorkerGateway.StreamOffers), kept up to date by LiveFeeds,
// which it owns (the worker app's pages share them). Events go out through gRPC's async API on
// completion queues of the feeds' own (CompletionQueues says why), one write at a time, in order.
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

  // Every open feed of the gateway, gRPC's and the worker app's.
  LiveFeeds& live() { return live_; }

  // Waits for StreamOffers calls on every one of `queues`, once the server is started. The
  // queues' threads serve the calls; they must be drained before this is destroyed.
  void serve(CompletionQueues& queues, RequestCall request);
  // Ends every open feed with OK (the client reconnects elsewhere), the worker app's too, takes
  // no more calls and stops the threads.
  void stop();
  // After stop() and the server's shutdown: waits until every call, and every wait for one, is
  // over, so nothing starts an operation on a queue once it is shut down. False on timeout.
  bool wait_for_streams(std::chrono::milliseconds timeout);

 private:
  class Stream;
  struct Writes;

  // Waits for the next call on `queue`, unless stopping.
  void await_call(grpc::ServerCompletionQueue* queue);
  void stream_began();
  void stream_ended();

  OfferSource& desk_;
  LiveFeeds live_;
  RequestCall request_call_;
  std::mutex mutex_;
  bool stopping_ = false;
  size_t streams_ = 0;  // Stream objects alive: open calls and waits for one
  std::condition_variable streams_gone_;
};

}  // namespace lexroute
