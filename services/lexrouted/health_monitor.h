#pragma once

#include <grpcpp/health_check_service_interface.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "router/error.h"
#include "services/common/periodic_task.h"

namespace lexroute {

class HealthMetrics;

// What a role's readiness hangs on, told through grpc.health.v1 (docs/deployment.md, "Health"):
// each dependency is checked about once a period, each check bounded by its own short timeout so
// that a hung dependency cannot stall the others, and each health service name is SERVING only
// while every dependency it needs passed its last check. The name "liveness" stays SERVING while
// the process runs: a lost Redis is a reason to take a pod out of its Service, not to restart it.
class HealthMonitor {
 public:
  static constexpr const char* kLiveness = "liveness";

  struct Dependency {
    std::string name;  // "redis", "kafka", "partitions": in the logs and the metric's label
    // Returns within its own timeout; an error says why the dependency is unusable now.
    std::function<Result<void>()> check;
  };
  // A gRPC health service name ("" for the server as a whole) and the dependencies it needs.
  struct Service {
    std::string name;
    std::vector<std::string> needs;
  };

  HealthMonitor(std::string role, grpc::HealthCheckServiceInterface& health,
                std::vector<Dependency> dependencies, std::vector<Service> services,
                HealthMetrics* metrics, std::chrono::milliseconds every);
  ~HealthMonitor();
  HealthMonitor(const HealthMonitor&) = delete;
  HealthMonitor& operator=(const HealthMonitor&) = delete;

  // Checks once at once, sets every status, then goes on checking every period.
  void start();
  // Stops checking; the statuses stay as they are (the node sets NOT_SERVING as it stops).
  void stop();

 private:
  void check_all();

  const std::string role_;
  grpc::HealthCheckServiceInterface& health_;
  const std::vector<Dependency> dependencies_;
  const std::vector<Service> services_;
  HealthMetrics* const metrics_;
  std::map<std::string, bool> usable_;  // per dependency, at the last check; only check_all's
  std::unique_ptr<PeriodicTask> task_;
};

}  // namespace lexroute
