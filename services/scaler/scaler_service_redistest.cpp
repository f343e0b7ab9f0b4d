#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include "services/scaler/scaler_service.h"
#include "tests/support/redis_fixture.h"

namespace lexroute {
namespace {

using namespace std::chrono_literals;

// One round at a time against a real redis-server, with a ManualClock.
class ScalerTest : public testing::RedisTest {
 protected:
  void SetUp() override {
    RedisTest::SetUp();
    staff = std::make_unique<StaffStore>(redis());
    tasks = std::make_unique<TaskStore>(redis(), clock);
    pools = std::make_unique<PoolStore>(redis(), *staff, *tasks, clock);
    scaler =
        std::make_unique<ScalerService>(ScalerService::Options{60s, "test"}, *pools, *staff, clock);
    v1::PoolScaling scaling;
    scaling.set_max_active(5);
    for (const char* id : {"ana", "ben"}) {
      v1::Staff s;
      s.set_id(id);
      s.set_pool("default");
      s.set_time_zone("Europe/Belfast");  // no shifts: always in working hours
      s.set_capacity(2);
      ASSERT_TRUE(staff->upsert(s).has_value());
      scaling.add_bench_staff(id);
    }
    ASSERT_TRUE(pools->set_scaling("default", scaling).has_value());
    // 80 minutes of work due in 4 hours: one person is enough.
    v1::TaskSubmitted task;
    task.set_task_id("t1@default");
    task.set_firm_id("acme");
    task.mutable_spec()->set_pool("default");
    task.mutable_spec()->set_effort_minutes(80);
    *task.mutable_spec()->mutable_deadline() =
        google::protobuf::util::TimeUtil::MillisecondsToTimestamp(clock.now_ms() + 4 * 3600 * 1000);
    ASSERT_TRUE(tasks->record_queued({&task}).has_value());
  }

  std::map<std::string, std::string> bench() { return *pools->bench("default"); }

  ManualClock clock{std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000))};
  std::unique_ptr<StaffStore> staff;
  std::unique_ptr<TaskStore> tasks;
  std::unique_ptr<PoolStore> pools;
  std::unique_ptr<ScalerService> scaler;
};

TEST_F(ScalerTest, ANoShowIsReplacedAfterFifteenMinutesAndReleasedAfterAnHour) {
  ASSERT_EQ(*scaler->step(), 1u);
  std::string first, second;
  for (const auto& [id, state] : bench()) {
    if (state == "CALLED_IN") first = id;
  }
  ASSERT_FALSE(first.empty()) << "one called in";
  second = first == "ana" ? "ben" : "ana";
  EXPECT_EQ(bench()[second], "BENCH") << "one is enough for 80 minutes of work";

  clock.advance(10min);
  ASSERT_TRUE(scaler->step().has_value());
  EXPECT_EQ(bench()[second], "BENCH") << "still within the 15 minutes to sign in";

  clock.advance(6min);  // 16 minutes: the first has not signed in
  ASSERT_TRUE(scaler->step().has_value());
  EXPECT_EQ(bench()[second], "CALLED_IN") << "someone else is called in";

  clock.advance(4min);  // the second signs in, which answers their call-in
  ASSERT_TRUE(staff->set_availability("default", second, Availability::kAvailable, clock.now_ms())
                  .has_value());
  clock.advance(41min);  // 61 minutes after the first call-in
  ASSERT_TRUE(scaler->step().has_value());
  EXPECT_EQ(bench()[first], "BENCH") << "released as a no-show";
  EXPECT_EQ(bench()[second], "CALLED_IN");
  auto decisions = pools->recent("default", 1);
  ASSERT_EQ(decisions->size(), 1u);
  ASSERT_EQ(decisions->front().released_size(), 1);
  EXPECT_EQ(decisions->front().released(0), first);
}

}  // namespace
}  // namespace lexroute
