// A password-protected redis-server with an ACL user: the client logs in on every connection it
// opens, picks its database, and says which address refused it without ever saying the password.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "services/redis/redis_client.h"
#include "services/redis/redis_process.h"
#include "tests/support/temp_dir.h"

namespace lexroute {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

constexpr const char* kAdminPassword = "adm1n-S3cret";
constexpr const char* kAppPassword = "app-P@ss:w/rd";

class RedisAuth : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<testing::TempDir>();
    auto started = RedisProcess::start({.data_dir = dir_->str(), .password = kAdminPassword});
    ASSERT_TRUE(started.has_value()) << started.error().message;
    process_ = std::move(*started);
    RedisClient admin({process_->endpoint(), 1});
    // An application user as operators create one: every key and channel, no admin commands.
    auto user = admin.command({"ACL", "SETUSER", "app", "on", std::string(">") + kAppPassword, "~*",
                               "&*", "+@all", "-@dangerous"});
    ASSERT_TRUE(user.has_value()) << user.error().message;
  }
  static void TearDownTestSuite() {
    process_.reset();
    dir_.reset();
  }

  static RedisEndpoint endpoint_with(std::string user, std::string password, int db = 0) {
    RedisEndpoint e = process_->endpoint();
    e.user = std::move(user);
    e.password = std::move(password);
    e.db = db;
    return e;
  }
  static std::string address() { return "127.0.0.1:" + std::to_string(process_->port()); }

  static inline std::unique_ptr<testing::TempDir> dir_;
  static inline std::unique_ptr<RedisProcess> process_;
};

TEST_F(RedisAuth, TheRightPasswordWorksForTheDefaultUser) {
  RedisClient client({endpoint_with("", kAdminPassword), 2});
  ASSERT_TRUE(client.command({"SET", "auth:default", "1"}).has_value());
  auto whoami = client.command({"ACL", "WHOAMI"});
  ASSERT_TRUE(whoami.has_value()) << whoami.error().message;
  EXPECT_EQ(whoami->str, "default");
}

TEST_F(RedisAuth, AnAclUserLogsInWithItsOwnPassword) {
  RedisClient client({endpoint_with("app", kAppPassword), 2});
  auto whoami = client.command({"ACL", "WHOAMI"});
  ASSERT_TRUE(whoami.has_value()) << whoami.error().message;
  EXPECT_EQ(whoami->str, "app");
  ASSERT_TRUE(client.command({"SET", "auth:app", "1"}).has_value());
}

TEST_F(RedisAuth, AWrongPasswordNamesTheAddressNeverThePassword) {
  RedisClient client({endpoint_with("app", "not-the-Pa55word"), 1});
  auto pong = client.ping();
  ASSERT_FALSE(pong.has_value());
  EXPECT_FALSE(is_retriable(pong.error().code));
  EXPECT_THAT(pong.error().message,
              HasSubstr("redis at " + address() + ": authentication failed (WRONGPASS"));
  EXPECT_THAT(pong.error().message, Not(HasSubstr("not-the-Pa55word")));
  EXPECT_THAT(client.endpoint().to_string(), Not(HasSubstr("not-the-Pa55word")));
}

TEST_F(RedisAuth, NoPasswordNamesTheAddress) {
  RedisClient client({endpoint_with("", ""), 1});
  auto pong = client.ping();
  ASSERT_FALSE(pong.has_value());
  EXPECT_THAT(pong.error().message,
              HasSubstr("redis at " + address() + ": authentication failed (NOAUTH"));
}

TEST_F(RedisAuth, APasswordFileWorks) {
  auto path = (dir_->path() / "redis-password").string();
  std::ofstream(path) << kAppPassword << "\n";
  auto endpoint = redis_endpoint_from_flags({"redis://app@" + address(), path, "", ""});
  ASSERT_TRUE(endpoint.has_value()) << endpoint.error().message;
  RedisClient client({*endpoint, 1});
  auto whoami = client.command({"ACL", "WHOAMI"});
  ASSERT_TRUE(whoami.has_value()) << whoami.error().message;
  EXPECT_EQ(whoami->str, "app");
}

TEST_F(RedisAuth, ThePercentEncodedUrlPasswordWorks) {
  auto endpoint = redis_endpoint_from_flags(
      {"redis://app:app-P%40ss%3Aw%2Frd@" + address() + "/0", "", "", ""});
  ASSERT_TRUE(endpoint.has_value()) << endpoint.error().message;
  RedisClient client({*endpoint, 1});
  EXPECT_TRUE(client.ping().has_value());
}

TEST_F(RedisAuth, TheDatabaseIndexIsHonoured) {
  RedisClient db0({endpoint_with("app", kAppPassword, 0), 1});
  RedisClient db5({endpoint_with("app", kAppPassword, 5), 1});
  ASSERT_TRUE(db5.command({"SET", "auth:where", "five"}).has_value());
  auto in5 = db5.command({"GET", "auth:where"});
  ASSERT_TRUE(in5.has_value());
  EXPECT_EQ(in5->str, "five");
  auto in0 = db0.command({"GET", "auth:where"});
  ASSERT_TRUE(in0.has_value());
  EXPECT_TRUE(in0->is_nil());
  RedisClient admin({endpoint_with("", kAdminPassword, 5), 1});
  auto seen = admin.command({"GET", "auth:where"});
  ASSERT_TRUE(seen.has_value());
  EXPECT_EQ(seen->str, "five");
}

TEST_F(RedisAuth, ADatabaseRedisDoesNotHaveIsRefused) {
  RedisClient client({endpoint_with("app", kAppPassword, 99), 1});
  auto pong = client.ping();
  ASSERT_FALSE(pong.has_value());
  EXPECT_THAT(pong.error().message,
              HasSubstr("redis at " + address() + ": cannot use database 99"));
}

// Every connection of the pool, and every reconnection, logs in and selects before its first
// command: were one not, it would answer NOAUTH or read database 0.
TEST_F(RedisAuth, EveryConnectionAndReconnectionLogsIn) {
  RedisClient admin({endpoint_with("", kAdminPassword), 1});
  ASSERT_TRUE(admin.command({"SET", "auth:marker", "db0"}).has_value());
  RedisClient client({endpoint_with("app", kAppPassword, 3), 4});
  ASSERT_TRUE(client.command({"SET", "auth:marker", "db3"}).has_value());
  // How many reads answered what database 3 holds. A connection cut under us fails its one read
  // with kUnavailable and is opened again, so each read may be tried a few times.
  auto read_from_many_connections = [&] {
    std::vector<std::thread> threads;
    std::atomic<int> right{0};
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 50; ++i) {
          for (int attempt = 0; attempt < 5; ++attempt) {
            auto v = client.command({"GET", "auth:marker"});
            if (!v && v.error().code == Errc::kUnavailable) continue;
            if (v && v->str == "db3") ++right;
            break;
          }
        }
      });
    }
    for (auto& t : threads) t.join();
    return right.load();
  };
  EXPECT_EQ(read_from_many_connections(), 400);
  // Every connection of `client` is cut; each is opened again, logging in again, on next use.
  auto killed = admin.command({"CLIENT", "KILL", "USER", "app"});
  ASSERT_TRUE(killed.has_value()) << killed.error().message;
  EXPECT_GE(killed->integer, 2);
  EXPECT_EQ(read_from_many_connections(), 400);
  // And none of them wrote into database 0.
  auto in_db0 = admin.command({"GET", "auth:marker"});
  ASSERT_TRUE(in_db0.has_value());
  EXPECT_EQ(in_db0->str, "db0");
}

}  // namespace
}  // namespace lexroute
