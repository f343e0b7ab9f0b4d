#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <string_view>

namespace lexroute {

// What the health checks found: per dependency a role's readiness hangs on ("redis", "kafka",
// "partitions"), whether it was usable at the last check, and how often that changed.
class HealthMetrics {
 public:
  explicit HealthMetrics(prometheus::Registry& registry);

  void checked(std::string_view dependency, bool usable, bool changed);

 private:
  prometheus::Family<prometheus::Gauge>& status_;
  prometheus::Family<prometheus::Counter>& changes_;
};

}  // namespace lexroute
