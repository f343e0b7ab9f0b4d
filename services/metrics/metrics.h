#pragma once

#include <prometheus/registry.h>

#include <memory>

#include "services/metrics/health_metrics.h"
#include "services/metrics/intake_metrics.h"
#include "services/metrics/kafka_metrics.h"
#include "services/metrics/pool_metrics.h"
#include "services/metrics/redis_metrics.h"
#include "services/metrics/router_metrics.h"
#include "services/metrics/task_metrics.h"
#include "services/metrics/web_door_metrics.h"

namespace lexroute {

// Every metric a lexrouted process exports (docs/metrics.md), in one registry. Each service is
// handed the part it feeds; a role that does not run a service exports that part's families
// with no series.
class Metrics {
 public:
  Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  std::shared_ptr<prometheus::Registry> registry() const { return registry_; }
  // `role`: "dev", "intake", "router", "gateway": lexroute_build_info{role} is 1.
  void set_role(const char* role);

 private:
  std::shared_ptr<prometheus::Registry> registry_;

 public:
  IntakeMetrics intake;
  RouterMetrics router;
  TaskMetrics tasks;
  PoolMetrics pools;
  KafkaMetrics kafka;
  RedisMetrics redis;
  HealthMetrics health;
  WebDoorMetrics web_door;
  // The gRPC families are GrpcMetrics (lexroute_metrics_collect), made by the node on this
  // registry: the Redis and Kafka adapters, which use these families, then need no gRPC.
};

}  // namespace lexroute
