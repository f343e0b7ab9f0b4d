#include "services/lexrouted/config.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace lexroute
