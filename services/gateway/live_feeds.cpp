#include "services/gateway/live_feeds.h"

#include "services/common/log.h"
#include "services/redis/keys.h"

namespace lexroute {

using SteadyClock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {
// The store was away when the feed last looked: look again this soon.
constexpr auto kRetry = 1s;
constexpr auto kScanEvery = 1s;
constexpr size_t kFeedsPerLook = 256;
}  // namespace

// Scheduling is under LiveFeeds::mutex_; `state` and `first` only the thread holding `busy`
// touches.
struct LiveFeeds::Feed {
  StaffIdentity me;
  std::string channel;
  ChangeSignals::WatchId watch = 0;
  std::shared_ptr<FeedReceiver> receiver;

  std::list<Handle>::iterator listed;
  bool gone = false;    // closed
  bool queued = false;  // in due_
  bool busy = false;    // a thread is bringing it up to date
  bool again = false;   // news arrived while busy
  SteadyClock::time_point next_look{};
  OfferSource::FeedState state;
  bool first = true;
};

LiveFeeds::LiveFeeds(OfferSource& desk, ChangeSignals& signals, size_t threads)
    : desk_(desk), signals_(signals) {
  for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
}

LiveFeeds::~LiveFeeds() {
  stop();
  std::list<Handle> open;
  {
    std::lock_guard lock(mutex_);
    open = open_;
  }
  for (auto& feed : open) signals_.unwatch(feed->channel, feed->watch);
}

LiveFeeds::Handle LiveFeeds::open(const StaffIdentity& me, std::shared_ptr<FeedReceiver> receiver) {
  auto feed = std::make_shared<Feed>();
  feed->me = me;
  feed->channel = keys::staff_channel(me.pool, me.staff_id);
  feed->state.connection = signals_.connections();
  feed->receiver = std::move(receiver);
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
  if (stopping) feed->receiver->end();
  return feed;
}

void LiveFeeds::close(const Handle& feed) {
  signals_.unwatch(feed->channel, feed->watch);
  std::lock_guard lock(mutex_);
  if (feed->gone) return;
  feed->gone = true;
  open_.erase(feed->listed);
}

size_t LiveFeeds::open_feeds() {
  std::lock_guard lock(mutex_);
  return open_.size();
}

void LiveFeeds::schedule(const Handle& feed) {
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

void LiveFeeds::schedule_due(SteadyClock::time_point now) {
  for (const auto& feed : open_) {
    if (now >= feed->next_look) schedule(feed);
  }
}

void LiveFeeds::work() {
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
    std::vector<Handle> taken;
    while (!due_.empty() && taken.size() < kFeedsPerLook) {
      Handle feed = std::move(due_.front());
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
      Feed& feed = *taken[i];
      if (!looks[i].events || (looks[i].events->empty() && !feed.first)) continue;
      // Delivered while still busy, so a later look at this feed cannot overtake these events.
      feed.receiver->receive(std::move(*looks[i].events), feed.first);
      feed.first = false;
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

void LiveFeeds::stop() {
  std::list<Handle> open;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
    work_ready_.notify_all();
    open = open_;
  }
  for (auto& t : threads_) t.join();
  for (auto& feed : open) feed->receiver->end();
  LOG_INFO("gateway", "offer feeds stopped; ", open.size(), " were open");
}

}  // namespace lexroute
