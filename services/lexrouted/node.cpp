#include "services/lexrouted/node.h"

#include <absl/time/time.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/server_builder.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "router/text.h"
#include "services/common/host_port.h"
#include "services/common/log.h"
#include "services/common/protobuf_log.h"
#include "services/common/request_parsing.h"
#include "services/common/secrets.h"
#include "services/common/tls_credentials.h"
#include "services/kafka/consumer.h"
#include "services/kafka/kafka_properties.h"
#include "services/kafka/topics.h"

namespace lexroute {
namespace {

using namespace std::chrono_literals;

// The embedded mock keeps 5 MiB per partition; a task record is a few hundred bytes, so 10,000
// unrouted records stay well inside it.
constexpr int64_t kEmbeddedRoutingBacklog = 10'000;
// How long a stopping `lexrouted dev` routes on what it acknowledged before the embedded Kafka
// goes with the process. What is left then stays QUEUED in Redis and is sent again on the next
// start.
constexpr auto kEmbeddedDrainTimeout = 15s;
// Tasks re-sent to a fresh embedded Kafka per round trip.
constexpr size_t kRequeueBatch = 1000;
// How often the health checks run, and how long each may take: a probe every few seconds sees a
// lost dependency within about a second, and a hung one cannot hold up the others for long.
constexpr auto kHealthCheckEvery = 1s;
constexpr auto kHealthCheckTimeout = 500ms;

// Written with owner-only permissions before any content goes in.
Result<void> write_secret_file(const std::filesystem::path& path, const std::string& content) {
  std::error_code ec;
  std::filesystem::remove(path, ec);
  {
    std::ofstream create(path);
    if (!create) return fail(Errc::kInvalidArgument, "cannot write " + path.string(), "data-dir");
  }
  ::chmod(path.c_str(), 0600);
  std::ofstream out(path, std::ios::trunc);
  out << content << "\n";
  return {};
}

}  // namespace

Result<std::unique_ptr<Node>> Node::start(Config config, const Clock* clock) {
  std::unique_ptr<Node> node(new Node(std::move(config), clock));
  if (auto m = node->start_metrics(); !m) return std::unexpected(m.error());
  if (auto b = node->start_backends(); !b) return std::unexpected(b.error());
  if (auto s = node->start_services(); !s) return std::unexpected(s.error());
  if (auto r = node->write_ready_file(); !r) return std::unexpected(r.error());
  return node;
}

namespace {

std::string tls_summary(const ServerTls& tls) {
  if (!tls.enabled()) return " plaintext";
  std::string client = tls.client_auth == ClientAuth::kRequire    ? ", client certificate required"
                       : tls.client_auth == ClientAuth::kOptional ? ", client certificate optional"
                                                                  : "";
  return cat(" over TLS (", tls.cert_file, client, "; files read again every ",
             tls.reload_every.count(), " s)");
}

const char* role_name(Role role) {
  switch (role) {
    case Role::kDev:
      return "dev";
    case Role::kIntake:
      return "intake";
    case Role::kRouter:
      return "router";
    case Role::kGateway:
      return "gateway";
    case Role::kScaler:
      return "scaler";
  }
  return "dev";
}

}  // namespace

Result<void> Node::start_metrics() {
  metrics_ = std::make_unique<Metrics>();
  metrics_->set_role(role_name(config_.role));
  if (config_.metrics_listen.empty()) return {};
  auto endpoint = MetricsEndpoint::start(config_.metrics_listen, *metrics_);
  if (!endpoint) return std::unexpected(endpoint.error());
  metrics_endpoint_ = std::move(*endpoint);
  metrics_address_ = metrics_endpoint_->address();
  LOG_INFO("lexrouted", "metrics on http://", metrics_address_, "/metrics");
  return {};
}

Result<void> Node::start_backends() {
  if (config_.starts_own_redis()) {
    auto redis = RedisProcess::start({.data_dir = config_.data_dir});
    if (!redis) return std::unexpected(redis.error());
    redis_process_ = std::move(*redis);
    config_.redis = redis_process_->endpoint().to_string();
  }
  if (config_.role == Role::kDev && config_.kafka_brokers.empty()) {
    auto kafka = EmbeddedKafka::start();
    if (!kafka) return std::unexpected(kafka.error());
    embedded_kafka_ = std::move(*kafka);
    if (auto t = embedded_kafka_->create_lexroute_topics(config_.task_partitions); !t) return t;
    config_.kafka_brokers = embedded_kafka_->bootstrap();
    LOG_INFO("dev", "Kafka is librdkafka's mock cluster: IN MEMORY, lost on exit. Bootstrap ",
             config_.kafka_brokers, " (any Kafka client, e.g. kcat -b ", config_.kafka_brokers,
             " -L)");
  }
  kafka_bootstrap_ = config_.kafka_brokers;
  if (!config_.kafka_settings.empty()) {
    LOG_INFO("lexrouted", "Kafka properties: ", describe_kafka_properties(config_.kafka_settings));
  }

  auto endpoint = redis_endpoint_of(config_);
  if (!endpoint) return std::unexpected(endpoint.error());
  // Logs and the ready file get the address without the password.
  redis_address_ = endpoint->to_string();
  // A round trip ending in WAIT may take its whole timeout: the I/O timeout leaves room for it,
  // so replicas behind read as UNAVAILABLE from WAIT, not as a dead connection.
  const ReplicaWait acknowledged{config_.redis_wait_replicas, config_.redis_wait_timeout};
  const auto io_timeout = std::max<std::chrono::milliseconds>(
      2000ms, acknowledged.wanted() ? acknowledged.timeout + 1000ms : 0ms);
  redis_ = std::make_unique<RedisClient>(
      RedisClient::Options{*endpoint, 16, io_timeout, &metrics_->redis});
  // A refused password or an unreachable Redis stops the start here, naming the address.
  if (auto pong = redis_->ping(); !pong) return pong;
  LOG_INFO("redis", "connected to ", redis_address_);
  tasks_ = std::make_unique<TaskStore>(*redis_, clock_, acknowledged);
  if (acknowledged.wanted()) {
    LOG_INFO("redis", "staff steps and idempotency keys wait for ", acknowledged.replicas,
             " replica(s), up to ", acknowledged.timeout.count(), " ms");
  }
  staff_ = std::make_unique<StaffStore>(*redis_);
  presence_ = std::make_unique<PresenceStore>(*redis_, *staff_, *tasks_, clock_);
  pools_ = std::make_unique<PoolStore>(*redis_, *staff_, *tasks_, clock_);
  credentials_ = std::make_unique<CredentialStore>(*redis_);
  notifier_ = std::make_unique<Notifier>(*endpoint);
  return {};
}

KafkaSettings Node::consumer_settings() const {
  KafkaSettings settings = config_.kafka_settings;
  if (embedded_kafka_) settings.merge(EmbeddedKafka::consumer_settings());
  return settings;
}

Result<void> Node::start_services() {
  if (config_.runs_intake()) {
    auto producer = Producer::create({config_.kafka_brokers, config_.kafka_delivery_timeout,
                                      config_.kafka_settings, &metrics_->kafka});
    if (!producer) return std::unexpected(producer.error());
    producer_ = std::move(*producer);
    int64_t limit = config_.max_routing_backlog >= 0 ? config_.max_routing_backlog
                    : embedded_kafka_                ? kEmbeddedRoutingBacklog
                                                     : 0;
    if (limit > 0) {
      auto backlog = RoutingBacklog::start(
          {config_.kafka_brokers, config_.router_group, std::string(topics::kTasks), limit,
           std::chrono::milliseconds(250), config_.kafka_settings});
      if (!backlog) return std::unexpected(backlog.error());
      routing_backlog_ = std::move(*backlog);
      LOG_INFO("intake", "holding back new tasks while the routers are ", limit,
               " or more behind on a partition");
    }
    if (embedded_kafka_) {
      if (auto requeued = requeue_unrouted(); !requeued) return requeued;
    }
    intake_ =
        std::make_unique<IntakeService>(*tasks_, *staff_, *credentials_, *producer_, *notifier_,
                                        clock_, &metrics_->intake, routing_backlog_.get());
    std::string admin_hash = config_.admin_key_sha256;
    if (admin_hash.empty()) {
      // dev only (intake requires the flag): a fresh admin key for this run, owner-readable.
      generated_admin_key_ = new_secret("lxa_");
      admin_hash = sha256_hex(generated_admin_key_);
      auto path = std::filesystem::path(config_.data_dir) / "admin.key";
      std::filesystem::create_directories(config_.data_dir);
      if (auto w = write_secret_file(path, generated_admin_key_); !w) return w;
      LOG_INFO("dev", "admin key for this run written to ", path.string());
    }
    admin_ = std::make_unique<AdminService>(admin_hash, *credentials_, *staff_, *pools_, clock_);
  }
  if (config_.runs_gateway()) {
    desk_ = std::make_unique<WorkerDesk>(*tasks_, *staff_, *presence_, *credentials_, *notifier_,
                                         clock_);
    gateway_ = std::make_unique<GatewayService>(*desk_, *notifier_);
    sessions_ = std::make_unique<SessionStore>(*redis_);
    // The same certificate as the gRPC door, read again on the same interval.
    auto app = WorkerAppServer::start(config_.http_listen, *desk_, *sessions_,
                                      gateway_->live_feeds(), config_.tls);
    if (!app) return std::unexpected(app.error());
    worker_app_ = std::move(*app);
    http_address_ = worker_app_->address();
    LOG_INFO("lexrouted", "worker app on ", config_.tls.enabled() ? "https://" : "http://",
             http_address_, "/");
    if (!config_.tls.enabled() &&
        !parse_host_port(http_address_, "http-listen", PortZero::kAnyFree)->is_loopback()) {
      LOG_WARN("lexrouted", "worker app on ", http_address_,
               " is plain HTTP beyond loopback: staff tokens and session cookies cross the "
               "network readable unless TLS ends in front of it; serve HTTPS with --tls-cert and "
               "--tls-key");
    }
  }
  if (config_.runs_router()) {
    OpenTaskFeed join_tasks_topic =
        [brokers = config_.kafka_brokers, group = config_.router_group,
         settings = consumer_settings()](
            TaskFeed::StartOffset start) -> Result<std::unique_ptr<TaskFeed>> {
      auto consumer = Consumer::create(
          {brokers, group, std::string(topics::kTasks), std::move(start), settings});
      if (!consumer) return std::unexpected(consumer.error());
      return std::unique_ptr<TaskFeed>(std::move(*consumer));
    };
    router_ = std::make_unique<RouterService>(
        RouterService::Options{config_.router_group, 500, &metrics_->router,
                               embedded_kafka_ ? embedded_kafka_->cluster_id() : std::string()},
        std::move(join_tasks_topic), *tasks_, *staff_, *presence_, *notifier_, clock_);
    if (auto r = router_->start(); !r) return r;
    // The audit trail travels with the routers: wherever tasks are routed, events are relayed.
    auto events = Producer::create({config_.kafka_brokers, config_.kafka_delivery_timeout,
                                    config_.kafka_settings, &metrics_->kafka});
    if (!events) return std::unexpected(events.error());
    events_producer_ = std::move(*events);
    audit_metrics_ = std::make_unique<AuditMetrics>(*tasks_, metrics_->tasks);
    // Off the shared pool: a blocking read holds its connection for the whole wait. Its waits are
    // not round trips, so they stay out of the Redis latency metrics.
    outbox_watch_ =
        std::make_unique<RedisClient>(RedisClient::Options{redis_->endpoint(), 1, 2000ms, nullptr});
    audit_outbox_ = std::make_unique<AuditOutbox>(*redis_, *outbox_watch_,
                                                  cat("relay-", ::getpid(), "-", random_hex(8)));
    event_relay_ = std::make_unique<EventRelay>(*audit_outbox_, *staff_, *events_producer_,
                                                audit_metrics_.get());
    event_relay_->start();
    // Pool gauges travel with the routers too: one reader per router is plenty.
    pool_collector_ = std::make_unique<PoolCollector>(*pools_, *staff_, metrics_->pools, clock_,
                                                      config_.pool_metrics_every);
    pool_collector_->start();
  }
  if (config_.runs_scaler() && config_.scaler_interval.count() > 0) {
    scaler_ = std::make_unique<ScalerService>(
        ScalerService::Options{config_.scaler_interval,
                               cat("scaler-", ::getpid(), "-", random_hex(8))},
        *pools_, *staff_, clock_);
    scaler_->start();
  }
  // Every role serves gRPC, if only grpc.health.v1 (router, scaler): Kubernetes probes it.
  {
    route_protobuf_log();
    grpc::EnableDefaultHealthCheckService(true);
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
    grpc::ServerBuilder builder;
    int port = 0;
    // A second process on the same port fails to start instead of sharing it silently (gRPC
    // sets SO_REUSEPORT by default): intake's clients must never reach a router's server.
    builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
    builder.AddListeningPort(config_.listen, server_credentials(config_.tls), &port);
    // The unparsable-request answer first, so the metrics count the status the client gets.
    grpc_metrics_ = std::make_unique<GrpcMetrics>(*metrics_->registry());
    auto interceptors = grpc_metrics_->interceptors();
    interceptors.insert(interceptors.begin(), unparsable_request_interceptor());
    builder.experimental().SetInterceptorCreators(std::move(interceptors));
    if (intake_) builder.RegisterService(intake_.get());
    if (admin_) builder.RegisterService(admin_.get());
    if (gateway_) {
      builder.RegisterService(gateway_.get());
      gateway_->add_queues(builder);
    }
    server_ = builder.BuildAndStart();
    if (!server_ || port == 0) {
      return fail(Errc::kUnavailable, "cannot listen on " + config_.listen, "listen");
    }
    if (gateway_) gateway_->start();
    HostPort listening{parse_host_port(config_.listen, "listen", PortZero::kAnyFree)->host, port};
    grpc_address_ = listening.to_string();
    if (auto h = start_health(); !h) return h;
    LOG_INFO("lexrouted", "gRPC on ", grpc_address_, intake_ ? " TaskIntake Admin" : "",
             gateway_ ? " WorkerGateway" : "", " (health, reflection)", tls_summary(config_.tls));
    if (config_.tls.enabled()) watch_tls_files();
    if ((intake_ || gateway_) && !config_.tls.enabled() && !listening.is_loopback()) {
      // API keys and staff tokens travel in every call's metadata.
      LOG_WARN("lexrouted", "gRPC on ", grpc_address_,
               " is PLAINTEXT beyond loopback: keys and tokens cross the network readable unless "
               "TLS ends in front of it; serve TLS with --tls-cert and --tls-key");
    }
  }
  return {};
}

Result<void> Node::start_health() {
  health_redis_ = std::make_unique<RedisClient>(
      RedisClient::Options{redis_->endpoint(), 1, kHealthCheckTimeout, nullptr});
  std::vector<HealthMonitor::Dependency> dependencies{
      {"redis", [this] { return health_redis_->ping(); }}};
  std::vector<std::string> needs{"redis"};
  if (producer_) {
    auto kafka = BrokerCheck::create(config_.kafka_brokers, config_.kafka_settings);
    if (!kafka) return std::unexpected(kafka.error());
    health_kafka_ = std::move(*kafka);
    dependencies.push_back(
        {"kafka", [this] { return health_kafka_->reachable(kHealthCheckTimeout); }});
    needs.push_back("kafka");
  }
  if (router_) {
    dependencies.push_back(
        {"partitions", [this]() -> Result<void> {
           if (router_->partitions_held() > 0) return {};
           return fail(Errc::kUnavailable,
                       cat("no partition of ", topics::kTasks, " assigned to this router (yet)"));
         }});
    needs.push_back("partitions");
  }
  std::vector<HealthMonitor::Service> services{{"", needs}};
  if (intake_) {
    services.push_back({v1::TaskIntake::service_full_name(), {"redis", "kafka"}});
    services.push_back({v1::Admin::service_full_name(), {"redis"}});
  }
  if (gateway_) services.push_back({v1::WorkerGateway::service_full_name(), {"redis"}});
  health_ = std::make_unique<HealthMonitor>(
      role_name(config_.role), *server_->GetHealthCheckService(), std::move(dependencies),
      std::move(services), &metrics_->health,
      std::chrono::duration_cast<std::chrono::milliseconds>(kHealthCheckEvery));
  health_->start();
  return {};
}

void Node::watch_tls_files() {
  // gRPC reads the files again on its own and only logs what it cannot use; with a bad pair it
  // refuses new connections (Debian's gRPC 1.51) until the files are right again.
  tls_watch_ = std::make_unique<PeriodicTask>(
      std::chrono::duration_cast<std::chrono::milliseconds>(config_.tls.reload_every),
      [this] {
        auto usable = check_server_tls(config_.tls);
        std::string problem = usable ? std::string() : usable.error().message;
        if (problem == tls_problem_) return;
        if (problem.empty()) {
          LOG_INFO("lexrouted", "TLS files usable again: new connections get ",
                   config_.tls.cert_file);
        } else {
          LOG_ERROR("lexrouted", "TLS files changed and are not usable: ", problem,
                    "; new gRPC connections fail until they are fixed");
        }
        tls_problem_ = std::move(problem);
      },
      PeriodicTask::FirstRun::kAfterOnePeriod);
  tls_watch_->start();
}

Result<void> Node::requeue_unrouted() {
  auto pools = staff_->pools();
  if (!pools) return std::unexpected(pools.error());
  size_t requeued = 0;
  for (const auto& pool : *pools) {
    auto queued = tasks_->queued_tasks(pool);
    if (!queued) return std::unexpected(queued.error());
    for (size_t from = 0; from < queued->size(); from += kRequeueBatch) {
      std::vector<std::pair<std::string, std::string>> records;
      for (size_t i = from; i < std::min(queued->size(), from + kRequeueBatch); ++i) {
        records.emplace_back(partition_key((*queued)[i]), (*queued)[i].SerializeAsString());
      }
      for (auto& sent : producer_->send_each(topics::kTasks, records)) {
        if (!sent) return std::unexpected(sent.error());
      }
      requeued += records.size();
    }
  }
  if (requeued > 0) {
    LOG_INFO("dev", "sent ", requeued,
             " tasks an earlier run acknowledged but had not routed to the new embedded Kafka");
  }
  return {};
}

void Node::drain_router() {
  LOG_INFO("dev", "routing what was acknowledged before stopping (at most ",
           absl::FormatDuration(absl::FromChrono(kEmbeddedDrainTimeout)), ")");
  int64_t unrouted = router_->drain(kEmbeddedDrainTimeout);
  if (unrouted == 0) {
    LOG_INFO("dev", "every acknowledged task is routed");
  } else {
    LOG_WARN("dev", "stopping with ",
             unrouted < 0 ? std::string("an unknown number of") : std::to_string(unrouted),
             " acknowledged tasks unrouted; they stay QUEUED in Redis and are sent again on the "
             "next start on this data directory");
  }
}

Result<void> Node::write_ready_file() const {
  if (config_.ready_file.empty()) return {};
  std::string tmp = config_.ready_file + ".tmp";
  {
    std::ofstream out(tmp);
    if (!out) return fail(Errc::kInvalidArgument, "cannot write " + tmp, "ready-file");
    out << "grpc=" << grpc_address_ << "\nhttp=" << http_address_ << "\nredis=" << redis_address_
        << "\nkafka=" << kafka_bootstrap_ << "\nmetrics=" << metrics_address_ << "\n";
  }
  std::filesystem::rename(tmp, config_.ready_file);
  return {};
}

void Node::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (tls_watch_) tls_watch_->stop();
  if (health_) health_->stop();
  if (server_) server_->GetHealthCheckService()->SetServingStatus(false);
  if (gateway_) gateway_->stop();
  if (intake_) intake_->stop();
  if (worker_app_) worker_app_->stop();
  if (server_) server_->Shutdown(std::chrono::system_clock::now() + 5s);
  if (gateway_) gateway_->close_queues();
  if (router_ && embedded_kafka_) drain_router();
  if (scaler_) scaler_->stop();
  if (router_) router_->stop();
  if (event_relay_) event_relay_->stop();
  if (pool_collector_) pool_collector_->stop();
  if (events_producer_) events_producer_->flush(config_.kafka_delivery_timeout);
  if (producer_) producer_->flush(config_.kafka_delivery_timeout);
  if (notifier_) notifier_->stop();
  if (redis_process_) redis_process_->stop();
  LOG_INFO("lexrouted", "stopped");
}

Node::~Node() { stop(); }

}  // namespace lexroute
