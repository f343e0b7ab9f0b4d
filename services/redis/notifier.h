#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "services/ports/change_signals.h"
#include "services/redis/redis_client.h"

namespace lexroute {

// Listens to lexroute's Redis pub/sub channels (a staff member's offers changed, capacity was
// freed in a pool) and wakes whoever waits on a channel. A message is only a hint to look again:
// waiters re-read Redis, and they also look again after a timeout, so a message lost while the
// connection was down delays work but never loses it.
//
// Sharded pub/sub (SSUBSCRIBE; the scripts SPUBLISH), so that in a Redis Cluster a message stays
// on the master serving its channel's slot (the channels carry the {pool} tag) instead of being
// copied to every node. Sharded channels have no patterns: each channel someone asks about is
// subscribed to by name, on one connection per master (one connection in all without a
// cluster), and subscribed to again where the slot map says when a slot moves or a master fails
// over. generation() waits (briefly) for the channel's subscription, so a message published
// after it returned is heard; watch() does not wait (a gateway opens thousands of feeds at once
// after a restart): its watchers are called when the subscription is confirmed, and look again.
// A channel nobody asks about any more stays subscribed for a few seconds, as feeds forget theirs
// between two looks.
class Notifier : public ChangeSignals {
 public:
  explicit Notifier(RedisEndpoint endpoint);
  ~Notifier() override;
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  uint64_t generation(const std::string& channel) override;
  // Also returns at stop().
  void wait(const std::string& channel, uint64_t seen, std::chrono::milliseconds timeout) override;
  void stop();

  // Calls `on_change` whenever `channel` (or the connection) has news, on the notifier's own
  // thread and under its lock: it must be quick and must not call back into the Notifier. It is
  // for code that serves many channels from a few threads (thousands of offer feeds) and cannot
  // block a thread per channel in wait(). Also called once the channel's subscription is
  // confirmed. No call starts after unwatch() returned.
  WatchId watch(const std::string& channel, std::function<void()> on_change) override;
  void unwatch(const std::string& channel, WatchId id) override;

  // How many times the subscription connected. A change means Redis may have restarted (and,
  // with appendfsync everysec, lost its last second of writes): streams should send everything
  // again rather than trust what they remember sending.
  uint64_t connections() override;

  // Messages received on a `lx:{pool}:wake` channel since the last call ("free <staff>",
  // "load <staff>"), oldest first. `complete` is false when some may be missing (the buffer
  // overflowed or the connection was lost), and the caller should re-read everything.
  std::vector<std::string> take_wake_messages(const std::string& channel, bool* complete) override;

 private:
  void run();
  // Under mutex_ (`lock`): until `channel` is subscribed, stop(), or a short timeout.
  void await_subscription(std::unique_lock<std::mutex>& lock, const std::string& channel);
  void wanted_changed();  // under mutex_: the subscription thread looks again
  void connected();       // under mutex_: a new subscription connection, so anything may be missed
  void bump(const std::string& channel, std::string payload);

  // One per channel someone is watching. A message wakes only that channel's waiters: with one
  // condition variable for all, every message woke every open offer stream (thousands of
  // threads per message at a few thousand staff). Messages on channels nobody watches (most
  // task channels) are dropped, and a channel is forgotten when its last waiter leaves, so the
  // table stays the size of what is watched. Every generation comes from one counter, so a
  // forgotten and re-created channel never repeats a value a waiter may still hold.
  struct Channel {
    uint64_t generation = 0;
    int waiters = 0;
    std::condition_variable changed;
    std::vector<std::pair<WatchId, std::function<void()>>> watchers;

    void announce();  // wakes the waiters and calls the watchers
    bool watched() const { return waiters > 0 || !watchers.empty(); }
  };
  Channel& channel_of(const std::string& name);  // under mutex_; creates it
  void wake_everyone();                          // under mutex_

  RedisEndpoint endpoint_;
  std::mutex mutex_;
  // unordered_map nodes never move, so a reference stays valid while its waiter sleeps.
  std::unordered_map<std::string, Channel> channels_;
  uint64_t last_generation_ = 0;
  WatchId last_watch_ = 0;
  uint64_t reconnects_ = 0;
  struct WakeBuffer {
    std::vector<std::string> messages;
    bool complete = false;  // nothing read yet: the first reader re-reads everything
  };
  std::unordered_map<std::string, WakeBuffer> wake_;
  // Channels the thread has subscribed to (Redis confirmed), and whether it must look again.
  std::unordered_set<std::string> subscribed_;
  std::condition_variable subscription_confirmed_;
  bool wanted_changed_ = true;
  int wake_fd_ = -1;  // an eventfd: the subscription thread's poll returns when it is written
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace lexroute
