#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <thread>

#include "services/common/task_id.h"
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

  // A task of the default pool due `due` from now, offered to `staff` (waiting when empty).
  v1::TaskSubmitted route(const std::string& staff_id, std::chrono::minutes due) {
    v1::TaskSubmitted t;
    t.set_task_id(new_task_id(clock.now_ms(), "default"));
    t.set_firm_id("acme");
    t.mutable_spec()->set_pool("default");
    t.mutable_spec()->set_effort_minutes(30);
    *t.mutable_spec()->mutable_deadline() =
        google::protobuf::util::TimeUtil::MillisecondsToTimestamp(clock.now_ms() + ms(due));
    *t.mutable_submitted_at() =
        google::protobuf::util::TimeUtil::MillisecondsToTimestamp(clock.now_ms());
    TaskStore::RouteAttempt a;
    a.task = &t;
    a.staff_id = staff_id;
    a.reason = "nobody free";
    auto r = tasks->route(a);
    EXPECT_TRUE(r.has_value()) << r.error().message;
    return t;
  }
  static int64_t ms(std::chrono::minutes m) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(m).count();
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

TEST_F(PoolStoreTest, ReadingsAreThePoolAsTheGaugesSeeIt) {
  v1::Staff ana;
  ana.set_id("ana");
  ana.set_pool("default");
  ana.set_capacity(2);
  ASSERT_TRUE(staff->upsert(ana).has_value());
  ASSERT_TRUE(staff->set_availability("default", "ana", Availability::kAvailable, 0).has_value());
  const int64_t start_ms = clock.now_ms();
  route("ana", std::chrono::minutes(60));
  clock.advance(std::chrono::seconds(3));
  route("", std::chrono::minutes(120));
  route("", std::chrono::minutes(60 * 24 * 10));  // due after the window
  clock.advance(std::chrono::seconds(1));
  const int64_t now_ms = clock.now_ms();

  auto r = pools->readings("default", {now_ms, now_ms + ms(std::chrono::minutes(60 * 24 * 7)),
                                       /*head=*/1, /*due_limit=*/10});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->roster_version, *staff->roster_version("default"));
  EXPECT_EQ(r->availability.at("ana"), "AVAILABLE");
  EXPECT_EQ(r->load.at("ana"), 1);
  EXPECT_EQ(r->waiting, 2);
  EXPECT_EQ(r->offered, 1);
  EXPECT_EQ(r->head_submitted_ms, std::vector<int64_t>{start_ms + 3000}) << "only the head";
  ASSERT_EQ(r->due.size(), 2u) << "the task due in ten days is outside the window";
  EXPECT_EQ(r->due[0].status, v1::TASK_STATUS_OFFERED);
  EXPECT_EQ(r->due[0].deadline_ms, start_ms + ms(std::chrono::minutes(60)));
  EXPECT_EQ(r->due[0].spec.effort_minutes(), 30);
  EXPECT_EQ(r->due[1].status, v1::TASK_STATUS_WAITING);
  EXPECT_EQ(r->due[1].deadline_ms, start_ms + 3000 + ms(std::chrono::minutes(120)));
}

}  // namespace
}  // namespace lexroute
