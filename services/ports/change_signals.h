#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace lexroute {

// Where a service learns that something it reads changed: a staff member's offers, capacity freed
// in a pool. A signal is only a hint to look again; whoever waits re-reads the store, and also
// looks again after a timeout, so a lost signal delays work but never loses it.
// The real one is Notifier (Redis pub/sub); tests/fakes/fake_change_signals.h is in memory.
class ChangeSignals {
 public:
  virtual ~ChangeSignals() = default;

  // A counter that moves whenever `channel` (or the connection) had news.
  virtual uint64_t generation(const std::string& channel) = 0;
  // Waits until generation(channel) differs from `seen`, `timeout` passes, or the signals stop.
  virtual void wait(const std::string& channel, uint64_t seen,
                    std::chrono::milliseconds timeout) = 0;

  // Calls `on_change` whenever `channel` (or the connection) has news: quickly, without calling
  // back into the signals. Returns at once; may also call it when it starts to hear the channel,
  // so a look made before then is made again. No call starts after unwatch() returned.
  using WatchId = uint64_t;
  virtual WatchId watch(const std::string& channel, std::function<void()> on_change) = 0;
  virtual void unwatch(const std::string& channel, WatchId id) = 0;

  // How many times the signals' connection was made. A change means the store may have
  // restarted and lost its last writes: readers should send everything again.
  virtual uint64_t connections() = 0;

  // Messages on a pool's wake channel since the last call ("free <staff>", "load <staff>"),
  // oldest first. `complete` is false when some may be missing; the caller then re-reads all.
  virtual std::vector<std::string> take_wake_messages(const std::string& channel,
                                                      bool* complete) = 0;
};

}  // namespace lexroute
