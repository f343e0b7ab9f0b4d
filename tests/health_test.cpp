// grpc.health.v1 tells the truth about what each role needs: asked as the kubelet asks (the
// standard Health/Check call), it turns NOT_SERVING within seconds of Redis or the Kafka broker
// going away under a running node and SERVING again once they are back, while "liveness" stays
// SERVING throughout (a lost dependency is no reason to restart the process).
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include <condition_variable>
#include <iostream>
#include <mutex>

#include "services/common/secrets.h"
#include "services/kafka/embedded_kafka.h"
#include "services/metrics/exposition.h"
#include "services/redis/redis_process.h"
#include "tests/support/dev_node.h"
#include "tests/support/eventually.h"
#include "tests/support/temp_dir.h"

namespace lexroute {
namespace {

using namespace std::chrono_literals;

constexpr const char* kIntakeHealth = "lexroute.v1.TaskIntake";
constexpr const char* kAdminHealth = "lexroute.v1.Admin";
constexpr const char* kGatewayHealth = "lexroute.v1.WorkerGateway";
constexpr const char* kLivenessHealth = "liveness";
// Well inside what a readiness probe's failure threshold allows: checks run once a second.
constexpr auto kHealthFlipWithin = 10s;

// grpc.health.v1.Health/Check for `service` as a name: "SERVING", "NOT_SERVING", ... or, when
// the call itself fails, "NOT_FOUND" for a name the server does not know, or what failed.
// The request and the answer are one field each, encoded by hand (Debian's gRPC ships the health
// service but not its generated client).
std::string health_of(const std::shared_ptr<grpc::Channel>& channel, const std::string& service) {
  std::string request_bytes;
  if (!service.empty()) {
    request_bytes.push_back('\x0a');  // HealthCheckRequest.service, field 1, length-delimited
    request_bytes.push_back(static_cast<char>(service.size()));
    request_bytes += service;
  }
  grpc::Slice slice(request_bytes);
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + 5s);
  std::mutex m;
  std::condition_variable cv;
  bool done = false;
  grpc::Status status;
  grpc::GenericStub(channel).UnaryCall(&ctx, "/grpc.health.v1.Health/Check", grpc::StubOptions(),
                                       &request, &response, [&](grpc::Status s) {
                                         std::lock_guard lock(m);
                                         status = std::move(s);
                                         done = true;
                                         cv.notify_all();
                                       });
  {
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return done; });
  }
  if (status.error_code() == grpc::StatusCode::NOT_FOUND) return "NOT_FOUND";
  if (!status.ok()) {
    return "call failed: code " + std::to_string(static_cast<int>(status.error_code())) + ": " +
           status.error_message();
  }
  std::vector<grpc::Slice> slices;
  if (!response.Dump(&slices).ok()) return "unreadable answer";
  std::string bytes;
  for (auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  // HealthCheckResponse.status, field 1, varint; absent when 0 (UNKNOWN).
  int value = bytes.size() >= 2 && bytes[0] == '\x08' ? bytes[1] : 0;
  switch (value) {
    case 1:
      return "SERVING";
    case 2:
      return "NOT_SERVING";
    case 3:
      return "SERVICE_UNKNOWN";
    default:
      return "UNKNOWN";
  }
}

// Waits until every one of `services` answers `wanted`; on failure, what each answered last.
::testing::AssertionResult health_becomes(const std::shared_ptr<grpc::Channel>& channel,
                                          const std::vector<std::string>& services,
                                          const std::string& wanted,
                                          std::chrono::milliseconds within = kHealthFlipWithin) {
  bool all = testing::eventually(
      [&] {
        for (const auto& s : services) {
          if (health_of(channel, s) != wanted) return false;
        }
        return true;
      },
      within, 100ms);
  if (all) return ::testing::AssertionSuccess();
  auto failure = ::testing::AssertionFailure() << "not all " << wanted << ":";
  for (const auto& s : services) failure << " '" << s << "' " << health_of(channel, s);
  return failure;
}

double health_changes(Node& node, const std::string& dependency) {
  auto m = parse_exposition(
      prometheus::TextSerializer().Serialize(node.metrics().registry()->Collect()));
  return sum_of(m, "lexroute_health_changes_total", {{"dependency", dependency}});
}

std::chrono::milliseconds health_ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               start);
}

TEST(Health, DevNodeFollowsRedis) {
  testing::TempDir dir;
  testing::DevNode dev(dir.str() + "/data");
  ASSERT_TRUE(dev.started());
  auto channel = dev.channel();
  const std::vector<std::string> everything{"", kIntakeHealth, kAdminHealth, kGatewayHealth,
                                            kLivenessHealth};
  // "" waits for the router's partitions, which a group join brings within seconds.
  ASSERT_TRUE(health_becomes(channel, everything, "SERVING", 15s));
  EXPECT_EQ(health_of(channel, "lexroute.v1.NoSuchService"), "NOT_FOUND");

  // Redis goes: everything but liveness turns NOT_SERVING.
  RedisProcess& redis = *dev.node().redis_process();
  auto redis_stopped = std::chrono::steady_clock::now();
  redis.stop();
  EXPECT_TRUE(
      health_becomes(channel, {"", kIntakeHealth, kAdminHealth, kGatewayHealth}, "NOT_SERVING"));
  std::cout << "NOT_SERVING " << health_ms_since(redis_stopped).count()
            << " ms after Redis stopped\n";
  EXPECT_EQ(health_of(channel, kLivenessHealth), "SERVING") << "the process still runs";

  auto redis_back = std::chrono::steady_clock::now();
  ASSERT_TRUE(redis.restart().has_value());
  EXPECT_TRUE(health_becomes(channel, everything, "SERVING"));
  std::cout << "SERVING " << health_ms_since(redis_back).count() << " ms after Redis restarted\n";

  EXPECT_GE(health_changes(dev.node(), "redis"), 2) << "ops see each flip (docs/metrics.md)";
}

// The broker goes under an intake of its own (a router in the same process would wait out its
// consumer's requests to the silent broker when it stops): intake cannot take work then, Admin
// (Redis only) still answers.
TEST(Health, IntakeFollowsTheKafkaBroker) {
  testing::TempDir dir;
  auto redis = RedisProcess::start({.data_dir = dir.str() + "/redis"});
  ASSERT_TRUE(redis.has_value()) << redis.error().message;
  auto kafka = EmbeddedKafka::start();
  ASSERT_TRUE(kafka.has_value()) << kafka.error().message;
  ASSERT_TRUE((*kafka)->create_lexroute_topics(1).has_value());
  Config c = testing::DevNode::dev_config(dir.str() + "/intake");
  c.role = Role::kIntake;
  c.redis = (*redis)->endpoint().to_string();
  c.kafka_brokers = (*kafka)->bootstrap();
  c.admin_key_sha256 = sha256_hex("lxa_health-test");
  testing::DevNode intake(c);
  ASSERT_TRUE(intake.started());
  auto channel = intake.channel();
  const std::vector<std::string> everything{"", kIntakeHealth, kAdminHealth, kLivenessHealth};
  ASSERT_TRUE(health_becomes(channel, everything, "SERVING"));
  EXPECT_EQ(health_of(channel, kGatewayHealth), "NOT_FOUND") << "not served by intake";

  auto broker_down = std::chrono::steady_clock::now();
  (*kafka)->set_broker_down(1);
  EXPECT_TRUE(health_becomes(channel, {"", kIntakeHealth}, "NOT_SERVING"));
  std::cout << "intake NOT_SERVING " << health_ms_since(broker_down).count()
            << " ms after the broker went\n";
  EXPECT_EQ(health_of(channel, kAdminHealth), "SERVING") << "Admin needs no Kafka";
  EXPECT_EQ(health_of(channel, kLivenessHealth), "SERVING");

  auto broker_up = std::chrono::steady_clock::now();
  (*kafka)->set_broker_up(1);
  EXPECT_TRUE(health_becomes(channel, everything, "SERVING"));
  std::cout << "SERVING " << health_ms_since(broker_up).count()
            << " ms after the broker came back\n";
  EXPECT_GE(health_changes(intake.node(), "kafka"), 2);
}

// The router and the scaler serve grpc.health.v1 (only) on --listen: the router is ready with
// partitions assigned and Redis reachable, the scaler with Redis reachable.
TEST(Health, RouterAndScalerRolesServeHealthThatFollowsRedis) {
  testing::TempDir dir;
  auto redis = RedisProcess::start({.data_dir = dir.str() + "/redis"});
  ASSERT_TRUE(redis.has_value()) << redis.error().message;
  auto kafka = EmbeddedKafka::start();
  ASSERT_TRUE(kafka.has_value()) << kafka.error().message;
  ASSERT_TRUE((*kafka)->create_lexroute_topics(2).has_value());

  Config r = testing::DevNode::dev_config(dir.str() + "/router");
  r.role = Role::kRouter;
  r.redis = (*redis)->endpoint().to_string();
  r.kafka_brokers = (*kafka)->bootstrap();
  testing::DevNode router(r);
  ASSERT_TRUE(router.started());
  Config s = testing::DevNode::dev_config(dir.str() + "/scaler");
  s.role = Role::kScaler;
  s.redis = r.redis;
  s.scaler_interval = 0ms;
  testing::DevNode scaler(s);
  ASSERT_TRUE(scaler.started());

  EXPECT_TRUE(health_becomes(router.channel(), {"", kLivenessHealth}, "SERVING", 20s))
      << "the router is ready once its group join gave it partitions";
  EXPECT_GT(router.node().router()->partitions_held(), 0u);
  EXPECT_TRUE(health_becomes(scaler.channel(), {"", kLivenessHealth}, "SERVING"));
  EXPECT_EQ(health_of(router.channel(), kIntakeHealth), "NOT_FOUND") << "health only";

  (*redis)->stop();
  EXPECT_TRUE(health_becomes(router.channel(), {""}, "NOT_SERVING"));
  EXPECT_TRUE(health_becomes(scaler.channel(), {""}, "NOT_SERVING"));
  EXPECT_EQ(health_of(router.channel(), kLivenessHealth), "SERVING");
  EXPECT_EQ(health_of(scaler.channel(), kLivenessHealth), "SERVING");

  ASSERT_TRUE((*redis)->restart().has_value());
  EXPECT_TRUE(health_becomes(router.channel(), {""}, "SERVING"));
  EXPECT_TRUE(health_becomes(scaler.channel(), {""}, "SERVING"));
}

}  // namespace
}  // namespace lexroute
