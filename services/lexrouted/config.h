#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "router/error.h"
#include "services/common/server_tls.h"
#include "services/kafka/kafka_config.h"
#include "services/redis/redis_endpoint.h"

namespace lexroute {

enum class Role { kDev, kIntake, kRouter, kGateway, kScaler };

// Everything a lexrouted process is told, parsed and validated once at start. Every flag also
// reads a LEXROUTE_* environment variable; docs/configuration.md lists them.
struct Config {
  Role role = Role::kDev;
  std::string listen = "127.0.0.1:50051";      // gRPC; port 0 picks a free one
  ServerTls tls;                               // on the gRPC listen; none: plaintext
  std::string http_listen = "127.0.0.1:8080";  // gateway/dev: the worker app; port 0: any free
  // host:port or redis://[user:password@]host:port[/db]; dev starts its own when this,
  // redis_sentinels and redis_cluster are empty.
  std::string redis;
  std::string redis_password_file;  // the password alone, for Kubernetes secrets
  std::string redis_sentinels;      // host:port,...: the master is whatever they name
  std::string redis_master_name;    // with redis_sentinels
  std::string redis_cluster;        // host:port,...: seed nodes of a Redis Cluster
  // A staff member's accept, rejection or completion, and a firm's idempotency key, are
  // acknowledged once this many replicas hold them (Redis WAIT), so a failover to a replica
  // cannot forget them; 0: once the master has them. Short of replicas within the timeout, the
  // answer is UNAVAILABLE and the retry is idempotent.
  int redis_wait_replicas = 0;
  std::chrono::milliseconds redis_wait_timeout{1000};
  std::string kafka_brokers;  // dev uses the embedded mock cluster when empty
  // librdkafka properties for every Kafka client (SASL, TLS): --kafka-config's file, then
  // LEXROUTE_KAFKA_CONFIG_* variables; checked at start.
  KafkaSettings kafka_settings;
  std::string data_dir = "lexroute-data";  // dev: Redis's append-only file, the admin key
  std::string admin_key_sha256;            // intake/dev: SHA-256 of the admin key
  std::string router_group = "lexroute-router";
  int task_partitions = 8;  // dev: partitions of lexroute.tasks.v1 on the embedded Kafka
  // Intake refuses new work while one task partition has this many records the routers have not
  // taken; 0 never. -1 (not given): 10,000 on the embedded Kafka, which keeps only 5 MiB per
  // partition, and never against a real cluster, whose retention is the operator's.
  int64_t max_routing_backlog = -1;
  std::chrono::milliseconds kafka_delivery_timeout{10000};
  // How often the scaler plans; tests that drive it themselves set 0 (no loop).
  std::chrono::milliseconds scaler_interval{30000};
  std::string ready_file;  // written once every service is up: listen, redis, kafka addresses
  // GET /metrics (Prometheus); port 0 picks a free one, empty serves none.
  std::string metrics_listen = "127.0.0.1:9464";
  // Routers: how often pool gauges (backlog, staff by state, SLA risk) are read from Redis.
  std::chrono::milliseconds pool_metrics_every{5000};
  bool verbose = false;

  // lexrouted dev without a Redis of its own starts a redis-server child.
  bool starts_own_redis() const {
    return role == Role::kDev && redis.empty() && redis_sentinels.empty() && redis_cluster.empty();
  }
  bool runs_intake() const { return role == Role::kDev || role == Role::kIntake; }
  bool runs_router() const { return role == Role::kDev || role == Role::kRouter; }
  bool runs_gateway() const { return role == Role::kDev || role == Role::kGateway; }
  bool runs_scaler() const { return role == Role::kDev || role == Role::kScaler; }
};

// The Redis the flags name, checked: parse_config checks it once at start, and Node uses it.
// Reads --redis-password-file.
Result<RedisEndpoint> redis_endpoint_of(const Config& c);

// Parses argv (after the program name) into a Config. On --help, prints usage and returns an
// error with an empty message; on bad input, an error naming the flag.
// `environment` is the process's (environ), for the LEXROUTE_KAFKA_CONFIG_* variables.
Result<Config> parse_config(int argc, char** argv, char** environment);

}  // namespace lexroute
