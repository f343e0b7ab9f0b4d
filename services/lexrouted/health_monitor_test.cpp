// The monitor sets each health service name from the dependencies it needs, keeps "liveness"
// SERVING, and follows a dependency that goes and comes back.
#include "services/lexrouted/health_monitor.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>

#include "tests/support/eventually.h"

namespace lexroute {
namespace {

using namespace std::chrono_literals;

// What the monitor told gRPC's health service, per name.
class RecordedHealth final : public grpc::HealthCheckServiceInterface {
 public:
  void SetServingStatus(const std::string& service, bool serving) override {
    std::lock_guard lock(mutex_);
    statuses_[service] = serving ? "SERVING" : "NOT_SERVING";
  }
  void SetServingStatus(bool serving) override {
    std::lock_guard lock(mutex_);
    for (auto& [name, status] : statuses_) status = serving ? "SERVING" : "NOT_SERVING";
  }
  std::string of(const std::string& service) {
    std::lock_guard lock(mutex_);
    auto it = statuses_.find(service);
    return it == statuses_.end() ? "NOT_FOUND" : it->second;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::string> statuses_;
};

TEST(HealthMonitor, EachServiceIsServingOnlyWhileWhatItNeedsAnswers) {
  RecordedHealth health;
  std::atomic<bool> redis_up{true}, kafka_up{false};
  auto check = [](std::atomic<bool>& up) {
    return [&up]() -> Result<void> {
      if (up.load()) return {};
      return fail(Errc::kUnavailable, "connection refused");
    };
  };
  HealthMonitor monitor("intake", health, {{"redis", check(redis_up)}, {"kafka", check(kafka_up)}},
                        {{"", {"redis", "kafka"}}, {"lexroute.v1.Admin", {"redis"}}}, nullptr,
                        10ms);
  monitor.start();
  // start() checks once before it returns: no UNKNOWN window.
  EXPECT_EQ(health.of(""), "NOT_SERVING");
  EXPECT_EQ(health.of("lexroute.v1.Admin"), "SERVING");
  EXPECT_EQ(health.of(HealthMonitor::kLiveness), "SERVING");

  kafka_up = true;
  EXPECT_TRUE(testing::eventually([&] { return health.of("") == "SERVING"; }, 5s));

  redis_up = false;
  EXPECT_TRUE(testing::eventually(
      [&] {
        return health.of("") == "NOT_SERVING" && health.of("lexroute.v1.Admin") == "NOT_SERVING";
      },
      5s));
  EXPECT_EQ(health.of(HealthMonitor::kLiveness), "SERVING") << "the process still runs";

  redis_up = true;
  EXPECT_TRUE(testing::eventually(
      [&] { return health.of("") == "SERVING" && health.of("lexroute.v1.Admin") == "SERVING"; },
      5s));
  monitor.stop();
}

}  // namespace
}  // namespace lexroute
