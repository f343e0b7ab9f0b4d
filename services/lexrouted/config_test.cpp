#include "services/lexrouted/config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "tests/support/temp_dir.h"

namespace lexroute {
namespace {

// parse_config over a command line and an environment given as "NAME=value" strings.
Result<Config> parse(std::vector<std::string> args, std::vector<std::string> env = {}) {
  std::string program = "lexrouted";
  std::vector<char*> argv = {program.data()};
  for (auto& a : args) argv.push_back(a.data());
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  return parse_config(static_cast<int>(argv.size()), argv.data(), envp.data());
}

class KafkaConfig : public ::testing::Test {
 protected:
  std::string write(const std::string& text) {
    std::string path = dir.str() + "/kafka.properties";
    std::ofstream(path) << text;
    return path;
  }
  testing::TempDir dir;
};

// The router and the scaler serve grpc.health.v1 on --listen, by default on ports of their own so
// that every role can run on one host without meeting intake's default.
TEST(ListenConfig, RouterAndScalerTakeListenWithDefaultsOfTheirOwn) {
  auto router = parse({"router", "--redis", "127.0.0.1:6379", "--kafka-brokers", "k:9093"});
  ASSERT_TRUE(router.has_value()) << router.error().message;
  EXPECT_EQ(router->listen, "127.0.0.1:50053");
  auto scaler = parse({"scaler", "--redis", "127.0.0.1:6379"});
  ASSERT_TRUE(scaler.has_value()) << scaler.error().message;
  EXPECT_EQ(scaler->listen, "127.0.0.1:50054");
  auto given = parse({"router", "--redis", "127.0.0.1:6379", "--kafka-brokers", "k:9093",
                      "--listen", "0.0.0.0:0", "--ready-file", "/tmp/router.ready"});
  ASSERT_TRUE(given.has_value()) << given.error().message;
  EXPECT_EQ(given->listen, "0.0.0.0:0");
  EXPECT_EQ(given->ready_file, "/tmp/router.ready");
  ::setenv("LEXROUTE_LISTEN", "0.0.0.0:50063", 1);
  auto from_environment = parse({"scaler", "--redis", "127.0.0.1:6379"});
  ::unsetenv("LEXROUTE_LISTEN");
  ASSERT_TRUE(from_environment.has_value()) << from_environment.error().message;
  EXPECT_EQ(from_environment->listen, "0.0.0.0:50063") << "as the chart sets it";
  auto bad = parse(
      {"router", "--redis", "127.0.0.1:6379", "--kafka-brokers", "k:9093", "--listen", "nowhere"});
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().field, "listen");
}

TEST_F(KafkaConfig, FileAndEnvironmentPropertiesReachTheConfigWithTheEnvironmentLast) {
  std::string file = write("security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\n");
  auto c = parse(
      {"router", "--redis", "127.0.0.1:6379", "--kafka-brokers", "k:9093", "--kafka-config", file},
      {"LEXROUTE_KAFKA_CONFIG_SASL_MECHANISM=SCRAM-SHA-512",
       "LEXROUTE_KAFKA_CONFIG_SASL_USERNAME=lexroute", "LEXROUTE_REDIS_X=unrelated"});
  ASSERT_TRUE(c.has_value()) << c.error().message;
  KafkaSettings want = {{"security.protocol", "SASL_SSL"},
                        {"sasl.mechanism", "SCRAM-SHA-512"},
                        {"sasl.username", "lexroute"}};
  EXPECT_EQ(c->kafka_settings, want);
}

TEST_F(KafkaConfig, AnUnknownPropertyStopsTheStartNamingIt) {
  auto c = parse({"dev"}, {"LEXROUTE_KAFKA_CONFIG_SASL_MECHANIZM=PLAIN"});
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().field, "kafka-config");
  EXPECT_NE(c.error().message.find("'sasl.mechanizm'"), std::string::npos) << c.error().message;
}

TEST_F(KafkaConfig, AMissingFileOrABadLineIsAnError) {
  auto missing = parse({"dev", "--kafka-config", dir.str() + "/absent.properties"});
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message.find("absent.properties"), std::string::npos);

  auto bad = parse({"dev", "--kafka-config", write("sasl.mechanism PLAIN\n")});
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("kafka.properties:1"), std::string::npos)
      << bad.error().message;
}

TEST_F(KafkaConfig, APositionLexrouteKeepsCannotBeHandedToKafka) {
  auto c = parse({"dev", "--kafka-config", write("enable.auto.commit=true\n")});
  ASSERT_FALSE(c.has_value());
  EXPECT_NE(c.error().message.find("'enable.auto.commit' is lexroute's own"), std::string::npos)
      << c.error().message;
}

// CLI11 reads LEXROUTE_* from the process's environment: set for one test, then removed.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) { ::setenv(name, value, 1); }
  ~ScopedEnv() { ::unsetenv(name_); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
};

TEST(ReplicaWaitConfig, OffUnlessAskedSoASingleRedisAnswersAsBefore) {
  auto c = parse({"gateway", "--redis", "127.0.0.1:6379"});
  ASSERT_TRUE(c.has_value()) << c.error().message;
  EXPECT_EQ(c->redis_wait_replicas, 0);
  EXPECT_EQ(c->redis_wait_timeout, std::chrono::milliseconds(1000));
}

TEST(ReplicaWaitConfig, FlagsAndEnvironmentBothSetIt) {
  auto flags = parse({"gateway", "--redis", "127.0.0.1:6379", "--redis-wait-replicas", "2",
                      "--redis-wait-timeout-ms", "250"});
  ASSERT_TRUE(flags.has_value()) << flags.error().message;
  EXPECT_EQ(flags->redis_wait_replicas, 2);
  EXPECT_EQ(flags->redis_wait_timeout, std::chrono::milliseconds(250));

  ScopedEnv replicas("LEXROUTE_REDIS_WAIT_REPLICAS", "1");
  ScopedEnv timeout("LEXROUTE_REDIS_WAIT_TIMEOUT_MS", "400");
  auto env = parse({"intake", "--redis", "127.0.0.1:6379", "--kafka-brokers", "k:9092",
                    "--admin-key-sha256", std::string(64, 'a')});
  ASSERT_TRUE(env.has_value()) << env.error().message;
  EXPECT_EQ(env->redis_wait_replicas, 1);
  EXPECT_EQ(env->redis_wait_timeout, std::chrono::milliseconds(400));
}

TEST(ReplicaWaitConfig, ValuesOutOfRangeStopTheStartNamingTheFlag) {
  for (const auto& [flag, value] :
       std::vector<std::pair<std::string, std::string>>{{"--redis-wait-replicas", "-1"},
                                                        {"--redis-wait-replicas", "17"},
                                                        {"--redis-wait-timeout-ms", "0"},
                                                        {"--redis-wait-timeout-ms", "soon"}}) {
    auto c = parse({"gateway", "--redis", "127.0.0.1:6379", flag, value});
    ASSERT_FALSE(c.has_value()) << flag << " " << value;
    EXPECT_NE(c.error().message.find(flag), std::string::npos) << c.error().message;
  }
}

TEST(ReplicaWaitConfig, DevsOwnRedisHasNoReplicasToWaitFor) {
  auto c = parse({"dev", "--redis-wait-replicas", "1"});
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().field, "redis-wait-replicas");
  EXPECT_NE(c.error().message.find("no replicas"), std::string::npos) << c.error().message;

  auto given = parse({"dev", "--redis", "127.0.0.1:6379", "--redis-wait-replicas", "1"});
  EXPECT_TRUE(given.has_value()) << given.error().message;
}

TEST(RedisClusterConfig, SeedsFromTheFlagOrTheEnvironment) {
  auto flag = parse({"gateway", "--redis-cluster", "10.0.0.1:7000,10.0.0.2:7000"});
  ASSERT_TRUE(flag.has_value()) << flag.error().message;
  auto endpoint = redis_endpoint_of(*flag);
  ASSERT_TRUE(endpoint.has_value()) << endpoint.error().message;
  ASSERT_TRUE(endpoint->uses_cluster());
  EXPECT_EQ(endpoint->cluster_seeds.size(), 2u);

  ScopedEnv seeds("LEXROUTE_REDIS_CLUSTER", "10.0.0.3:7000");
  auto env = parse({"gateway"});
  ASSERT_TRUE(env.has_value()) << env.error().message;
  EXPECT_EQ(env->redis_cluster, "10.0.0.3:7000");
  EXPECT_FALSE(env->starts_own_redis());
}

TEST(RedisClusterConfig, MistakesStopTheStartNamingTheFlagAndValue) {
  auto both = parse({"gateway", "--redis-cluster", "10.0.0.1:7000", "--redis-sentinels",
                     "10.0.0.1:26379", "--redis-master-name", "lexroute"});
  ASSERT_FALSE(both.has_value());
  EXPECT_EQ(both.error().field, "redis-cluster");
  auto bad = parse({"gateway", "--redis-cluster", "10.0.0.1:7000,10.0.0.2"});
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().field, "redis-cluster");
  EXPECT_NE(bad.error().message.find("10.0.0.2"), std::string::npos) << bad.error().message;
}

}  // namespace
}  // namespace lexroute
