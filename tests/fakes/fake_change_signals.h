#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "services/ports/change_signals.h"

namespace lexroute::testing {

// ChangeSignals in memory: a test announces a change (or a lost connection) and whoever waits or
// watches hears it at once, on the test's thread for watchers.
class FakeChangeSignals : public ChangeSignals {
 public:
  uint64_t generation(const std::string& channel) override;
  void wait(const std::string& channel, uint64_t seen, std::chrono::milliseconds timeout) override;
  WatchId watch(const std::string& channel, std::function<void()> on_change) override;
  void unwatch(const std::string& channel, WatchId id) override;
  uint64_t connections() override;
  std::vector<std::string> take_wake_messages(const std::string& channel, bool* complete) override;

  // `channel` had news; `wake_message`, when given, is queued for take_wake_messages.
  void announce(const std::string& channel, const std::string& wake_message = "");
  // The connection was lost and made again: every channel had news, and wake messages since the
  // last take are incomplete.
  void reconnect();
  // Watchers of `channel` now.
  size_t watchers(const std::string& channel);

 private:
  struct Channel {
    uint64_t generation = 0;
    std::map<WatchId, std::function<void()>> watchers;
    std::vector<std::string> wake_messages;
    bool complete = true;
  };
  // Calls the watchers of `names` outside the lock, as the real one's thread would.
  void notify(const std::vector<std::string>& names);

  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, Channel> channels_;
  uint64_t last_generation_ = 0;
  WatchId last_watch_ = 0;
  uint64_t connections_ = 1;
};

}  // namespace lexroute::testing
