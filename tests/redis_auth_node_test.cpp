// The real lexrouted against a password-protected Redis: a wrong password or a bad --redis stops
// the start with a non-zero exit and a message that names the address, never the password.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "router/text.h"
#include "services/redis/redis_process.h"
#include "tests/support/command_run.h"
#include "tests/support/temp_dir.h"

namespace lexroute {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kWrong = "wrong-Pa55word";

std::string gateway_with(const std::string& redis_flags) {
  return cat(LEXROUTED_PATH,
             " gateway --listen 127.0.0.1:0 --http-listen 127.0.0.1:0 --metrics-listen "
             "127.0.0.1:0 ",
             redis_flags, " 2>&1");
}

TEST(RedisAuthNode, AWrongPasswordStopsTheStartNamingTheAddress) {
  testing::TempDir dir;
  auto redis = RedisProcess::start({.data_dir = dir.str(), .password = "right-Pa55word"});
  ASSERT_TRUE(redis.has_value()) << redis.error().message;
  std::string address = cat("127.0.0.1:", (*redis)->port());
  auto run = testing::run_command(gateway_with(cat("--redis redis://:", kWrong, "@", address)));
  EXPECT_EQ(run.exit_code, 1) << run.out;
  EXPECT_THAT(run.out, HasSubstr(cat("redis at ", address, ": authentication failed (WRONGPASS")));
  EXPECT_THAT(run.out, Not(HasSubstr(kWrong)));
}

TEST(RedisAuthNode, NoPasswordStopsTheStartNamingTheAddress) {
  testing::TempDir dir;
  auto redis = RedisProcess::start({.data_dir = dir.str(), .password = "right-Pa55word"});
  ASSERT_TRUE(redis.has_value()) << redis.error().message;
  std::string address = cat("127.0.0.1:", (*redis)->port());
  auto run = testing::run_command(gateway_with("--redis " + address));
  EXPECT_EQ(run.exit_code, 1) << run.out;
  EXPECT_THAT(run.out, HasSubstr(cat("redis at ", address, ": authentication failed (NOAUTH")));
}

TEST(RedisAuthNode, BadRedisFlagsAreRefusedWithoutEchoingThePassword) {
  testing::TempDir dir;
  auto file = (dir.path() / "password").string();
  std::ofstream(file) << "from-the-file\n";
  struct Case {
    std::string flags, says;
  };
  for (const Case& c : std::vector<Case>{
           {cat("--redis rediss://:", kWrong, "@127.0.0.1:6379"), "--redis: only redis:// URLs"},
           {cat("--redis redis://:", kWrong, "@127.0.0.1:6379 --redis-password-file ", file),
            "both in --redis and in --redis-password-file"},
           {cat("--redis redis://:", kWrong, "@127.0.0.1:6379/x"), "the database after '/'"},
       }) {
    auto run = testing::run_command(gateway_with(c.flags));
    EXPECT_EQ(run.exit_code, 2) << c.flags << "\n" << run.out;
    EXPECT_THAT(run.out, HasSubstr(c.says)) << c.flags;
    EXPECT_THAT(run.out, Not(HasSubstr(kWrong))) << c.flags;
    EXPECT_THAT(run.out, Not(HasSubstr("from-the-file"))) << c.flags;
  }
}

}  // namespace
}  // namespace lexroute
