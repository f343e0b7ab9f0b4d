#include "tests/fakes/fake_change_signals.h"

#include <utility>

namespace lexroute::testing {

uint64_t FakeChangeSignals::generation(const std::string& channel) {
  std::lock_guard lock(mutex_);
  return channels_[channel].generation;
}

void FakeChangeSignals::wait(const std::string& channel, uint64_t seen,
                             std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout, [&] { return channels_[channel].generation != seen; });
}

ChangeSignals::WatchId FakeChangeSignals::watch(const std::string& channel,
                                                std::function<void()> on_change) {
  std::lock_guard lock(mutex_);
  WatchId id = ++last_watch_;
  channels_[channel].watchers.emplace(id, std::move(on_change));
  return id;
}

void FakeChangeSignals::unwatch(const std::string& channel, WatchId id) {
  std::lock_guard lock(mutex_);
  channels_[channel].watchers.erase(id);
}

uint64_t FakeChangeSignals::connections() {
  std::lock_guard lock(mutex_);
  return connections_;
}

std::vector<std::string> FakeChangeSignals::take_wake_messages(const std::string& channel,
                                                               bool* complete) {
  std::lock_guard lock(mutex_);
  Channel& c = channels_[channel];
  *complete = c.complete;
  c.complete = true;
  return std::exchange(c.wake_messages, {});
}

void FakeChangeSignals::announce(const std::string& channel, const std::string& wake_message) {
  {
    std::lock_guard lock(mutex_);
    Channel& c = channels_[channel];
    c.generation = ++last_generation_;
    if (!wake_message.empty()) c.wake_messages.push_back(wake_message);
  }
  changed_.notify_all();
  notify({channel});
}

void FakeChangeSignals::reconnect() {
  std::vector<std::string> names;
  {
    std::lock_guard lock(mutex_);
    ++connections_;
    for (auto& [name, c] : channels_) {
      c.generation = ++last_generation_;
      c.complete = false;
      names.push_back(name);
    }
  }
  changed_.notify_all();
  notify(names);
}

size_t FakeChangeSignals::watchers(const std::string& channel) {
  std::lock_guard lock(mutex_);
  return channels_[channel].watchers.size();
}

void FakeChangeSignals::notify(const std::vector<std::string>& names) {
  std::vector<std::function<void()>> calls;
  {
    std::lock_guard lock(mutex_);
    for (const auto& name : names) {
      for (auto& [id, call] : channels_[name].watchers) calls.push_back(call);
    }
  }
  for (auto& call : calls) call();
}

}  // namespace lexroute::testing
