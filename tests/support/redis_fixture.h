#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "services/redis/redis_client.h"
#include "services/redis/redis_process.h"
#include "tests/support/temp_dir.h"

namespace lexroute::testing {

// A real redis-server on a free port for one test suite, flushed before each test.
class RedisTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void SetUp() override;

  static RedisEndpoint endpoint() { return process_->endpoint(); }
  static RedisProcess& process() { return *process_; }
  RedisClient& redis() { return *client_; }

 private:
  static inline std::unique_ptr<TempDir> dir_;
  static inline std::unique_ptr<RedisProcess> process_;
  std::unique_ptr<RedisClient> client_;
};

}  // namespace lexroute::testing
