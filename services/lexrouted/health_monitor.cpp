#include "services/lexrouted/health_monitor.h"

#include <algorithm>

#include "services/common/log.h"
#include "services/metrics/health_metrics.h"

namespace lexroute {

HealthMonitor::HealthMonitor(std::string role, grpc::HealthCheckServiceInterface& health,
                             std::vector<Dependency> dependencies, std::vector<Service> services,
                             HealthMetrics* metrics, std::chrono::milliseconds every)
    : role_(std::move(role)),
      health_(health),
      dependencies_(std::move(dependencies)),
      services_(std::move(services)),
      metrics_(metrics),
      task_(std::make_unique<PeriodicTask>(
          every, [this] { check_all(); }, PeriodicTask::FirstRun::kAfterOnePeriod)) {}

HealthMonitor::~HealthMonitor() { stop(); }

void HealthMonitor::start() {
  health_.SetServingStatus(kLiveness, true);
  check_all();
  task_->start();
}

void HealthMonitor::stop() { task_->stop(); }

void HealthMonitor::check_all() {
  for (const auto& dependency : dependencies_) {
    auto checked = dependency.check();
    bool usable = checked.has_value();
    auto was = usable_.find(dependency.name);
    bool changed = was != usable_.end() && was->second != usable;
    if (usable && changed) {
      LOG_INFO("health", role_, ": ", dependency.name, " is usable again");
    } else if (!usable && (changed || was == usable_.end())) {
      LOG_WARN("health", role_, ": ", dependency.name,
               " is not usable, so not ready: ", checked.error().message);
    }
    usable_[dependency.name] = usable;
    if (metrics_ != nullptr) metrics_->checked(dependency.name, usable, changed);
  }
  for (const auto& service : services_) {
    bool serving = std::all_of(service.needs.begin(), service.needs.end(),
                               [&](const std::string& need) { return usable_[need]; });
    health_.SetServingStatus(service.name, serving);
  }
}

}  // namespace lexroute
