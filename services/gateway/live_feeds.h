#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <list>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "lexroute/v1/worker.pb.h"
#include "services/ports/change_signals.h"
#include "services/ports/offer_source.h"

namespace lexroute {

// Where an open offer feed's news goes: a gRPC StreamOffers call, or a worker app page.
class FeedReceiver {
 public:
  virtual ~FeedReceiver() = default;
  // The events that bring the receiver up to date, in order, from one thread at a time. `first`
  // marks the first look at the feed; `events` may then be empty (nothing is open), and every
  // event the staff member holds has been sent once it is received.
  virtual void receive(std::vector<v1::OfferEvent> events, bool first) = 0;
  // The feeds are stopping: end the stream (the client reconnects elsewhere).
  virtual void end() = 0;
};

// Every open offer feed of a gateway, whichever door it came by, served by a few threads instead
// of one blocked thread each: a roster's worth of threads leaves the machine switching between
// them (docs/performance.md, "Measured choices"). A feed is brought up to date
// (OfferSource::offer_changes, the WorkerDesk's) when the change signals say its staff member's
// channel changed, when the store was away and a second passed, and as a safety net every
// kRecheck; many due feeds share one look (two Redis round trips for the lot).
class LiveFeeds {
 public:
  LiveFeeds(OfferSource& desk, ChangeSignals& signals, size_t threads = 2);
  ~LiveFeeds();
  LiveFeeds(const LiveFeeds&) = delete;
  LiveFeeds& operator=(const LiveFeeds&) = delete;

  struct Feed;
  using Handle = std::shared_ptr<Feed>;

  // Opens the feed of `me`: `receiver` gets its events until close() or stop(). After stop(),
  // the receiver is ended at once.
  Handle open(const StaffIdentity& me, std::shared_ptr<FeedReceiver> receiver);
  // The receiver is gone; no more looks at this feed.
  void close(const Handle& feed);
  // Ends every open feed's receiver, takes no more looks and stops the threads.
  void stop();
  size_t open_feeds();

  // Without a change notification, a feed still looks at Redis this often. Notifications are only
  // lost while the pub/sub connection is down, and its reconnect makes every feed look again, so
  // this is a safety net, kept rare: 100,000 open feeds every 15 s would be 6,700 looks a second.
  static constexpr std::chrono::seconds kRecheck{60};

 private:
  void work();
  // Queues `feed` to be brought up to date unless it already is queued. Under mutex_.
  void schedule(const Handle& feed);
  void schedule_due(std::chrono::steady_clock::time_point now);  // under mutex_

  OfferSource& desk_;
  ChangeSignals& signals_;
  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::deque<Handle> due_;
  std::list<Handle> open_;
  std::chrono::steady_clock::time_point last_scan_{};
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace lexroute
