#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "services/common/task_id.h"
#include "services/redis/keys.h"
#include "services/redis/staff_store.h"
#include "services/redis/task_store.h"
#include "tests/support/redis_fixture.h"

namespace lexroute {
namespace {

using google::protobuf::util::TimeUtil;

class TaskStoreTest : public testing::RedisTest {
 protected:
  void SetUp() override {
    RedisTest::SetUp();
    tasks = std::make_unique<TaskStore>(redis(), clock);
    staff = std::make_unique<StaffStore>(redis());
  }

  void add_staff(const std::string& id, int capacity) {
    v1::Staff s;
    s.set_id(id);
    s.set_pool("default");
    s.set_time_zone("Asia/Manila");
    s.set_capacity(capacity);
    ASSERT_TRUE(staff->upsert(s).has_value());
    ASSERT_TRUE(staff->set_availability("default", id, Availability::kAvailable, 0).has_value());
  }

  v1::TaskSubmitted task(const std::string& firm = "acme") {
    v1::TaskSubmitted t;
    t.set_task_id(new_task_id(clock.now_ms(), "default"));
    t.set_firm_id(firm);
    t.mutable_spec()->set_pool("default");
    t.mutable_spec()->set_matter_id("m-1");
    t.mutable_spec()->set_priority(3);
    *t.mutable_submitted_at() = TimeUtil::MillisecondsToTimestamp(clock.now_ms());
    return t;
  }

  TaskStore::RouteOutcome route(const v1::TaskSubmitted& t, const std::string& to,
                                int64_t offset = -1) {
    TaskStore::RouteAttempt a;
    a.task = &t;
    a.staff_id = to;
    a.reason = "nobody free";
    if (offset >= 0) {
      a.offset_field = "lexroute.tasks.v1/0";
      a.next_offset = offset + 1;
    }
    auto r = tasks->route(a);
    EXPECT_TRUE(r.has_value()) << r.error().message;
    return r.value_or(TaskStore::RouteOutcome::kSkipped);
  }

  int load(const std::string& id) { return (*staff->states("default"))[id].load; }

  ManualClock clock{std::chrono::system_clock::from_time_t(1'800'000'000)};
  std::unique_ptr<TaskStore> tasks;
  std::unique_ptr<StaffStore> staff;
};

TEST_F(TaskStoreTest, OfferAcceptCompleteRecordsEveryStepAndReleasesCapacity) {
  add_staff("ana", 2);
  auto t = task();
  ASSERT_EQ(route(t, "ana"), TaskStore::RouteOutcome::kOffered);
  EXPECT_EQ(load("ana"), 1);
  EXPECT_EQ(*staff->open_offers("default", "ana"), std::vector<std::string>{t.task_id()});

  clock.advance(std::chrono::seconds(5));
  auto accepted = tasks->accept("default", "ana", t.task_id());
  ASSERT_TRUE(accepted.has_value()) << accepted.error().message;
  EXPECT_EQ(accepted->status(), v1::TASK_STATUS_ACCEPTED);
  EXPECT_TRUE(staff->open_offers("default", "ana")->empty());

  auto done = tasks->complete("default", "ana", t.task_id(), "responsive", "");
  ASSERT_TRUE(done.has_value()) << done.error().message;
  EXPECT_EQ(done->status(), v1::TASK_STATUS_COMPLETED);
  EXPECT_EQ(done->outcome(), "responsive");
  EXPECT_EQ(load("ana"), 0);
  ASSERT_EQ(done->history_size(), 4);
  EXPECT_EQ(done->history(0).status(), v1::TASK_STATUS_QUEUED);
  EXPECT_EQ(done->history(1).status(), v1::TASK_STATUS_OFFERED);
  EXPECT_EQ(done->history(2).status(), v1::TASK_STATUS_ACCEPTED);
  EXPECT_EQ(TimeUtil::TimestampToSeconds(done->history(2).at()), 1'800'000'005);
  EXPECT_EQ(done->history(3).status(), v1::TASK_STATUS_COMPLETED);
}

TEST_F(TaskStoreTest, ACompletionIsKeptAmongTheStaffMembersRecentOnesFor36Hours) {
  add_staff("ana", 3);
  auto complete = [&](const v1::TaskSubmitted& t) {
    EXPECT_EQ(route(t, "ana"), TaskStore::RouteOutcome::kOffered);
    ASSERT_TRUE(tasks->accept("default", "ana", t.task_id()).has_value());
    ASSERT_TRUE(tasks->complete("default", "ana", t.task_id(), "responsive", "").has_value());
  };
  auto first = task();
  complete(first);
  const int64_t first_ms = clock.now_ms();
  auto held = staff->holdings({{"default", "ana"}});
  ASSERT_TRUE(held.has_value());
  ASSERT_EQ((*held)[0].recently_done.size(), 1u);
  EXPECT_EQ((*held)[0].recently_done[0].first, first.task_id());
  EXPECT_EQ((*held)[0].recently_done[0].second, first_ms);
  EXPECT_TRUE((*held)[0].accepted_work.empty());

  clock.advance(std::chrono::hours(37));
  auto second = task();
  complete(second);
  held = staff->holdings({{"default", "ana"}});
  ASSERT_TRUE(held.has_value());
  ASSERT_EQ((*held)[0].recently_done.size(), 1u) << "older than 36 h is trimmed";
  EXPECT_EQ((*held)[0].recently_done[0].first, second.task_id());
  auto ttl = redis().command({"PTTL", keys::done("default", "ana")});
  ASSERT_TRUE(ttl.has_value());
  EXPECT_GT(ttl->integer, 0) << "an idle staff member's record expires";
}

TEST_F(TaskStoreTest, AcceptingSomeoneElsesOfferIsRefusedAndChangesNothing) {
  add_staff("ana", 1);
  add_staff("raj", 1);
  auto t = task();
  ASSERT_EQ(route(t, "ana"), TaskStore::RouteOutcome::kOffered);
  auto r = tasks->accept("default", "raj", t.task_id());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::kFailedPrecondition);
  EXPECT_EQ(tasks->get(t.task_id())->status(), v1::TASK_STATUS_OFFERED);
  auto c = tasks->complete("default", "ana", t.task_id(), "responsive", "");
  ASSERT_FALSE(c.has_value()) << "completing before accepting must fail";
  EXPECT_EQ(c.error().code, Errc::kFailedPrecondition);
}

TEST_F(TaskStoreTest, ManyStaffStepsInOneRoundTripEachGetTheirOwnAnswer) {
  add_staff("ana", 3);
  add_staff("raj", 1);
  auto mine = task(), done_later = task(), rajs = task();
  ASSERT_EQ(route(mine, "ana"), TaskStore::RouteOutcome::kOffered);
  ASSERT_EQ(route(done_later, "ana"), TaskStore::RouteOutcome::kOffered);
  ASSERT_EQ(route(rajs, "raj"), TaskStore::RouteOutcome::kOffered);
  ASSERT_TRUE(tasks->accept("default", "ana", done_later.task_id()).has_value());

  using Kind = TaskStore::StaffStep::Kind;
  auto answers = tasks->take_steps({
      {Kind::kAccept, "default", "ana", mine.task_id(), {}, {}},
      {Kind::kAccept, "default", "ana", rajs.task_id(), {}, {}},        // not hers
      {Kind::kComplete, "default", "raj", rajs.task_id(), "done", {}},  // not accepted yet
      {Kind::kComplete, "default", "ana", done_later.task_id(), "responsive", "ok"},
      {Kind::kAccept, "default", "ana", new_task_id(1, "default"), {}, {}},  // no such task
      {Kind::kAccept, "other-pool", "ana", mine.task_id(), {}, {}},          // a pool she is not in
  });
  ASSERT_TRUE(answers.has_value()) << answers.error().message;
  ASSERT_EQ(answers->size(), 6u);
  ASSERT_TRUE((*answers)[0].has_value()) << (*answers)[0].error().message;
  EXPECT_EQ((*answers)[0]->status(), v1::TASK_STATUS_ACCEPTED);
  EXPECT_EQ((*answers)[1].error().code, Errc::kFailedPrecondition);
  EXPECT_EQ((*answers)[2].error().code, Errc::kFailedPrecondition);
  ASSERT_TRUE((*answers)[3].has_value()) << (*answers)[3].error().message;
  EXPECT_EQ((*answers)[3]->status(), v1::TASK_STATUS_COMPLETED);
  EXPECT_EQ((*answers)[3]->outcome(), "responsive");
  EXPECT_EQ((*answers)[4].error().code, Errc::kNotFound);
  EXPECT_EQ((*answers)[5].error().code, Errc::kFailedPrecondition);
  // The refused steps changed nothing.
  EXPECT_EQ(tasks->get(rajs.task_id())->status(), v1::TASK_STATUS_OFFERED);
  EXPECT_EQ(load("ana"), 1);
  EXPECT_EQ(load("raj"), 1);
}

TEST_F(TaskStoreTest, AfterRedisForgetsScriptsOnlyTheStepsThatDidNotRunAreSentAgain) {
  add_staff("ana", 3);
  auto first = task(), second = task();
  ASSERT_EQ(route(first, "ana"), TaskStore::RouteOutcome::kOffered);
  ASSERT_EQ(route(second, "ana"), TaskStore::RouteOutcome::kOffered);
  ASSERT_TRUE(tasks->accept("default", "ana", first.task_id()).has_value());
  ASSERT_TRUE(redis().command({"SCRIPT", "FLUSH"}).has_value());
  // Loads the accept script again, but not the completion's.
  auto other = task();
  ASSERT_EQ(route(other, "ana"), TaskStore::RouteOutcome::kOffered);
  ASSERT_TRUE(tasks->accept("default", "ana", other.task_id()).has_value());

  using Kind = TaskStore::StaffStep::Kind;
  auto answers = tasks->take_steps({
      {Kind::kAccept, "default", "ana", second.task_id(), {}, {}},
      {Kind::kComplete, "default", "ana", first.task_id(), "responsive", {}},
  });
  ASSERT_TRUE(answers.has_value()) << answers.error().message;
  // Sent twice, the accept would answer that the task is no longer open.
  ASSERT_TRUE((*answers)[0].has_value()) << (*answers)[0].error().message;
  EXPECT_EQ((*answers)[0]->status(), v1::TASK_STATUS_ACCEPTED);
  ASSERT_TRUE((*answers)[1].has_value()) << (*answers)[1].error().message;
  EXPECT_EQ((*answers)[1]->status(), v1::TASK_STATUS_COMPLETED);
  int accepted_steps = 0;
  for (const auto& step : (*answers)[0]->history()) {
    if (step.status() == v1::TASK_STATUS_ACCEPTED) ++accepted_steps;
  }
  EXPECT_EQ(accepted_steps, 1);
}

TEST_F(TaskStoreTest, UnknownTaskIsNotFound) {
  EXPECT_EQ(tasks->get("nope").error().code, Errc::kNotFound);
  EXPECT_EQ(tasks->get(new_task_id(1, "default")).error().code, Errc::kNotFound);
}

TEST_F(TaskStoreTest, RacingRoutersNeverExceedCapacity) {
  add_staff("ana", 3);
  constexpr int kTasks = 64;
  std::vector<v1::TaskSubmitted> ts;
  for (int i = 0; i < kTasks; ++i) ts.push_back(task());
  std::atomic<int> offered{0};
  std::vector<std::thread> routers;
  for (int r = 0; r < 8; ++r) {
    routers.emplace_back([&, r] {
      for (int i = r; i < kTasks; i += 8) {
        if (route(ts[static_cast<size_t>(i)], "ana") == TaskStore::RouteOutcome::kOffered) {
          ++offered;
        }
      }
    });
  }
  for (auto& t : routers) t.join();
  EXPECT_EQ(offered.load(), 3);
  EXPECT_EQ(load("ana"), 3);
  EXPECT_EQ(staff->open_offers("default", "ana")->size(), 3u);
}

TEST_F(TaskStoreTest, ReplayedTaskIsSkippedButItsOffsetIsStored) {
  add_staff("ana", 2);
  auto t = task();
  ASSERT_EQ(route(t, "ana", 41), TaskStore::RouteOutcome::kOffered);
  EXPECT_EQ((*tasks->stored_offsets("default"))["lexroute.tasks.v1/0"], 42);
  EXPECT_EQ(route(t, "ana", 41), TaskStore::RouteOutcome::kSkipped);
  EXPECT_EQ(load("ana"), 1) << "a replay must not reserve twice";
}

TEST_F(TaskStoreTest, OffsetsNeverMoveBackwards) {
  add_staff("ana", 5);
  auto a = task();
  auto b = task();
  route(a, "ana", 10);
  route(b, "ana", 7);
  EXPECT_EQ((*tasks->stored_offsets("default"))["lexroute.tasks.v1/0"], 11);
}

TEST_F(TaskStoreTest, ABatchOfAttemptsGetsOneOutcomeEachAndCapacityHolds) {
  add_staff("ana", 2);
  std::vector<v1::TaskSubmitted> ts{task(), task(), task()};
  std::vector<TaskStore::RouteAttempt> attempts(ts.size());
  std::vector<const TaskStore::RouteAttempt*> batch;
  for (size_t i = 0; i < ts.size(); ++i) {
    attempts[i].task = &ts[i];
    attempts[i].staff_id = "ana";
    batch.push_back(&attempts[i]);
  }
  auto outcomes = tasks->route_each(batch);
  ASSERT_TRUE(outcomes.has_value()) << outcomes.error().message;
  using O = TaskStore::RouteOutcome;
  EXPECT_EQ(*outcomes, (std::vector<O>{O::kOffered, O::kOffered, O::kStale}));
  EXPECT_EQ(load("ana"), 2);
  EXPECT_EQ(tasks->get(ts[2].task_id())->status(), v1::TASK_STATUS_WAITING);
}

TEST_F(TaskStoreTest, AnAttemptThatFindsNoRoomLeavesTheTaskWaitingWithItsOffsetStored) {
  add_staff("ana", 1);
  auto first = task();
  auto second = task();
  ASSERT_EQ(route(first, "ana", 10), TaskStore::RouteOutcome::kOffered);
  // A router with a stale view offers ana a second task: refused, and nothing may be lost if
  // that router dies before trying its next candidate.
  ASSERT_EQ(route(second, "ana", 11), TaskStore::RouteOutcome::kStale);
  EXPECT_EQ(tasks->get(second.task_id())->status(), v1::TASK_STATUS_WAITING);
  EXPECT_EQ(*tasks->waiting("default", 10), std::vector<std::string>{second.task_id()});
  EXPECT_EQ((*tasks->stored_offsets("default"))["lexroute.tasks.v1/0"], 12);
  EXPECT_EQ(load("ana"), 1);
}

TEST_F(TaskStoreTest, NoCandidateMakesTheTaskWaitThenAFreedStaffMemberGetsIt) {
  auto t = task();
  ASSERT_EQ(route(t, ""), TaskStore::RouteOutcome::kWaiting);
  EXPECT_EQ(tasks->get(t.task_id())->status(), v1::TASK_STATUS_WAITING);
  EXPECT_EQ(*tasks->waiting("default", 10), std::vector<std::string>{t.task_id()});
  add_staff("ana", 1);
  ASSERT_EQ(route(t, "ana"), TaskStore::RouteOutcome::kOffered);
  EXPECT_TRUE(tasks->waiting("default", 10)->empty());
}

TEST_F(TaskStoreTest, RejectExcludesTheStaffMemberAndRequeues) {
  add_staff("ana", 1);
  auto t = task();
  ASSERT_EQ(route(t, "ana"), TaskStore::RouteOutcome::kOffered);
  auto r = tasks->reject("default", "ana", t.task_id(), "conflict of interest");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->status(), v1::TASK_STATUS_WAITING);
  EXPECT_EQ(load("ana"), 0);
  EXPECT_TRUE(tasks->excluded_staff(t.task_id())->contains("ana"));
  EXPECT_EQ(route(t, "ana"), TaskStore::RouteOutcome::kStale) << "ana rejected it already";
}

TEST_F(TaskStoreTest, CancelWithdrawsAnOpenOfferAndReleasesCapacity) {
  add_staff("ana", 1);
  auto t = task("acme");
  ASSERT_EQ(route(t, "ana"), TaskStore::RouteOutcome::kOffered);
  EXPECT_EQ(tasks->cancel("globex", t.task_id(), "").error().code, Errc::kNotFound)
      << "another firm cannot cancel it";
  auto c = tasks->cancel("acme", t.task_id(), "matter settled");
  ASSERT_TRUE(c.has_value()) << c.error().message;
  EXPECT_EQ(c->status(), v1::TASK_STATUS_CANCELLED);
  EXPECT_EQ(load("ana"), 0);
  EXPECT_TRUE(staff->open_offers("default", "ana")->empty());
  EXPECT_EQ(tasks->cancel("acme", t.task_id(), "").error().code, Errc::kFailedPrecondition);
  EXPECT_EQ(route(t, "ana"), TaskStore::RouteOutcome::kSkipped);
}

TEST_F(TaskStoreTest, IdempotencyKeyBindsToTheFirstTask) {
  auto first = tasks->claim_idempotency_key("acme", "k1", "task-a", "fp1", "rec-a");
  ASSERT_TRUE(first.has_value());
  EXPECT_TRUE(first->is_new);
  auto again = tasks->claim_idempotency_key("acme", "k1", "task-b", "fp2", "rec-b");
  ASSERT_TRUE(again.has_value());
  EXPECT_FALSE(again->is_new);
  EXPECT_EQ(again->task_id, "task-a");
  EXPECT_EQ(again->fingerprint, "fp1");
  auto other_firm = tasks->claim_idempotency_key("globex", "k1", "task-c", "fp3", "rec-c");
  EXPECT_TRUE(other_firm->is_new) << "keys are per firm";
}

TEST_F(TaskStoreTest, StepTimesAreWhenEachStepHappenedAndZeroBeforeIt) {
  add_staff("ana", 1);
  auto t = task();
  t.mutable_spec()->set_kind(v1::TASK_KIND_LEGAL_RESEARCH);
  const int64_t submitted_ms = clock.now_ms();
  clock.advance(std::chrono::seconds(2));
  ASSERT_EQ(route(t, "ana"), TaskStore::RouteOutcome::kOffered);
  const int64_t offered_ms = clock.now_ms();

  auto offered = tasks->step_times("default", {t.task_id(), "gone@default"});
  ASSERT_TRUE(offered.has_value()) << offered.error().message;
  ASSERT_EQ(offered->size(), 2u);
  EXPECT_EQ((*offered)[0].kind, v1::TASK_KIND_LEGAL_RESEARCH);
  EXPECT_EQ((*offered)[0].submitted_ms, submitted_ms);
  EXPECT_EQ((*offered)[0].offered_ms, offered_ms);
  EXPECT_EQ((*offered)[0].accepted_ms, 0) << "not accepted yet";
  EXPECT_EQ((*offered)[1].kind, v1::TASK_KIND_UNSPECIFIED) << "no such task";
  EXPECT_EQ((*offered)[1].submitted_ms, 0);

  clock.advance(std::chrono::seconds(5));
  ASSERT_TRUE(tasks->accept("default", "ana", t.task_id()).has_value());
  auto accepted = tasks->step_times("default", {t.task_id()});
  ASSERT_TRUE(accepted.has_value());
  EXPECT_EQ(accepted->at(0).accepted_ms, offered_ms + 5000);
}

TEST_F(TaskStoreTest, ScriptsReloadAfterRedisForgetsThem) {
  add_staff("ana", 1);
  ASSERT_TRUE(redis().command({"SCRIPT", "FLUSH"}).has_value());
  auto t = task();
  EXPECT_EQ(route(t, "ana"), TaskStore::RouteOutcome::kOffered);
}

}  // namespace
}  // namespace lexroute
