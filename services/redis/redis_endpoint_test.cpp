#include "services/redis/redis_endpoint.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/temp_dir.h"

namespace lexroute {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kSecret = "s3cr3t-Pa55";

RedisEndpoint parsed(std::string_view text) {
  auto e = RedisEndpoint::parse(text);
  EXPECT_TRUE(e.has_value()) << text << ": " << (e ? "" : e.error().message);
  return e.value_or(RedisEndpoint{});
}

Error parse_error(std::string_view text) {
  auto e = RedisEndpoint::parse(text);
  EXPECT_FALSE(e.has_value()) << text << " parsed";
  return e ? Error{} : e.error();
}

TEST(RedisEndpoint, BareHostPort) {
  auto e = parsed("10.0.0.5:6380");
  EXPECT_EQ(e.host, "10.0.0.5");
  EXPECT_EQ(e.port, 6380);
  EXPECT_EQ(e.user, "");
  EXPECT_EQ(e.password, "");
  EXPECT_EQ(e.db, 0);
  EXPECT_EQ(e.to_string(), "10.0.0.5:6380");
}

TEST(RedisEndpoint, UrlWithUserPasswordAndDatabase) {
  auto e = parsed("redis://app:s3cr3t-Pa55@redis.internal:6379/3");
  EXPECT_EQ(e.host, "redis.internal");
  EXPECT_EQ(e.port, 6379);
  EXPECT_EQ(e.user, "app");
  EXPECT_EQ(e.password, kSecret);
  EXPECT_EQ(e.db, 3);
  EXPECT_EQ(e.to_string(), "redis://app:***@redis.internal:6379/3");
}

TEST(RedisEndpoint, UrlWithPasswordOnly) {
  auto e = parsed("redis://:s3cr3t-Pa55@127.0.0.1:6390");
  EXPECT_EQ(e.user, "");
  EXPECT_EQ(e.password, kSecret);
  EXPECT_EQ(e.db, 0);
  EXPECT_EQ(e.to_string(), "redis://:***@127.0.0.1:6390");
}

TEST(RedisEndpoint, UrlWithoutCredentials) {
  EXPECT_EQ(parsed("redis://127.0.0.1:6390").to_string(), "127.0.0.1:6390");
  EXPECT_EQ(parsed("redis://127.0.0.1:6390/").db, 0);
  EXPECT_EQ(parsed("redis://127.0.0.1:6390/15").to_string(), "redis://127.0.0.1:6390/15");
}

TEST(RedisEndpoint, PercentEscapesAreDecoded) {
  auto e = parsed("redis://ops%2Bteam:p%40ss%3Aw%2Fo%25rd@h:1");
  EXPECT_EQ(e.user, "ops+team");
  EXPECT_EQ(e.password, "p@ss:w/o%rd");
}

TEST(RedisEndpoint, UnescapedAtAndSlashInThePasswordStillParse) {
  auto e = parsed("redis://:pa@ss/word@h:1/2");
  EXPECT_EQ(e.password, "pa@ss/word");
  EXPECT_EQ(e.host, "h");
  EXPECT_EQ(e.db, 2);
}

TEST(RedisEndpoint, BadFormsSayWhatIsWrongAndNeverRepeatThePassword) {
  struct Case {
    std::string text;
    std::string says;
  };
  std::vector<Case> cases = {
      {"rediss://:s3cr3t-Pa55@h:1", "only redis:// URLs"},
      {"http://h:1", "only redis:// URLs"},
      {":s3cr3t-Pa55@h:1", "credentials need the URL form"},
      {"redis://:s3cr3t-Pa55@h", "the address must be host:port, got 'h'"},
      {"redis://:s3cr3t-Pa55@h:99999", "the address must be host:port"},
      {"redis://:s3cr3t-Pa55@h:0", "the address must be host:port"},
      {"redis://:s3cr3t-Pa55@h:1/x", "the database after '/' must be a number"},
      {"redis://:s3cr3t-Pa55@h:1/-1", "the database after '/' must be a number"},
      {"redis://:s3cr3t-Pa55@h:1/0?timeout=5", "query parameters are not supported"},
      {"redis://:s3cr3t%zzPa55@h:1", "the password has a broken %-escape"},
      {"redis://:s3cr3t-Pa55%4@h:1", "the password has a broken %-escape"},
      {"redis://us%r:s3cr3t-Pa55@h:1", "the user has a broken %-escape"},
      {"redis://app:@h:1", "the password after ':' is empty"},
      {"h", "--redis must be host:port"},
  };
  for (const auto& c : cases) {
    Error e = parse_error(c.text);
    EXPECT_EQ(e.code, Errc::kInvalidArgument) << c.text;
    EXPECT_EQ(e.field, "redis") << c.text;
    EXPECT_THAT(e.message, HasSubstr("--redis")) << c.text;
    EXPECT_THAT(e.message, HasSubstr(c.says)) << c.text;
    EXPECT_THAT(e.message, Not(HasSubstr("s3cr3t"))) << c.text;
  }
}

TEST(RedisEndpoint, ToStringNeverHoldsThePassword) {
  for (std::string text : {"redis://:s3cr3t-Pa55@h:1", "redis://app:s3cr3t-Pa55@h:1/2"}) {
    EXPECT_THAT(parsed(text).to_string(), Not(HasSubstr("s3cr3t"))) << text;
  }
}

class RedisFlagsTest : public ::testing::Test {
 protected:
  std::string write_file(const std::string& name, const std::string& content) {
    auto path = (dir_.path() / name).string();
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }
  testing::TempDir dir_;
};

TEST_F(RedisFlagsTest, PasswordFileDropsOneTrailingNewline) {
  auto e = redis_endpoint_from_flags(
      {"redis://app@h:1/4", write_file("password", "s3cr3t-Pa55\n"), "", ""});
  ASSERT_TRUE(e.has_value()) << e.error().message;
  EXPECT_EQ(e->user, "app");
  EXPECT_EQ(e->password, kSecret);
  EXPECT_EQ(e->db, 4);
  auto crlf = redis_endpoint_from_flags({"h:1", write_file("crlf", "s3cr3t-Pa55\r\n"), "", ""});
  ASSERT_TRUE(crlf.has_value()) << crlf.error().message;
  EXPECT_EQ(crlf->password, kSecret);
}

TEST_F(RedisFlagsTest, PasswordInBothPlacesIsAnErrorNamingBoth) {
  auto e = redis_endpoint_from_flags(
      {"redis://:s3cr3t-Pa55@h:1", write_file("password", "other\n"), "", ""});
  ASSERT_FALSE(e.has_value());
  EXPECT_EQ(e.error().field, "redis-password-file");
  EXPECT_THAT(e.error().message, HasSubstr("--redis and in --redis-password-file"));
  EXPECT_THAT(e.error().message, Not(HasSubstr("s3cr3t")));
  EXPECT_THAT(e.error().message, Not(HasSubstr("other")));
}

TEST_F(RedisFlagsTest, BadPasswordFiles) {
  auto missing = redis_endpoint_from_flags({"h:1", (dir_.path() / "nope").string(), "", ""});
  ASSERT_FALSE(missing.has_value());
  EXPECT_THAT(missing.error().message, HasSubstr("cannot be read"));
  EXPECT_EQ(missing.error().field, "redis-password-file");
  auto empty = redis_endpoint_from_flags({"h:1", write_file("empty", "\n"), "", ""});
  ASSERT_FALSE(empty.has_value());
  EXPECT_THAT(empty.error().message, HasSubstr("is empty"));
  auto two = redis_endpoint_from_flags({"h:1", write_file("two", "s3cr3t-Pa55\nmore\n"), "", ""});
  ASSERT_FALSE(two.has_value());
  EXPECT_THAT(two.error().message, HasSubstr("more than one line"));
  EXPECT_THAT(two.error().message, Not(HasSubstr("s3cr3t")));
}

TEST_F(RedisFlagsTest, UserWithoutAnyPasswordIsRefused) {
  auto e = redis_endpoint_from_flags({"redis://app@h:1", "", "", ""});
  ASSERT_FALSE(e.has_value());
  EXPECT_EQ(e.error().field, "redis");
  EXPECT_THAT(e.error().message, HasSubstr("names a user but no password"));
}

TEST_F(RedisFlagsTest, SentinelsCarryCredentialsAndDatabaseFromTheUrl) {
  auto e = redis_endpoint_from_flags(
      {"redis://app:s3cr3t-Pa55@/2", "", "10.0.0.1:26379,10.0.0.2:26379", "lexroute"});
  ASSERT_TRUE(e.has_value()) << e.error().message;
  ASSERT_TRUE(e->uses_sentinels());
  ASSERT_EQ(e->sentinels.size(), 2u);
  EXPECT_EQ(e->sentinels[1].to_string(), "10.0.0.2:26379");
  EXPECT_EQ(e->master_name, "lexroute");
  EXPECT_EQ(e->password, kSecret);
  EXPECT_EQ(e->db, 2);
  EXPECT_EQ(e->to_string(),
            "master lexroute via sentinels 10.0.0.1:26379,10.0.0.2:26379 as app db 2");
  auto bare = redis_endpoint_from_flags({"", "", "10.0.0.1:26379", "lexroute"});
  ASSERT_TRUE(bare.has_value()) << bare.error().message;
  EXPECT_EQ(bare->password, "");
}

TEST_F(RedisFlagsTest, SentinelMistakes) {
  auto with_host =
      redis_endpoint_from_flags({"redis://:s3cr3t-Pa55@h:1", "", "10.0.0.1:26379", "lexroute"});
  ASSERT_FALSE(with_host.has_value());
  EXPECT_EQ(with_host.error().field, "redis");
  EXPECT_THAT(with_host.error().message, HasSubstr("--redis-sentinels is given"));
  EXPECT_THAT(with_host.error().message, Not(HasSubstr("s3cr3t")));

  auto no_name = redis_endpoint_from_flags({"", "", "10.0.0.1:26379", ""});
  ASSERT_FALSE(no_name.has_value());
  EXPECT_EQ(no_name.error().field, "redis-master-name");

  auto name_only = redis_endpoint_from_flags({"h:1", "", "", "lexroute"});
  ASSERT_FALSE(name_only.has_value());
  EXPECT_EQ(name_only.error().field, "redis-master-name");

  auto bad_list = redis_endpoint_from_flags({"", "", "10.0.0.1:26379,,x", "lexroute"});
  ASSERT_FALSE(bad_list.has_value());
  EXPECT_EQ(bad_list.error().field, "redis-sentinels");

  auto no_host = redis_endpoint_from_flags({"redis://:s3cr3t-Pa55@/1", "", "", ""});
  ASSERT_FALSE(no_host.has_value());
  EXPECT_THAT(no_host.error().message, HasSubstr("host:port is missing"));
}

TEST_F(RedisFlagsTest, ClusterSeedsCarryCredentialsFromTheUrl) {
  auto e = redis_endpoint_from_flags(
      {"redis://app:s3cr3t-Pa55@", "", "", "", "10.0.0.1:7000,10.0.0.2:7000"});
  ASSERT_TRUE(e.has_value()) << e.error().message;
  ASSERT_TRUE(e->uses_cluster());
  EXPECT_FALSE(e->uses_sentinels());
  ASSERT_EQ(e->cluster_seeds.size(), 2u);
  EXPECT_EQ(e->cluster_seeds[1].to_string(), "10.0.0.2:7000");
  EXPECT_EQ(e->password, kSecret);
  EXPECT_EQ(e->to_string(), "cluster 10.0.0.1:7000,10.0.0.2:7000 as app");
  auto with_file = redis_endpoint_from_flags(
      {"", write_file("password", "s3cr3t-Pa55\n"), "", "", "10.0.0.1:7000"});
  ASSERT_TRUE(with_file.has_value()) << with_file.error().message;
  EXPECT_EQ(with_file->password, kSecret);
}

TEST_F(RedisFlagsTest, ClusterMistakesNameTheFlag) {
  auto with_sentinels =
      redis_endpoint_from_flags({"", "", "10.0.0.1:26379", "lexroute", "10.0.0.1:7000"});
  ASSERT_FALSE(with_sentinels.has_value());
  EXPECT_EQ(with_sentinels.error().field, "redis-cluster");
  EXPECT_THAT(with_sentinels.error().message, HasSubstr("exclude each other"));

  auto with_host = redis_endpoint_from_flags({"redis://:s3cr3t-Pa55@h:1", "", "", "", "a:1"});
  ASSERT_FALSE(with_host.has_value());
  EXPECT_EQ(with_host.error().field, "redis");
  EXPECT_THAT(with_host.error().message, HasSubstr("--redis-cluster is given"));
  EXPECT_THAT(with_host.error().message, Not(HasSubstr("s3cr3t")));

  auto with_db = redis_endpoint_from_flags({"redis://:s3cr3t-Pa55@/3", "", "", "", "a:1"});
  ASSERT_FALSE(with_db.has_value());
  EXPECT_THAT(with_db.error().message, HasSubstr("only 0"));

  auto bad_list = redis_endpoint_from_flags({"", "", "", "", "10.0.0.1:7000,nope"});
  ASSERT_FALSE(bad_list.has_value());
  EXPECT_EQ(bad_list.error().field, "redis-cluster");
  EXPECT_THAT(bad_list.error().message, HasSubstr("nope"));
}

}  // namespace
}  // namespace lexroute
