#include "tests/support/redis_fixture.h"

namespace lexroute::testing {

void RedisTest::SetUpTestSuite() {
  dir_ = std::make_unique<TempDir>();
  auto started = RedisProcess::start({.data_dir = dir_->str()});
  ASSERT_TRUE(started.has_value()) << started.error().message;
  process_ = std::move(*started);
}

void RedisTest::TearDownTestSuite() {
  process_.reset();
  dir_.reset();
}

void RedisTest::SetUp() {
  ASSERT_NE(process_, nullptr) << "redis-server did not start";
  client_ = std::make_unique<RedisClient>(
      RedisClient::Options{process_->endpoint(), 8, std::chrono::milliseconds(2000)});
  auto flushed = client_->command({"FLUSHALL"});
  ASSERT_TRUE(flushed.has_value()) << flushed.error().message;
}

}  // namespace lexroute::testing
