#include "services/gateway/offer_feeds.h"

#include "services/common/log.h"
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
  Notifier::WatchId watch = 0;

  // Scheduling, under OfferFeeds::mutex_.
  std::list<std::shared_ptr<Feed>>::iterator listed;
  bool gone = false;    // gRPC is done with it
  bool queued = false;  // in due_
  bool busy = false;    // a thread is bringing it up to date
  bool again = false;   // news arrived while busy
  SteadyClock::time_point next_look{};
  WorkerDesk::FeedState state;  // only the thread holding `busy` touches it

  // The stream, under `mutex`. One write at a time, as gRPC requires; the rest wait in order.
  std::mutex mutex;
  Stream* stream = nullptr;  // null once gRPC is done with it
  std::deque<v1::OfferEvent> unsent;
  v1::OfferEvent in_flight;
  bool writing = false;
  bool ending = false;  // finish once nothing is being written
  bool finished = false;
};

class OfferFeeds::Stream final : public grpc::ServerWriteReactor<v1::OfferEvent> {
 public:
  Stream(OfferFeeds& feeds, std::shared_ptr<Feed> feed) : feeds_(feeds), feed_(std::move(feed)) {}

  // Starts the next write, or finishes when the feed is ending and nothing is being written.
  // gRPC is called with the lock released: it may run a reaction of this stream meanwhile.
  static void next(Feed& feed, std::unique_lock<std::mutex>& lock) {
    if (feed.writing || feed.finished || feed.stream == nullptr) return;
    Stream* stream = feed.stream;
    if (feed.ending) {
      feed.finished = true;
      lock.unlock();
      stream->Finish(grpc::Status::OK);
      return;
    }
    if (feed.unsent.empty()) return;
    feed.in_flight = std::move(feed.unsent.front());
    feed.unsent.pop_front();
    feed.writing = true;
    lock.unlock();
    stream->StartWrite(&feed.in_flight);
  }

  void OnWriteDone(bool ok) override {
    std::unique_lock lock(feed_->mutex);
    feed_->writing = false;
    if (!ok) feed_->ending = true;  // the staff member is gone
    next(*feed_, lock);
  }

  void OnCancel() override {
    std::unique_lock lock(feed_->mutex);
    feed_->ending = true;
    next(*feed_, lock);
  }

  void OnDone() override {
    {
      std::lock_guard lock(feed_->mutex);
      feed_->stream = nullptr;
    }
    feeds_.forget(feed_);
    delete this;
  }

 private:
  OfferFeeds& feeds_;
  std::shared_ptr<Feed> feed_;
};

OfferFeeds::OfferFeeds(WorkerDesk& desk, Notifier& notifier, size_t threads)
    : desk_(desk), notifier_(notifier) {
  for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
}

OfferFeeds::~OfferFeeds() {
  stop();
  // gRPC finishes every stream before the server is gone; this is for feeds it never started.
  std::list<std::shared_ptr<Feed>> open;
  {
    std::lock_guard lock(mutex_);
    open = open_;
  }
  for (auto& feed : open) notifier_.unwatch(feed->channel, feed->watch);
}

grpc::ServerWriteReactor<v1::OfferEvent>* OfferFeeds::open(const StaffIdentity& me) {
  auto feed = std::make_shared<Feed>();
  feed->me = me;
  feed->channel = keys::staff_channel(me.pool, me.staff_id);
  feed->state.connection = notifier_.connections();
  auto* stream = new Stream(*this, feed);
  feed->stream = stream;
  feed->watch = notifier_.watch(feed->channel, [this, weak = std::weak_ptr<Feed>(feed)] {
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
  return stream;
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
  notifier_.unwatch(feed->channel, feed->watch);
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

    std::vector<WorkerDesk::FeedLook> looks;
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
