#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace lexroute {

// Routing and lifecycle code reads time only through a Clock, so tests can move it by hand.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::system_clock::time_point now() const = 0;

  int64_t now_ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(now().time_since_epoch()).count();
  }
};

class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override {
    return std::chrono::system_clock::now();
  }
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::chrono::system_clock::time_point start) : now_(start) {}
  std::chrono::system_clock::time_point now() const override { return now_.load(); }
  void advance(std::chrono::system_clock::duration by) { now_ = now_.load() + by; }
  void set(std::chrono::system_clock::time_point to) { now_ = to; }

 private:
  std::atomic<std::chrono::system_clock::time_point> now_;
};

}  // namespace lexroute
