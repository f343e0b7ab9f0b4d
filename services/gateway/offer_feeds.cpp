#include "services/gateway/offer_feeds.h"

#include <atomic>

#include "services/common/grpc_auth.h"
#include "services/common/grpc_status.h"
#include "services/common/log.h"
#include "services/common/request_parsing.h"
#include "services/redis/keys.h"

namespace lexroute {

using SteadyClock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// One call's writes, one at a time as gRPC requires; the rest wait in order. Under `mutex`.
struct OfferFeeds::Writes final : FeedReceiver {
  std::mutex mutex;
  Stream* stream = nullptr;  // null once gRPC is done with it
  std::deque<v1::OfferEvent> unsent;
  v1::OfferEvent in_flight;
  bool writing = false;
  bool ending = false;  // finish once nothing is being written
  bool finished = false;

  void receive(std::vector<v1::OfferEvent> events, bool) override;
  void end() override;
};

// One StreamOffers call on gRPC's async API, from waiting for it to its end. Its operations
// complete on its queue's thread; writes and the finish are started by whichever thread has news.
// It deletes itself once the call is over and none of its operations is outstanding.
class OfferFeeds::Stream {
 public:
  Stream(OfferFeeds& feeds, grpc::ServerCompletionQueue* queue, const RequestCall& request)
      : feeds_(feeds), queue_(queue) {
    feeds_.stream_began();
    context_.AsyncNotifyWhenDone(&done_);
    request(&context_, &request_, &writer_, queue, &arrived_);
  }
  ~Stream() { feeds_.stream_ended(); }

  // Starts the next write, or finishes when the feed is ending and nothing is being written.
  // The operation is counted under the feed's lock, so the stream outlives it; gRPC is called with
  // the lock released.
  static void next(Writes& feed, std::unique_lock<std::mutex>& lock) {
    if (feed.writing || feed.finished || feed.stream == nullptr) return;
    Stream* stream = feed.stream;
    if (feed.ending) {
      feed.finished = true;
      ++stream->pending_;
      lock.unlock();
      stream->finish(grpc::Status::OK);
      return;
    }
    if (feed.unsent.empty()) return;
    feed.in_flight = std::move(feed.unsent.front());
    feed.unsent.pop_front();
    feed.writing = true;
    ++stream->pending_;
    lock.unlock();
    stream->writer_.Write(feed.in_flight, &stream->wrote_);
  }

 private:
  void arrived(bool ok) {
    if (!ok) {  // the server is shutting down: no call came
      delete this;
      return;
    }
    feeds_.await_call(queue_);  // for the next staff member
    pending_ = 1;               // done_
    if (auto parsed = parse_request<v1::StreamOffersRequest>(request_); !parsed) {
      ++pending_;
      finish(to_grpc_status(parsed.error(), &context_));
      return;
    }
    auto me = feeds_.desk_.authenticate(bearer_token(context_));
    if (!me) {
      ++pending_;
      finish(to_grpc_status(me.error(), &context_));
      return;
    }
    writes_ = std::make_shared<Writes>();
    writes_->stream = this;
    feed_ = feeds_.live_.open(*me, writes_);
  }

  // The end of the call; counted in pending_ by the caller.
  void finish(const grpc::Status& status) { writer_.Finish(status, &finished_); }

  void wrote(bool ok) {
    {
      std::unique_lock lock(writes_->mutex);
      writes_->writing = false;
      if (!ok) {
        // The call is dead (the staff member left, or the server cancelled it): there is
        // nothing to finish, and its end (done) is on its way.
        writes_->ending = true;
        writes_->finished = true;
      }
      next(*writes_, lock);
    }
    release();
  }

  void finished(bool) { release(); }

  // The call is over: finished, or cancelled by the staff member or the server's shutdown.
  void done(bool) {
    if (feed_) {
      {
        std::lock_guard lock(writes_->mutex);
        writes_->stream = nullptr;
      }
      feeds_.live_.close(feed_);
    }
    release();
  }

  void release() {
    if (--pending_ == 0) delete this;
  }

  OfferFeeds& feeds_;
  grpc::ServerCompletionQueue* queue_;
  grpc::ServerContext context_;
  grpc::ByteBuffer request_;
  grpc::ServerAsyncWriter<v1::OfferEvent> writer_{&context_};
  std::shared_ptr<Writes> writes_;
  LiveFeeds::Handle feed_;       // null when the caller was refused
  std::atomic<int> pending_{0};  // operations not yet completed, the end of the call among them
  CompletionQueues::Step<Stream> arrived_{this, &Stream::arrived};
  CompletionQueues::Step<Stream> wrote_{this, &Stream::wrote};
  CompletionQueues::Step<Stream> finished_{this, &Stream::finished};
  CompletionQueues::Step<Stream> done_{this, &Stream::done};
};

void OfferFeeds::Writes::receive(std::vector<v1::OfferEvent> events, bool) {
  if (events.empty()) return;
  std::unique_lock lock(mutex);
  for (auto& event : events) unsent.push_back(std::move(event));
  Stream::next(*this, lock);
}

void OfferFeeds::Writes::end() {
  std::unique_lock lock(mutex);
  ending = true;
  Stream::next(*this, lock);
}

OfferFeeds::OfferFeeds(OfferSource& desk, ChangeSignals& signals, size_t threads)
    : desk_(desk), live_(desk, signals, threads) {}

OfferFeeds::~OfferFeeds() { stop(); }

void OfferFeeds::serve(CompletionQueues& queues, RequestCall request) {
  request_call_ = std::move(request);
  for (size_t i = 0; i < queues.size(); ++i) await_call(queues.server_at(i));
}

void OfferFeeds::await_call(grpc::ServerCompletionQueue* queue) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
  }
  new Stream(*this, queue, request_call_);  // deletes itself
}

void OfferFeeds::stream_began() {
  std::lock_guard lock(mutex_);
  ++streams_;
}

void OfferFeeds::stream_ended() {
  std::lock_guard lock(mutex_);
  if (--streams_ == 0) streams_gone_.notify_all();
}

bool OfferFeeds::wait_for_streams(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return streams_gone_.wait_for(lock, timeout, [&] { return streams_ == 0; });
}

void OfferFeeds::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  live_.stop();
}

}  // namespace lexroute
