#include "services/lexrouted/config.h"

#include <CLI/CLI.hpp>

#include "router/text.h"
#include "services/common/flag_file.h"
#include "services/common/host_port.h"
#include "services/kafka/kafka_properties.h"

namespace lexroute {
namespace {

constexpr std::string_view kKafkaConfigPrefix = "LEXROUTE_KAFKA_CONFIG_";

void add_common(CLI::App* cmd, Config& c, int& delivery_ms, int& wait_ms,
                std::string& kafka_config) {
  cmd->add_option("--redis", c.redis,
                  "Redis host:port or redis://[user:password@]host:port[/db] (with "
                  "--redis-sentinels: redis://[user:password@]/db; with --redis-cluster: "
                  "redis://[user:password@])")
      ->envname("LEXROUTE_REDIS");
  cmd->add_option("--redis-password-file", c.redis_password_file,
                  "File holding the Redis password (one trailing newline is dropped)")
      ->envname("LEXROUTE_REDIS_PASSWORD_FILE");
  cmd->add_option("--redis-sentinels", c.redis_sentinels,
                  "Redis Sentinels host:port,host:port,...: connect to the master they name")
      ->envname("LEXROUTE_REDIS_SENTINELS");
  cmd->add_option("--redis-master-name", c.redis_master_name,
                  "The master's name in the sentinels' configuration (with --redis-sentinels)")
      ->envname("LEXROUTE_REDIS_MASTER_NAME");
  cmd->add_option("--redis-cluster", c.redis_cluster,
                  "Redis Cluster seed nodes host:port,host:port,...: each key goes to its slot's "
                  "master (excludes --redis-sentinels)")
      ->envname("LEXROUTE_REDIS_CLUSTER");
  cmd->add_option("--redis-wait-replicas", c.redis_wait_replicas,
                  "Acknowledge staff accepts, rejections and completions, and idempotency keys, "
                  "only once this many Redis replicas hold them (WAIT); 0: once the master does")
      ->envname("LEXROUTE_REDIS_WAIT_REPLICAS")
      ->check(CLI::Range(0, 16))
      ->capture_default_str();
  cmd->add_option("--redis-wait-timeout-ms", wait_ms,
                  "How long an acknowledgement waits for --redis-wait-replicas before it answers "
                  "UNAVAILABLE (retriable)")
      ->envname("LEXROUTE_REDIS_WAIT_TIMEOUT_MS")
      ->check(CLI::Range(1, 60000))
      ->capture_default_str();
  cmd->add_option("--kafka-brokers", c.kafka_brokers, "Kafka bootstrap servers")
      ->envname("LEXROUTE_KAFKA_BROKERS");
  cmd->add_option("--kafka-config", kafka_config,
                  "librdkafka properties (SASL, TLS) as key=value lines; LEXROUTE_KAFKA_CONFIG_* "
                  "variables add to them (SASL_MECHANISM: sasl.mechanism)")
      ->envname("LEXROUTE_KAFKA_CONFIG");
  cmd->add_option("--kafka-delivery-timeout-ms", delivery_ms,
                  "How long SubmitTask waits for Kafka's acknowledgement")
      ->envname("LEXROUTE_KAFKA_DELIVERY_TIMEOUT_MS")
      ->check(CLI::Range(100, 300000));
  cmd->add_flag("-v,--verbose", c.verbose, "Log every task decision")->envname("LEXROUTE_VERBOSE");
  cmd->add_option("--metrics-listen", c.metrics_listen,
                  "Prometheus /metrics address host:port (port 0: any free; empty: none)")
      ->envname("LEXROUTE_METRICS_LISTEN")
      ->capture_default_str();
}

// `health_only_default`: for the router and the scaler, whose gRPC server serves grpc.health.v1
// alone, on a default address of its own so that it never meets intake's on one host.
CLI::Option* add_listen(CLI::App* cmd, Config& c, const char* health_only_default = nullptr) {
  auto* option = cmd->add_option("--listen", c.listen,
                                 health_only_default
                                     ? "grpc.health.v1 listen address host:port (port 0: any free)"
                                     : "gRPC listen address host:port (port 0: any free)")
                     ->envname("LEXROUTE_LISTEN");
  if (health_only_default) {
    option->default_str(health_only_default);
  } else {
    option->capture_default_str();
  }
  cmd->add_option("--ready-file", c.ready_file,
                  "Write the actual addresses here once serving (for scripts)")
      ->envname("LEXROUTE_READY_FILE");
  return option;
}

constexpr const char* kRouterHealthListen = "127.0.0.1:50053";
constexpr const char* kScalerHealthListen = "127.0.0.1:50054";

// The flags are kept as text until the subcommand is known, then checked together.
struct ServerTlsText {
  std::string client_auth;
  int reload_seconds = 60;
};

void add_tls(CLI::App* cmd, Config& c, ServerTlsText& flags) {
  cmd->add_option("--tls-cert", c.tls.cert_file,
                  "Serve gRPC over TLS with this PEM certificate chain (reloaded when it changes)")
      ->envname("LEXROUTE_TLS_CERT");
  cmd->add_option("--tls-key", c.tls.key_file, "PEM private key of --tls-cert")
      ->envname("LEXROUTE_TLS_KEY");
  cmd->add_option("--tls-client-ca", c.tls.client_ca_file,
                  "Mutual TLS: PEM CAs that sign client certificates")
      ->envname("LEXROUTE_TLS_CLIENT_CA");
  cmd->add_option("--tls-client-auth", flags.client_auth,
                  "With --tls-client-ca: require (default) or optional client certificates")
      ->envname("LEXROUTE_TLS_CLIENT_AUTH");
  cmd->add_option("--tls-reload-seconds", flags.reload_seconds,
                  "How often the TLS files are read again for a rotated certificate")
      ->envname("LEXROUTE_TLS_RELOAD_SECONDS")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
}

void add_http(CLI::App* cmd, Config& c) {
  cmd->add_option("--http-listen", c.http_listen,
                  "Worker app (web page and JSON API) listen address host:port (port 0: any free); "
                  "HTTPS with --tls-cert")
      ->envname("LEXROUTE_HTTP_LISTEN")
      ->capture_default_str();
}

void add_admin(CLI::App* cmd, Config& c) {
  cmd->add_option("--admin-key-sha256", c.admin_key_sha256,
                  "SHA-256 (hex) of the admin key that may call the Admin service")
      ->envname("LEXROUTE_ADMIN_KEY_SHA256");
}

void add_router(CLI::App* cmd, Config& c, int& pool_metrics_ms) {
  cmd->add_option("--router-group", c.router_group, "Kafka consumer group of the routers")
      ->envname("LEXROUTE_ROUTER_GROUP")
      ->capture_default_str();
  cmd->add_option("--pool-metrics-interval-ms", pool_metrics_ms,
                  "How often pool gauges (backlog, staff, SLA risk) are read from Redis")
      ->envname("LEXROUTE_POOL_METRICS_INTERVAL_MS")
      ->check(CLI::Range(100, 600000))
      ->capture_default_str();
}

void add_backlog(CLI::App* cmd, Config& c) {
  cmd->add_option("--max-routing-backlog", c.max_routing_backlog,
                  "Refuse new tasks (RESOURCE_EXHAUSTED, retry later) while one task partition "
                  "holds this many records the routers have not taken; 0: never (default: "
                  "10000 on the embedded Kafka, never otherwise)")
      ->envname("LEXROUTE_MAX_ROUTING_BACKLOG")
      ->check(CLI::Range(int64_t{0}, int64_t{1'000'000'000}));
}

void add_scaler(CLI::App* cmd, int& interval_ms) {
  cmd->add_option("--scaler-interval-ms", interval_ms, "How often the scaler plans each pool")
      ->envname("LEXROUTE_SCALER_INTERVAL_MS")
      ->check(CLI::Range(1000, 3600000))
      ->capture_default_str();
}

// --kafka-config's file, then each LEXROUTE_KAFKA_CONFIG_* variable over it, checked whole.
Result<KafkaSettings> kafka_properties(const std::string& file, char** environment) {
  KafkaSettings settings;
  if (!file.empty()) {
    auto text = read_flag_file(file, "kafka-config");
    if (!text) return std::unexpected(text.error());
    auto parsed = parse_kafka_properties(*text, file);
    if (!parsed) return std::unexpected(parsed.error());
    settings = std::move(*parsed);
  }
  for (char** e = environment; e && *e; ++e) {
    std::string_view entry(*e);
    size_t eq = entry.find('=');
    if (!entry.starts_with(kKafkaConfigPrefix) || eq == std::string_view::npos) continue;
    std::string_view suffix =
        entry.substr(kKafkaConfigPrefix.size(), eq - kKafkaConfigPrefix.size());
    if (suffix.empty()) continue;
    settings[kafka_property_from_env(suffix)] = std::string(entry.substr(eq + 1));
  }
  if (auto checked = check_kafka_properties(settings); !checked) {
    return std::unexpected(checked.error());
  }
  return settings;
}

}  // namespace

Result<RedisEndpoint> redis_endpoint_of(const Config& c) {
  return redis_endpoint_from_flags(
      {c.redis, c.redis_password_file, c.redis_sentinels, c.redis_master_name, c.redis_cluster});
}

Result<Config> parse_config(int argc, char** argv, char** environment) {
  Config c;
  int delivery_ms = static_cast<int>(c.kafka_delivery_timeout.count());
  int scaler_ms = static_cast<int>(c.scaler_interval.count());
  int pool_metrics_ms = static_cast<int>(c.pool_metrics_every.count());
  int wait_ms = static_cast<int>(c.redis_wait_timeout.count());
  std::string kafka_config;
  ServerTlsText tls_flags;
  CLI::App app{"lexrouted: lexroute's server. Routes outsourced legal work to vendor staff."};
  app.require_subcommand(1);

  auto* dev = app.add_subcommand(
      "dev",
      "Intake, router and gateway in one process on the embedded default: an in-memory "
      "Kafka mock cluster and a redis-server child (unless --redis/--kafka-brokers)");
  add_common(dev, c, delivery_ms, wait_ms, kafka_config);
  add_listen(dev, c);
  add_tls(dev, c, tls_flags);
  add_http(dev, c);
  add_admin(dev, c);
  add_router(dev, c, pool_metrics_ms);
  add_backlog(dev, c);
  add_scaler(dev, scaler_ms);
  dev->add_option("--data-dir", c.data_dir, "Where the child Redis keeps its append-only file")
      ->envname("LEXROUTE_DATA_DIR")
      ->capture_default_str();
  dev->add_option("--task-partitions", c.task_partitions,
                  "Partitions of lexroute.tasks.v1 on the embedded Kafka")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();

  auto* intake = app.add_subcommand("intake", "gRPC TaskIntake and Admin for firms and operators");
  add_common(intake, c, delivery_ms, wait_ms, kafka_config);
  add_listen(intake, c);
  add_tls(intake, c, tls_flags);
  add_admin(intake, c);
  add_backlog(intake, c);
  intake->add_option("--router-group", c.router_group, "Kafka consumer group of the routers")
      ->envname("LEXROUTE_ROUTER_GROUP")
      ->capture_default_str();
  auto* router = app.add_subcommand("router", "Routing: a consumer-group member on the task topic");
  add_common(router, c, delivery_ms, wait_ms, kafka_config);
  auto* router_listen = add_listen(router, c, kRouterHealthListen);
  add_router(router, c, pool_metrics_ms);
  auto* gateway = app.add_subcommand(
      "gateway", "gRPC WorkerGateway and the worker app (HTTP or HTTPS) for vendor staff");
  add_common(gateway, c, delivery_ms, wait_ms, kafka_config);
  add_listen(gateway, c);
  add_tls(gateway, c, tls_flags);
  add_http(gateway, c);
  auto* scaler = app.add_subcommand(
      "scaler", "Elastic pools: calls bench staff in and releases them (one acts at a time)");
  add_common(scaler, c, delivery_ms, wait_ms, kafka_config);
  auto* scaler_listen = add_listen(scaler, c, kScalerHealthListen);
  add_scaler(scaler, scaler_ms);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    std::cout << app.help() << (app.get_subcommands().empty() ? "" : "\n");
    for (auto* sub : app.get_subcommands()) std::cout << sub->help();
    return fail(Errc::kInvalidArgument, "");
  } catch (const CLI::ParseError& e) {
    return fail(Errc::kInvalidArgument, e.what(), "argv");
  }
  if (dev->parsed()) c.role = Role::kDev;
  if (intake->parsed()) c.role = Role::kIntake;
  if (router->parsed()) c.role = Role::kRouter;
  if (gateway->parsed()) c.role = Role::kGateway;
  if (scaler->parsed()) c.role = Role::kScaler;
  if (c.role == Role::kRouter && router_listen->count() == 0) c.listen = kRouterHealthListen;
  if (c.role == Role::kScaler && scaler_listen->count() == 0) c.listen = kScalerHealthListen;
  c.kafka_delivery_timeout = std::chrono::milliseconds(delivery_ms);
  c.scaler_interval = std::chrono::milliseconds(scaler_ms);
  c.pool_metrics_every = std::chrono::milliseconds(pool_metrics_ms);
  c.redis_wait_timeout = std::chrono::milliseconds(wait_ms);

  auto kafka = kafka_properties(kafka_config, environment);
  if (!kafka) return std::unexpected(kafka.error());
  c.kafka_settings = std::move(*kafka);

  if (c.role != Role::kDev) {
    if (c.redis.empty() && c.redis_sentinels.empty() && c.redis_cluster.empty()) {
      return fail(Errc::kInvalidArgument,
                  "--redis (or LEXROUTE_REDIS), --redis-sentinels or --redis-cluster is required",
                  "redis");
    }
    if (c.kafka_brokers.empty() && c.role != Role::kGateway && c.role != Role::kScaler) {
      return fail(Errc::kInvalidArgument, "--kafka-brokers (or LEXROUTE_KAFKA_BROKERS) is required",
                  "kafka-brokers");
    }
  }
  if (c.starts_own_redis()) {
    if (!c.redis_password_file.empty() || !c.redis_master_name.empty()) {
      return fail(Errc::kInvalidArgument,
                  "--redis-password-file and --redis-master-name need --redis or "
                  "--redis-sentinels (dev's own Redis has no password)",
                  "redis");
    }
    // It has no replicas either: every acknowledgement would wait in vain, then fail.
    if (c.redis_wait_replicas > 0) {
      return fail(Errc::kInvalidArgument,
                  "--redis-wait-replicas needs --redis or --redis-sentinels (dev's own Redis has "
                  "no replicas)",
                  "redis-wait-replicas");
    }
  } else if (auto endpoint = redis_endpoint_of(c); !endpoint) {
    return std::unexpected(endpoint.error());
  }
  if (auto listen = parse_host_port(c.listen, "listen", PortZero::kAnyFree); !listen) {
    return std::unexpected(listen.error());
  }
  if (c.runs_intake() || c.runs_gateway()) {
    auto client_auth = parse_client_auth(tls_flags.client_auth);
    if (!client_auth) return std::unexpected(client_auth.error());
    c.tls.client_auth = *client_auth;
    if (!c.tls.client_ca_file.empty() && c.tls.client_auth == ClientAuth::kNone) {
      c.tls.client_auth = ClientAuth::kRequire;
    }
    c.tls.reload_every = std::chrono::seconds(tls_flags.reload_seconds);
    if (auto tls = check_server_tls(c.tls); !tls) return std::unexpected(tls.error());
  }
  if (c.runs_gateway()) {
    auto http = parse_host_port(c.http_listen, "http-listen", PortZero::kAnyFree);
    if (!http) return std::unexpected(http.error());
  }
  if (c.role == Role::kIntake && c.admin_key_sha256.empty()) {
    return fail(Errc::kInvalidArgument,
                "--admin-key-sha256 (or LEXROUTE_ADMIN_KEY_SHA256) is required",
                "admin-key-sha256");
  }
  if (!c.admin_key_sha256.empty()) {
    bool hex = c.admin_key_sha256.size() == 64 &&
               c.admin_key_sha256.find_first_not_of("0123456789abcdef") == std::string::npos;
    if (!hex) {
      return fail(Errc::kInvalidArgument, "--admin-key-sha256 must be 64 lowercase hex digits",
                  "admin-key-sha256");
    }
  }
  return c;
}

}  // namespace lexroute
