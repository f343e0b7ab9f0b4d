#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace lexroute {

// A step run on a thread of its own every `every` until stopped: the shape of lexrouted's
// background loops (the scaler's rounds, the pool gauges, intake's backlog watch). stop() ends
// it without waiting out the period, and a step already running finishes first.
class PeriodicTask {
 public:
  enum class FirstRun { kAtOnce, kAfterOnePeriod };

  PeriodicTask(std::chrono::milliseconds every, std::function<void()> step,
               FirstRun first = FirstRun::kAtOnce)
      : every_(every), step_(std::move(step)), first_(first) {}
  ~PeriodicTask() { stop(); }
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  void start() {
    thread_ = std::thread([this] { run(); });
  }
  // Runs the next step now instead of at the end of the period.
  void wake() {
    {
      std::lock_guard lock(mutex_);
      woken_ = true;
    }
    changed_.notify_all();
  }
  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void run() {
    std::unique_lock lock(mutex_);
    bool wait_first = first_ == FirstRun::kAfterOnePeriod;
    while (!stopping_) {
      if (wait_first) {
        changed_.wait_for(lock, every_, [&] { return stopping_ || woken_; });
        if (stopping_) break;
      }
      wait_first = true;
      woken_ = false;
      lock.unlock();
      step_();
      lock.lock();
    }
  }

  const std::chrono::milliseconds every_;
  const std::function<void()> step_;
  const FirstRun first_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool stopping_ = false;
  bool woken_ = false;
  std::thread thread_;
};

}  // namespace lexroute
