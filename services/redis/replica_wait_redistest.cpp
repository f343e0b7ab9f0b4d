// Staff steps acknowledged only once a replica holds them (ReplicaWait), against a real master
// and replica: an acknowledged step is on the replica the moment it is answered, so a failover
// to that replica cannot forget it; with the replica behind the step is UNAVAILABLE, and so is
// its retry, even on another connection, until the replica holds the first attempt's write.
#include <gtest/gtest.h>
#include <signal.h>

#include "services/redis/keys.h"
#include "services/redis/staff_store.h"
#include "services/redis/task_fields.h"
#include "services/redis/task_store.h"
#include "tests/support/eventually.h"
#include "tests/support/sentinel_group.h"
#include "tests/support/task_statuses.h"
#include "tests/support/temp_dir.h"

namespace lexroute {
namespace {

using namespace std::chrono_literals;

constexpr const char* kReplicaWaitPassword = "replica-Wait-pw";
constexpr ReplicaWait kOneReplica{1, 300ms};

class ReplicaWaitTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<testing::TempDir>();
    auto group = testing::SentinelGroup::start(dir_->str() + "/redis", kReplicaWaitPassword);
    ASSERT_TRUE(group.has_value()) << group.error().message;
    group_ = std::move(*group);
  }
  static void TearDownTestSuite() {
    group_.reset();
    dir_.reset();
  }

  void SetUp() override {
    ASSERT_NE(group_, nullptr);
    master_ = std::make_unique<RedisClient>(RedisClient::Options{group_->master().endpoint(), 2});
    replica_ = std::make_unique<RedisClient>(RedisClient::Options{group_->replica().endpoint(), 1});
    router_tasks_ = std::make_unique<TaskStore>(*master_, clock_);
    tasks_ = std::make_unique<TaskStore>(*master_, clock_, kOneReplica);
    staff_ = std::make_unique<StaffStore>(*master_);
    v1::Staff s;
    s.set_id("ana");
    s.set_pool("default");
    s.set_time_zone("Europe/Lisbon");
    s.set_capacity(5);
    ASSERT_TRUE(staff_->upsert(s).has_value());
    ASSERT_TRUE(
        staff_->set_availability("default", "ana", Availability::kAvailable, 0).has_value());
  }

  // A task the router offered to ana (its writes do not wait).
  std::string offered_task() { return testing::offer_new_task(*router_tasks_, clock_, "ana"); }

  // The task's status as the replica holds it now, without waiting for it.
  std::string status_on_replica(const std::string& id) {
    auto status = replica_->command({"HGET", keys::task("default", id), task_fields::kStatus});
    return status && !status->is_nil() ? status->str : "";
  }

  // The replica stopped (SIGSTOP) with its link kept: the master still counts it, at the offset
  // it last confirmed, as with a replica that is slow rather than gone.
  void stop_replica() { ASSERT_EQ(::kill(group_->replica().pid(), SIGSTOP), 0); }

  // The replica running and on its link again, holding everything the master has.
  void resume_replica() {
    group_->resume_replica();
    ASSERT_TRUE(testing::eventually(
        [&] {
          auto confirmed = master_->command({"WAIT", "1", "100"});
          return confirmed && confirmed->integer == 1;
        },
        15s))
        << "the replica never came back";
  }

  static inline std::unique_ptr<testing::TempDir> dir_;
  static inline std::unique_ptr<testing::SentinelGroup> group_;
  ManualClock clock_{std::chrono::system_clock::from_time_t(1'800'000'000)};
  std::unique_ptr<RedisClient> master_, replica_;
  std::unique_ptr<TaskStore> router_tasks_, tasks_;
  std::unique_ptr<StaffStore> staff_;
};

TEST_F(ReplicaWaitTest, AnAcknowledgedStepIsOnTheReplicaWhenItIsAnswered) {
  std::string id = offered_task();
  auto accepted = tasks_->accept("default", "ana", id);
  ASSERT_TRUE(accepted.has_value()) << accepted.error().message;
  EXPECT_EQ(status_on_replica(id), "ACCEPTED");
  auto done = tasks_->complete("default", "ana", id, "responsive", "");
  ASSERT_TRUE(done.has_value()) << done.error().message;
  EXPECT_EQ(status_on_replica(id), "COMPLETED");
}

TEST_F(ReplicaWaitTest, WithTheReplicaBehindAStepAndItsRetriesAreUnavailableUntilItHoldsThem) {
  std::string id = offered_task();
  ASSERT_TRUE(tasks_->accept("default", "ana", id).has_value());
  // Another gateway's connection, open since before the replica fell behind.
  RedisClient other_connection(RedisClient::Options{group_->master().endpoint(), 1});
  ASSERT_TRUE(other_connection.ping().has_value());
  TaskStore other_gateway(other_connection, clock_, kOneReplica);
  stop_replica();

  auto first = tasks_->complete("default", "ana", id, "responsive", "");
  ASSERT_FALSE(first.has_value()) << "acknowledged while only the master holds it";
  EXPECT_EQ(first.error().code, Errc::kUnavailable);
  EXPECT_NE(first.error().message.find("replicas confirmed"), std::string::npos)
      << first.error().message;

  // A retry finds the step taken and has nothing new to write, yet must not be acknowledged
  // either, also not on a connection that did not write the first attempt.
  auto retried = other_gateway.complete("default", "ana", id, "responsive", "");
  ASSERT_FALSE(retried.has_value()) << "a retry acknowledged what the replica lacks";
  EXPECT_EQ(retried.error().code, Errc::kUnavailable);

  resume_replica();
  auto after = other_gateway.complete("default", "ana", id, "responsive", "");
  ASSERT_TRUE(after.has_value()) << after.error().message;
  EXPECT_EQ(after->status(), v1::TASK_STATUS_COMPLETED);
  int completed_steps = 0;
  for (const auto& step : after->history()) {
    completed_steps += step.status() == v1::TASK_STATUS_COMPLETED;
  }
  EXPECT_EQ(completed_steps, 1) << "completed once, however often it was sent";
  EXPECT_EQ(status_on_replica(id), "COMPLETED");
}

// Stalled: stopped, and its link cut, so the master counts no replica at all.
TEST_F(ReplicaWaitTest, WithTheReplicaStalledAnIdempotencyKeyIsUnavailableThenTheSameTask) {
  ASSERT_TRUE(group_->stall_replica().has_value());
  auto first = tasks_->claim_idempotency_key("acme", "k-stall", "task-a", "fp", "rec-a");
  ASSERT_FALSE(first.has_value());
  EXPECT_EQ(first.error().code, Errc::kUnavailable);
  resume_replica();
  auto retried = tasks_->claim_idempotency_key("acme", "k-stall", "task-b", "fp", "rec-b");
  ASSERT_TRUE(retried.has_value()) << retried.error().message;
  EXPECT_FALSE(retried->is_new);
  EXPECT_EQ(retried->task_id, "task-a");
}

}  // namespace
}  // namespace lexroute
