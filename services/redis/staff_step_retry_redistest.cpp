// A staff member's step sent again (after an UNAVAILABLE answer, say) is answered as the first
// one was and changes nothing; a step acknowledged only once replicas hold it fails UNAVAILABLE
// when they do not, with the write left on the master for the retry to find.
#include <gtest/gtest.h>

#include "services/redis/keys.h"
#include "services/redis/staff_store.h"
#include "services/redis/task_store.h"
#include "tests/support/redis_fixture.h"
#include "tests/support/task_statuses.h"

namespace lexroute {
namespace {

using namespace std::chrono_literals;

class StaffStepRetryTest : public testing::RedisTest {
 protected:
  void SetUp() override {
    RedisTest::SetUp();
    tasks = std::make_unique<TaskStore>(redis(), clock);
    staff = std::make_unique<StaffStore>(redis());
    v1::Staff s;
    s.set_id("ana");
    s.set_pool("default");
    s.set_time_zone("Europe/Lisbon");
    s.set_capacity(2);
    ASSERT_TRUE(staff->upsert(s).has_value());
    ASSERT_TRUE(staff->set_availability("default", "ana", Availability::kAvailable, 0).has_value());
  }

  // A task offered to ana.
  std::string offered_task() { return testing::offer_new_task(*tasks, clock, "ana"); }

  int load() { return (*staff->states("default"))["ana"].load; }
  int steps_to(const v1::Task& task, v1::TaskStatus status) {
    int n = 0;
    for (const auto& step : task.history()) n += step.status() == status;
    return n;
  }
  int completions() {
    auto n = redis().command({"GET", keys::completed("default")});
    return n && !n->is_nil() ? std::stoi(n->str) : 0;
  }

  ManualClock clock{std::chrono::system_clock::from_time_t(1'800'000'000)};
  std::unique_ptr<TaskStore> tasks;
  std::unique_ptr<StaffStore> staff;
};

TEST_F(StaffStepRetryTest, AcceptingAgainWhatYouHoldAnswersAcceptedOnce) {
  std::string id = offered_task();
  ASSERT_TRUE(tasks->accept("default", "ana", id).has_value());
  auto again = tasks->accept("default", "ana", id);
  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_EQ(again->status(), v1::TASK_STATUS_ACCEPTED);
  EXPECT_EQ(steps_to(*again, v1::TASK_STATUS_ACCEPTED), 1);
  EXPECT_EQ(load(), 1);
}

TEST_F(StaffStepRetryTest, CompletingAgainAnswersTheFirstCompletionAndFreesCapacityOnce) {
  std::string id = offered_task();
  ASSERT_TRUE(tasks->accept("default", "ana", id).has_value());
  ASSERT_TRUE(tasks->complete("default", "ana", id, "responsive", "p. 4").has_value());
  auto again = tasks->complete("default", "ana", id, "privileged", "changed my mind");
  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_EQ(again->status(), v1::TASK_STATUS_COMPLETED);
  EXPECT_EQ(again->outcome(), "responsive") << "a retry never rewrites the first outcome";
  EXPECT_EQ(steps_to(*again, v1::TASK_STATUS_COMPLETED), 1);
  EXPECT_EQ(load(), 0) << "capacity released once, not twice";
  EXPECT_EQ(completions(), 1);
}

TEST_F(StaffStepRetryTest, DecliningAgainAnswersWaitingAndRequeuesOnce) {
  std::string id = offered_task();
  ASSERT_TRUE(tasks->reject("default", "ana", id, "conflict").has_value());
  auto again = tasks->reject("default", "ana", id, "conflict");
  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_EQ(again->status(), v1::TASK_STATUS_WAITING);
  EXPECT_EQ(steps_to(*again, v1::TASK_STATUS_WAITING), 1);
  EXPECT_EQ(load(), 0);
  EXPECT_EQ(*tasks->waiting("default", 10), std::vector<std::string>{id});
}

TEST_F(StaffStepRetryTest, SomeoneElsesStepIsStillRefused) {
  std::string id = offered_task();
  EXPECT_EQ(tasks->accept("default", "raj", id).error().code, Errc::kFailedPrecondition);
  EXPECT_EQ(tasks->reject("default", "raj", id, "").error().code, Errc::kFailedPrecondition)
      << "raj never had it: not a retry";
  EXPECT_EQ(tasks->get(id)->status(), v1::TASK_STATUS_OFFERED);
}

// This Redis has no replica: asked for one, every step falls short, and says so.
TEST_F(StaffStepRetryTest, ShortOfReplicasAStepIsUnavailableButWrittenAndItsRetryIsTheSame) {
  TaskStore waiting_for_one(redis(), clock, ReplicaWait{1, 50ms});
  std::string id = offered_task();
  ASSERT_TRUE(tasks->accept("default", "ana", id).has_value());

  auto short_of_replicas = waiting_for_one.complete("default", "ana", id, "responsive", "");
  ASSERT_FALSE(short_of_replicas.has_value());
  EXPECT_EQ(short_of_replicas.error().code, Errc::kUnavailable);
  EXPECT_TRUE(is_retriable(short_of_replicas.error().code));
  EXPECT_NE(short_of_replicas.error().message.find("0 of 1 replicas"), std::string::npos)
      << short_of_replicas.error().message;
  EXPECT_EQ(tasks->get(id)->status(), v1::TASK_STATUS_COMPLETED) << "the master has it";

  auto retried = tasks->complete("default", "ana", id, "responsive", "");
  ASSERT_TRUE(retried.has_value()) << retried.error().message;
  EXPECT_EQ(steps_to(*retried, v1::TASK_STATUS_COMPLETED), 1);
  EXPECT_EQ(completions(), 1);
  EXPECT_EQ(load(), 0);
}

TEST_F(StaffStepRetryTest, ShortOfReplicasAnIdempotencyKeyIsUnavailableAndItsRetryFindsIt) {
  TaskStore waiting_for_one(redis(), clock, ReplicaWait{1, 50ms});
  auto first = waiting_for_one.claim_idempotency_key("acme", "k1", "task-a", "fp", "rec-a");
  ASSERT_FALSE(first.has_value());
  EXPECT_EQ(first.error().code, Errc::kUnavailable);
  auto retried = tasks->claim_idempotency_key("acme", "k1", "task-b", "fp", "rec-b");
  ASSERT_TRUE(retried.has_value()) << retried.error().message;
  EXPECT_FALSE(retried->is_new);
  EXPECT_EQ(retried->task_id, "task-a");
  EXPECT_EQ(retried->record, "rec-a");
}

}  // namespace
}  // namespace lexroute
