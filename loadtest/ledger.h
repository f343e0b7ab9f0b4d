#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>

#include "loadtest/latency_log.h"

namespace lexroute::loadtest {

// When each task was sent, by the load tester's own sequence number, which travels in the
// task's payload_ref ("https://dms.loadtest.example/doc/<seq>") so offers and completions, which
// carry the payload_ref, can be matched to their submit time without any lookup on the server.
class Ledger {
 public:
  Ledger(SteadyTime start, uint64_t capacity)
      : start_(start),
        capacity_(capacity),
        sent_(new std::atomic<int64_t>[capacity]),
        completed_(new std::atomic<bool>[capacity]()) {}

  // A new sequence number sent at `at`; nullopt once `capacity` tasks were sent.
  std::optional<uint64_t> next(SteadyTime at) {
    uint64_t seq = next_.fetch_add(1);
    if (seq >= capacity_) return std::nullopt;
    sent_[seq].store((at - start_).count(), std::memory_order_relaxed);
    return seq;
  }
  std::optional<SteadyTime> sent_at(uint64_t seq) const {
    if (seq >= std::min(capacity_, next_.load())) return std::nullopt;
    return start_ + SteadyTime::duration(sent_[seq].load(std::memory_order_relaxed));
  }
  uint64_t sent() const { return std::min(capacity_, next_.load()); }
  // True the first time only: a completion the gateway sends again is not counted twice.
  bool first_completion(uint64_t seq) {
    return seq < capacity_ && !completed_[seq].exchange(true, std::memory_order_relaxed);
  }

  static std::string payload_ref(uint64_t seq) {
    return "https://dms.loadtest.example/doc/" + std::to_string(seq);
  }
  static std::optional<uint64_t> seq_of(const std::string& payload_ref) {
    auto slash = payload_ref.rfind('/');
    if (slash == std::string::npos) return std::nullopt;
    try {
      return std::stoull(payload_ref.substr(slash + 1));
    } catch (...) {
      return std::nullopt;
    }
  }

 private:
  SteadyTime start_;
  uint64_t capacity_;
  std::unique_ptr<std::atomic<int64_t>[]> sent_;
  std::unique_ptr<std::atomic<bool>[]> completed_;
  std::atomic<uint64_t> next_{0};
};

}  // namespace lexroute::loadtest
