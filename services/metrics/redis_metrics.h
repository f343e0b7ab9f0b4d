#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <chrono>
#include <string_view>

namespace lexroute {

// What the Redis client counts: the time of every round trip (one command or one pipeline) and
// the failures, as "unavailable" (network) or the first word of Redis's error reply (ERR,
// NOSCRIPT, LOADING, ...).
class RedisMetrics {
 public:
  explicit RedisMetrics(prometheus::Registry& registry);

  void round_trip(std::chrono::steady_clock::duration took);
  void failed(std::string_view error);

  // "NOSCRIPT" from "NOSCRIPT No matching script"; "ERR" when the reply has no upper-case word.
  static std::string_view error_word(std::string_view reply);

 private:
  prometheus::Histogram& round_trip_seconds_;
  prometheus::Family<prometheus::Counter>& errors_;
};

}  // namespace lexroute
