#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <vector>

namespace lexroute::loadtest {

using SteadyTime = std::chrono::steady_clock::time_point;

// Every latency of one kind (submit to acknowledgement, to offer, to completion) with when it
// ended, kept whole: percentiles are computed exactly at the end, and per second for the chart.
class LatencyLog {
 public:
  explicit LatencyLog(SteadyTime start) : start_(start) {}

  void add(SteadyTime ended, std::chrono::nanoseconds latency);

  struct Summary {
    uint64_t count = 0;
    double p50_ms = 0, p90_ms = 0, p99_ms = 0, p999_ms = 0, max_ms = 0;
  };
  Summary summary() const;
  // Second by second since the start: how many ended in it, and their p99 in ms.
  struct Second {
    uint64_t count = 0;
    double p99_ms = 0;
  };
  std::vector<Second> per_second() const;

 private:
  struct Sample {
    uint32_t second;
    uint32_t micros;  // latency in µs, saturating at ~71 minutes
  };
  SteadyTime start_;
  mutable std::mutex mutex_;
  std::vector<Sample> samples_;
};

}  // namespace lexroute::loadtest
