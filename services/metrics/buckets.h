#pragma once

#include <prometheus/histogram.h>

// Histogram buckets, one set per time scale, so every latency of a kind is comparable.
namespace lexroute::buckets {

// Calls that wait on Kafka or Redis: 1 ms to 10 s.
inline prometheus::Histogram::BucketBoundaries request_seconds() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}
// In-memory work such as one routing decision: 1 us to 100 ms.
inline prometheus::Histogram::BucketBoundaries decision_seconds() {
  return {1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 1e-2, 1e-1};
}
// Steps of a task's life that wait on people: 50 ms to a week.
inline prometheus::Histogram::BucketBoundaries task_step_seconds() {
  return {0.05, 0.1, 0.25, 0.5,  1,    2.5,   5,     10,    30,     60,
          300,  900, 1800, 3600, 7200, 14400, 28800, 86400, 259200, 604800};
}

}  // namespace lexroute::buckets
