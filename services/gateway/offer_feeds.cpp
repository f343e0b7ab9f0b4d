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

namespace {
// Redis was away when the feed last looked: look again this soon.
constexpr auto kRetry = 1s;
constexpr auto kScanEvery = 1s;
constexpr size_t kFeedsPerLook = 256;
}  // namespace

struct OfferFeeds::Feed {
  StaffIdentity me;
  std::string channel;
  ChangeSignals::WatchId watch = 0;

  // Scheduling, under OfferFeeds::mutex_.
  std::list<std::shared_ptr<Feed>>::iterator listed;
  bool gone = false;    // gRPC is done with it
  bool queued = false;  // in due_
  bool busy = false;    // a thread is bringing it up to date
  bool again = false;   // news arrived while busy
  SteadyClock::time_point next_look{};
  OfferSource::FeedState state;  // only the thread holding `busy` touches it

  // The stream, under `mutex`. One write at a time, as gRPC requires; the rest wait in order.
  std::mutex mutex;
  Stream* stream = nullptr;  // null once gRPC is done with it
  std::deque<v1::OfferEvent> unsent;
  v1::OfferEvent in_flight;
  bool writing = false;
  bool ending = false;  // finish once nothing is being written
  bool finished = false;
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
  static void next(Feed& feed, std::unique_lock<std::mutex>& lock) {
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
    feed_ = feeds_.open(this, *me);
  }

  // The end of the call; counted in pending_ by the caller.
  void finish(const grpc::Status& status) { writer_.Finish(status, &finished_); }

  void wrote(bool ok) {
    {
      std::unique_lock lock(feed_->mutex);
      feed_->writing = false;
      if (!ok) {
        // The call is dead (the staff member left, or the server cancelled it): there is
        // nothing to finish, and its end (done) is on its way.
        feed_->ending = true;
        feed_->finished = true;
      }
      next(*feed_, lock);
    }
    release();
  }

  void finished(bool) { release(); }

  // The call is over: finished, or cancelled by the staff member or the server's shutdown.
  void done(bool) {
    if (feed_) {
      {
        std::lock_guard lock(feed_->mutex);
        feed_->stream = nullptr;
      }
      feeds_.forget(feed_);
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
  std::shared_ptr<Feed> feed_;   // null when the caller was refused
  std::atomic<int> pending_{0};  // operations not yet completed, the end of the call among them
  CompletionQueues::Step<Stream> arrived_{this, &Stream::arrived};
  CompletionQueues::Step<Stream> wrote_{this, &Stream::wrote};
  CompletionQueues::Step<Stream> finished_{this, &Stream::finished};
  CompletionQueues::Step<Stream> done_{this, &Stream::done};
};

OfferFeeds::OfferFeeds(OfferSource& desk, ChangeSignals& signals, size_t threads)
    : desk_(desk), signals_(signals) {
  for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
}

OfferFeeds::~OfferFeeds() {
  stop();
  // The queues are drained before this goes, so gRPC has ended every stream; this is for any
  // feed it did not.
  std::list<std::shared_ptr<Feed>> open;
  {
    std::lock_guard lock(mutex_);
    open = open_;
  }
  for (auto& feed : open) signals_.unwatch(feed->channel, feed->watch);
}

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

std::shared_ptr<OfferFeeds::Feed> OfferFeeds::open(Stream* stream, const StaffIdentity& me) {
  auto feed = std::make_shared<Feed>();
  feed->me = me;
  feed->channel = keys::staff_channel(me.pool, me.staff_id);
  feed->state.connection = signals_.connections();
  feed->stream = stream;
  feed->watch = signals_.watch(feed->channel, [this, weak = std::weak_ptr<Feed>(feed)] {
    if (auto f = weak.lock()) {
      std::lock_guard lock(mutex_);
      schedule(f);
    }
  });
  bool stopping;
  {
    std::lock_guard lock(mutex_);
    feed->listed = open_.insert(open_.end(), feed);
    stopping = stopping_;
    if (!stopping) schedule(feed);
  }
  if (stopping) {
    std::unique_lock feed_lock(feed->mutex);
    feed->ending = true;
    Stream::next(*feed, feed_lock);
  }
  return feed;
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

void OfferFeeds::schedule(const std::shared_ptr<Feed>& feed) {
  if (feed->gone) return;
  if (feed->busy) {
    feed->again = true;
    return;
  }
  if (feed->queued) return;
  feed->queued = true;
  due_.push_back(feed);
  work_ready_.notify_one();
}

void OfferFeeds::schedule_due(SteadyClock::time_point now) {
  for (const auto& feed : open_) {
    if (now >= feed->next_look) schedule(feed);
  }
}

void OfferFeeds::forget(const std::shared_ptr<Feed>& feed) {
  signals_.unwatch(feed->channel, feed->watch);
  std::lock_guard lock(mutex_);
  if (feed->gone) return;
  feed->gone = true;
  open_.erase(feed->listed);
}

void OfferFeeds::work() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    auto now = SteadyClock::now();
    if (now - last_scan_ >= kScanEvery) {
      last_scan_ = now;
      schedule_due(now);
    }
    if (due_.empty()) {
      work_ready_.wait_for(lock, kScanEvery);
      continue;
    }
    // Everything due, up to a bound, in one look: two Redis round trips for the lot.
    std::vector<std::shared_ptr<Feed>> taken;
    while (!due_.empty() && taken.size() < kFeedsPerLook) {
      std::shared_ptr<Feed> feed = std::move(due_.front());
      due_.pop_front();
      feed->queued = false;
      if (feed->gone) continue;
      feed->busy = true;
      taken.push_back(std::move(feed));
    }
    if (!due_.empty()) work_ready_.notify_one();  // the rest is another thread's look
    if (taken.empty()) continue;
    lock.unlock();

    std::vector<OfferSource::FeedLook> looks;
    looks.reserve(taken.size());
    for (auto& feed : taken) looks.push_back({&feed->me, &feed->state, {}});
    desk_.offer_changes(looks);
    for (size_t i = 0; i < taken.size(); ++i) {
      if (!looks[i].events || looks[i].events->empty()) continue;
      // Delivered while still busy, so a later look at this feed cannot overtake these events.
      Feed& feed = *taken[i];
      std::unique_lock feed_lock(feed.mutex);
      for (auto& event : *looks[i].events) feed.unsent.push_back(std::move(event));
      Stream::next(feed, feed_lock);
    }

    lock.lock();
    auto looked = SteadyClock::now();
    for (size_t i = 0; i < taken.size(); ++i) {
      Feed& feed = *taken[i];
      feed.busy = false;
      feed.next_look = looked + (looks[i].events ? SteadyClock::duration(kRecheck) : kRetry);
      if (feed.again) {
        feed.again = false;
        schedule(taken[i]);
      }
    }
  }
}

void OfferFeeds::stop() {
  std::list<std::shared_ptr<Feed>> open;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
    work_ready_.notify_all();
    open = open_;
  }
  for (auto& t : threads_) t.join();
  for (auto& feed : open) {
    std::unique_lock feed_lock(feed->mutex);
    feed->ending = true;
    Stream::next(*feed, feed_lock);
  }
  LOG_INFO("gateway", "offer feeds stopped; ", open.size(), " were open");
}

}  // namespace lexroute
