#pragma once

#include <grpcpp/server.h>

#include <memory>
#include <string>

#include "router/clock.h"
#include "services/admin/admin_service.h"
#include "services/audit/event_relay.h"
#include "services/common/periodic_task.h"
#include "services/gateway/gateway_service.h"
#include "services/gateway/worker_app_server.h"
#include "services/gateway/worker_desk.h"
#include "services/intake/intake_service.h"
#include "services/kafka/broker_check.h"
#include "services/kafka/embedded_kafka.h"
#include "services/kafka/producer.h"
#include "services/lexrouted/config.h"
#include "services/lexrouted/health_monitor.h"
#include "services/metrics/audit_metrics.h"
#include "services/metrics/grpc_metrics.h"
#include "services/metrics/metrics.h"
#include "services/metrics/metrics_endpoint.h"
#include "services/metrics/pool_collector.h"
#include "services/redis/notifier.h"
#include "services/redis/presence_store.h"
#include "services/redis/redis_process.h"
#include "services/redis/session_store.h"
#include "services/redis/staff_store.h"
#include "services/redis/task_store.h"
#include "services/router/router_service.h"
#include "services/scaler/scaler_service.h"

namespace lexroute {

// A running lexrouted: the services its role calls for, wired to Redis and Kafka. `main` and the
// end-to-end tests both build one; it owns everything it starts and stops it in order.
class Node {
 public:
  // `clock`: what the services read time from (tests pass a ManualClock); the system clock
  // when null. It must outlive the node.
  static Result<std::unique_ptr<Node>> start(Config config, const Clock* clock = nullptr);
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Stop accepting, drain in-flight calls, let the router finish and commit, flush Kafka.
  void stop();

  const std::string& grpc_address() const { return grpc_address_; }
  // The worker app's HTTP address; empty when this role serves no gateway.
  const std::string& http_address() const { return http_address_; }
  const std::string& redis_address() const { return redis_address_; }
  const std::string& kafka_bootstrap() const { return kafka_bootstrap_; }
  // host:port of GET /metrics; empty when not served.
  const std::string& metrics_address() const { return metrics_address_; }
  Metrics& metrics() { return *metrics_; }
  // In dev without a configured admin key: the key generated for this run.
  const std::string& generated_admin_key() const { return generated_admin_key_; }
  // For fault injection in tests.
  EmbeddedKafka* embedded_kafka() { return embedded_kafka_.get(); }
  RedisProcess* redis_process() { return redis_process_.get(); }
  RouterService* router() { return router_.get(); }
  ScalerService* scaler() { return scaler_.get(); }

 private:
  Node(Config config, const Clock* clock)
      : config_(std::move(config)), clock_(clock ? *clock : system_clock_) {}
  Result<void> start_metrics();
  Result<void> start_backends();
  Result<void> start_services();
  Result<void> write_ready_file() const;
  // On the embedded default, whose Kafka starts empty: sends the tasks an earlier run
  // acknowledged but did not route (still QUEUED in Redis) to the new Kafka before intake opens.
  Result<void> requeue_unrouted();
  // The routers' consumer: the operator's Kafka properties, and the embedded cluster's own.
  KafkaSettings consumer_settings() const;
  // On the embedded default, whose Kafka goes with the process: lets the router finish what was
  // acknowledged, bounded.
  void drain_router();
  // While serving TLS: checks the files again on gRPC's reload interval and says, naming the flag
  // and the file, when they stop (or start again) being a usable pair.
  void watch_tls_files();
  // grpc.health.v1 per service name, from what this role needs: Redis everywhere, a broker for
  // intake, partitions for the router (docs/deployment.md, "Health").
  Result<void> start_health();

  Config config_;
  SystemClock system_clock_;
  const Clock& clock_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<MetricsEndpoint> metrics_endpoint_;
  std::unique_ptr<RedisProcess> redis_process_;
  std::unique_ptr<EmbeddedKafka> embedded_kafka_;
  std::unique_ptr<RedisClient> redis_;
  std::unique_ptr<TaskStore> tasks_;
  std::unique_ptr<StaffStore> staff_;
  std::unique_ptr<PresenceStore> presence_;
  std::unique_ptr<PoolStore> pools_;
  std::unique_ptr<CredentialStore> credentials_;
  std::unique_ptr<Notifier> notifier_;
  std::unique_ptr<Producer> producer_;
  std::unique_ptr<RoutingBacklog> routing_backlog_;  // intake's back-pressure, when on
  std::unique_ptr<IntakeService> intake_;
  std::unique_ptr<AdminService> admin_;
  std::unique_ptr<WorkerDesk> desk_;
  std::unique_ptr<GatewayService> gateway_;
  std::unique_ptr<SessionStore> sessions_;
  std::unique_ptr<WorkerAppServer> worker_app_;
  std::unique_ptr<RouterService> router_;
  std::unique_ptr<Producer> events_producer_;
  std::unique_ptr<AuditMetrics> audit_metrics_;
  std::unique_ptr<RedisClient> outbox_watch_;  // the event relay's blocking reads
  std::unique_ptr<AuditOutbox> audit_outbox_;
  std::unique_ptr<EventRelay> event_relay_;
  std::unique_ptr<ScalerService> scaler_;
  std::unique_ptr<PoolCollector> pool_collector_;
  std::unique_ptr<GrpcMetrics> grpc_metrics_;  // outlives the server, whose interceptors use it
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<PeriodicTask> tls_watch_;
  std::unique_ptr<RedisClient> health_redis_;  // its own connection: a busy pool cannot delay it
  std::unique_ptr<BrokerCheck> health_kafka_;  // intake's
  std::unique_ptr<HealthMonitor> health_;
  std::string tls_problem_;  // what tls_watch_ last found wrong; empty when the files are fine
  std::string grpc_address_;
  std::string http_address_;
  std::string redis_address_;
  std::string kafka_bootstrap_;
  std::string metrics_address_;
  std::string generated_admin_key_;
  bool stopped_ = false;
};

}  // namespace lexroute
