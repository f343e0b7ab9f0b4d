#include <gtest/gtest.h>

#include <thread>

#include "services/redis/keys.h"
#include "services/redis/pool_store.h"
#include "tests/support/redis_fixture.h"

namespace lexroute {
namespace {

using namespace std::chrono_literals;

class PoolStoreTest : public testing::RedisTest {
 protected:
  void SetUp() override {
    RedisTest::SetUp();
    staff = std::make_unique<StaffStore>(redis());
    tasks = std::make_unique<TaskStore>(redis(), clock);
    pools = std::make_unique<PoolStore>(redis(), *staff, *tasks, clock);
  }

  ManualClock clock{std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000))};
  std::unique_ptr<StaffStore> staff;
  std::unique_ptr<TaskStore> tasks;
  std::unique_ptr<PoolStore> pools;
};

TEST_F(PoolStoreTest, OnlyOneScalerHoldsTheLeaseUntilItFallsSilent) {
  auto a = pools->hold_lease("scaler-a", 300ms);
  auto b = pools->hold_lease("scaler-b", 300ms);
  ASSERT_TRUE(a.has_value() && b.has_value());
  EXPECT_TRUE(*a);
  EXPECT_FALSE(*b) << "a second replica does not act while the first holds the lease";
  EXPECT_TRUE(*pools->hold_lease("scaler-a", 300ms)) << "renewing is fine";
  std::this_thread::sleep_for(400ms);  // scaler-a stops renewing
  EXPECT_TRUE(*pools->hold_lease("scaler-b", 300ms)) << "the other takes over";
  EXPECT_FALSE(*pools->hold_lease("scaler-a", 300ms));
}

TEST_F(PoolStoreTest, CallInAndReleaseMoveOnlyFromTheRightStateAndLeaveAnEvent) {
  v1::PoolScaling scaling;
  scaling.set_max_active(5);
  scaling.add_bench_staff("ana");
  ASSERT_TRUE(pools->set_scaling("default", scaling).has_value());
  EXPECT_FALSE(*pools->release("default", "ana", "apex", "not called in yet"));
  EXPECT_TRUE(*pools->call_in("default", "ana", "apex", "backlog"));
  EXPECT_FALSE(*pools->call_in("default", "ana", "apex", "twice")) << "already called in";
  EXPECT_EQ(pools->bench("default")->at("ana"), "CALLED_IN");
  // Listing the bench again keeps someone called in called in.
  ASSERT_TRUE(pools->set_scaling("default", scaling).has_value());
  EXPECT_EQ(pools->bench("default")->at("ana"), "CALLED_IN");
  EXPECT_TRUE(*pools->release("default", "ana", "apex", "drained"));
  EXPECT_EQ(pools->bench("default")->at("ana"), "BENCH");
  auto events = redis().command({"XRANGE", keys::staff_events("default"), "-", "+"});
  ASSERT_TRUE(events.has_value());
  ASSERT_EQ(events->elements.size(), 2u);
  EXPECT_EQ(*pools->last_call_in("default"), absl::FromChrono(clock.now()));
  // Off the bench list: a regular member again.
  scaling.clear_bench_staff();
  ASSERT_TRUE(pools->set_scaling("default", scaling).has_value());
  EXPECT_TRUE(pools->bench("default")->empty());
}

}  // namespace
}  // namespace lexroute
