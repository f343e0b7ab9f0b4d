#include "services/metrics/redis_metrics.h"

#include <string>

#include "services/metrics/buckets.h"

namespace lexroute {

RedisMetrics::RedisMetrics(prometheus::Registry& registry)
    : round_trip_seconds_(prometheus::BuildHistogram()
                              .Name("lexroute_redis_round_trip_seconds")
                              .Help("Time of one Redis round trip (a command or a pipeline)")
                              .Register(registry)
                              .Add({}, buckets::request_seconds())),
      errors_(prometheus::BuildCounter()
                  .Name("lexroute_redis_errors_total")
                  .Help("Redis round trips that failed: unavailable, or Redis's error word")
                  .Register(registry)) {}

void RedisMetrics::round_trip(std::chrono::steady_clock::duration took) {
  round_trip_seconds_.Observe(std::chrono::duration<double>(took).count());
}

void RedisMetrics::failed(std::string_view error) {
  errors_.Add({{"error", std::string(error)}}).Increment();
}

std::string_view RedisMetrics::error_word(std::string_view reply) {
  size_t n = 0;
  while (n < reply.size() && n < 24 && reply[n] >= 'A' && reply[n] <= 'Z') ++n;
  bool word = n > 0 && (n == reply.size() || reply[n] == ' ');
  return word ? reply.substr(0, n) : std::string_view("ERR");
}

}  // namespace lexroute
