#include "services/metrics/metrics.h"

#include <prometheus/gauge.h>

namespace lexroute {

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      intake(*registry_),
      router(*registry_),
      tasks(*registry_),
      pools(*registry_),
      kafka(*registry_),
      redis(*registry_),
      health(*registry_),
      web_door(*registry_) {}

void Metrics::set_role(const char* role) {
  prometheus::BuildGauge()
      .Name("lexroute_build_info")
      .Help("Always 1; the role label says which services this process runs")
      .Register(*registry_)
      .Add({{"role", role}})
      .Set(1);
}

}  // namespace lexroute
