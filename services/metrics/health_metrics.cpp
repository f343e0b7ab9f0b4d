#include "services/metrics/health_metrics.h"

#include <string>

namespace lexroute {

HealthMetrics::HealthMetrics(prometheus::Registry& registry)
    : status_(prometheus::BuildGauge()
                  .Name("lexroute_health_status")
                  .Help("1 while a dependency this role needs answered its last health check")
                  .Register(registry)),
      changes_(prometheus::BuildCounter()
                   .Name("lexroute_health_changes_total")
                   .Help("Times a dependency's health check went from usable to not, or back")
                   .Register(registry)) {}

void HealthMetrics::checked(std::string_view dependency, bool usable, bool changed) {
  const std::string name(dependency);
  status_.Add({{"dependency", name}}).Set(usable ? 1 : 0);
  if (changed) changes_.Add({{"dependency", name}}).Increment();
}

}  // namespace lexroute
