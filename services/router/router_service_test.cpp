// RouterService through its ports: in-memory task records, roster, presence, change signals and
// task feed (tests/fakes), and a manual clock. The router runs on its own thread as in lexrouted;
// each test waits on what it counts (records consumed, tasks routed, clock passes), never for a
// guessed time.
#include "services/router/router_service.h"

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "services/kafka/topics.h"
#include "services/redis/keys.h"
#include "tests/fakes/fake_change_signals.h"
#include "tests/fakes/fake_presence_sweep.h"
#include "tests/fakes/fake_roster_source.h"
#include "tests/fakes/fake_routing_records.h"
#include "tests/fakes/fake_task_feed.h"
#include "tests/support/eventually.h"

namespace lexroute {
namespace {

using namespace std::chrono_literals;
using google::protobuf::util::TimeUtil;
using testing::eventually;
using testing::FakeChangeSignals;
using testing::FakePresenceSweep;
using testing::FakeRosterSource;
using testing::FakeRoutingRecords;
using testing::FakeTaskFeed;

constexpr char kPool[] = "p1";
constexpr int kOfferTimeoutSeconds = 60;

// A document reviewer of kPool, signed in and idle unless a test says otherwise.
v1::Staff reviewer(const std::string& id, int proficiency, int capacity) {
  v1::Staff s;
  s.set_id(id);
  s.set_pool(kPool);
  s.set_capacity(capacity);
  s.set_time_zone("UTC");
  auto* skill = s.add_skills();
  skill->set_skill("doc-review");
  skill->set_proficiency(proficiency);
  return s;
}

class RouterServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    PoolSettings settings;
    settings.offer_timeout_seconds = kOfferTimeoutSeconds;
    roster.configure(kPool, settings);
  }
  void TearDown() override {
    if (router) router->stop();
  }

  void add(const v1::Staff& staff, Availability availability = Availability::kAvailable,
           int load = 0) {
    roster.upsert(staff);
    roster.set_state(kPool, staff.id(), {availability, load});
  }

  // The router joins a fake feed of the task topic, which the test then writes to.
  void start() {
    OpenTaskFeed open = [this](TaskFeed::StartOffset from) -> Result<std::unique_ptr<TaskFeed>> {
      auto opened = std::make_unique<FakeTaskFeed>(std::string(topics::kTasks), 1, std::move(from));
      feed = opened.get();
      return opened;
    };
    router = std::make_unique<RouterService>(
        RouterService::Options{"routers", 500, nullptr, "fake-cluster"}, std::move(open), records,
        roster, presence, signals, clock);
    ASSERT_TRUE(router->start());
    ASSERT_NE(feed, nullptr);
  }

  // A document review needing `proficiency`, submitted `waited` before the clock's now.
  v1::TaskSubmitted review(const std::string& id, int proficiency = 3,
                           std::chrono::minutes waited = 1min) {
    v1::TaskSubmitted t;
    t.set_task_id(id);
    t.set_firm_id("acme");
    v1::TaskSpec& spec = *t.mutable_spec();
    spec.set_pool(kPool);
    spec.set_matter_id("m-1");
    spec.set_effort_minutes(20);
    auto* need = spec.add_required_skills();
    need->set_skill("doc-review");
    need->set_min_proficiency(proficiency);
    *t.mutable_submitted_at() =
        TimeUtil::MillisecondsToTimestamp(clock.now_ms() - waited.count() * 60'000);
    return t;
  }

  void submit(const v1::TaskSubmitted& task) {
    feed->push(0, task.task_id(), task.SerializeAsString());
  }

  v1::TaskStatus status(const std::string& task_id) {
    auto t = records.task(task_id);
    return t ? t->status : v1::TASK_STATUS_UNSPECIFIED;
  }
  std::string holder(const std::string& task_id) {
    auto t = records.task(task_id);
    return t ? t->staff : std::string();
  }
  bool becomes(const std::string& task_id, v1::TaskStatus wanted) {
    return eventually([&] { return status(task_id) == wanted; }, 5s, 2ms);
  }
  // Two whole clock passes began after this call: what is due at the clock's time is done.
  bool clock_passes_twice() {
    uint64_t seen = router->clock_passes();
    return eventually([&] { return router->clock_passes() >= seen + 2; }, 5s, 2ms);
  }

  ManualClock clock{std::chrono::system_clock::time_point(std::chrono::seconds(1'796'000'000))};
  FakeChangeSignals signals;
  FakeRosterSource roster;
  FakeRoutingRecords records{roster, clock, &signals};
  FakePresenceSweep presence;
  FakeTaskFeed* feed = nullptr;  // the router's, once started
  std::unique_ptr<RouterService> router;
};

TEST_F(RouterServiceTest, OffersATaskToTheBestEligibleStaffMember) {
  add(reviewer("adam", 5, 2));  // qualified, but over-qualified for the task
  add(reviewer("zoe", 3, 2));   // the closest fit
  add(reviewer("carl", 2, 2));  // below the skill level
  add(reviewer("dina", 3, 2), Availability::kOffline);
  ASSERT_NO_FATAL_FAILURE(start());

  submit(review("t1"));

  ASSERT_TRUE(becomes("t1", v1::TASK_STATUS_OFFERED));
  EXPECT_EQ(holder("t1"), "zoe");
  EXPECT_EQ(records.task("t1")->decision.chosen_staff_id(), "zoe");
  EXPECT_EQ(records.task("t1")->decision.outcome(), "OFFERED");
  EXPECT_EQ(roster.state(kPool, "zoe").load, 1);
  EXPECT_EQ(records.task("t1")->offer_expires_ms, clock.now_ms() + kOfferTimeoutSeconds * 1000);
  EXPECT_TRUE(eventually([&] { return router->routed() == 1; }, 5s, 2ms));
}

TEST_F(RouterServiceTest, ParksATaskAsWaitingWhileEveryQualifiedStaffMemberIsBusy) {
  add(reviewer("zoe", 3, 1), Availability::kAvailable, 1);
  add(reviewer("adam", 3, 1), Availability::kOnBreak);
  ASSERT_NO_FATAL_FAILURE(start());

  submit(review("t1"));

  ASSERT_TRUE(becomes("t1", v1::TASK_STATUS_WAITING));
  EXPECT_EQ(records.task("t1")->decision.outcome(), "WAITING");
  EXPECT_NE(records.task("t1")->reason.find("busy or not signed in"), std::string::npos)
      << records.task("t1")->reason;
  EXPECT_EQ(records.waiting(kPool, 10).value(), std::vector<std::string>{"t1"});
  EXPECT_EQ(roster.state(kPool, "zoe").load, 1);
  EXPECT_TRUE(eventually([&] { return router->routed() == 1; }, 5s, 2ms));
}

TEST_F(RouterServiceTest, DeclaresATaskNobodyCouldTakeUnroutableNamingTheConstraint) {
  add(reviewer("zoe", 3, 2));
  ASSERT_NO_FATAL_FAILURE(start());

  v1::TaskSubmitted t = review("t1");
  auto* privilege = t.mutable_spec()->add_required_skills();
  privilege->set_skill("privilege");
  privilege->set_min_proficiency(2);
  submit(t);

  ASSERT_TRUE(becomes("t1", v1::TASK_STATUS_UNROUTABLE));
  const std::string reason = records.task("t1")->reason;
  EXPECT_TRUE(reason.starts_with("skills")) << reason;
  EXPECT_NE(reason.find("privilege>=2"), std::string::npos) << reason;
  EXPECT_EQ(records.task("t1")->decision.outcome(), "UNROUTABLE");
  EXPECT_TRUE(records.waiting(kPool, 10).value().empty());
  EXPECT_EQ(roster.state(kPool, "zoe").load, 0);
}

TEST_F(RouterServiceTest, TriesTheNextCandidateWhenTheChosenOneHadNoRoomAfterAll) {
  add(reviewer("zoe", 3, 2));
  add(reviewer("adam", 5, 2));
  ASSERT_NO_FATAL_FAILURE(start());
  ASSERT_TRUE(clock_passes_twice());  // the router has read zoe as idle
  // Someone else filled zoe up; no change signal reached this router.
  roster.set_state(kPool, "zoe", {Availability::kAvailable, 2});

  submit(review("t1"));

  ASSERT_TRUE(becomes("t1", v1::TASK_STATUS_OFFERED));
  EXPECT_EQ(holder("t1"), "adam");
  EXPECT_EQ(records.task("t1")->decision.top_candidates(0).staff_id(), "zoe")
      << "adam is the next candidate of the decision that chose zoe, not of a later pass's";
  EXPECT_EQ(records.writes(), 2u) << "one refused write for zoe, then adam's";
  EXPECT_EQ(roster.state(kPool, "zoe").load, 2);
  EXPECT_EQ(roster.state(kPool, "adam").load, 1);
}

TEST_F(RouterServiceTest, OffersWaitingWorkBeforeNewWorkWhenSomeoneFreesRoom) {
  add(reviewer("zoe", 3, 1));
  ASSERT_NO_FATAL_FAILURE(start());
  submit(review("first", 3, 30min));
  ASSERT_TRUE(becomes("first", v1::TASK_STATUS_OFFERED));
  submit(review("waiting", 3, 20min));
  ASSERT_TRUE(becomes("waiting", v1::TASK_STATUS_WAITING));

  // zoe finishes; the wake message reaches the router before the new task does, so both are
  // in front of it in the same pass whenever they can be.
  records.complete("first");
  signals.announce(keys::wake_channel(kPool), "free zoe");
  submit(review("new", 3, 0min));

  ASSERT_TRUE(becomes("waiting", v1::TASK_STATUS_OFFERED));
  EXPECT_EQ(holder("waiting"), "zoe");
  ASSERT_TRUE(becomes("new", v1::TASK_STATUS_WAITING));
  EXPECT_EQ(roster.state(kPool, "zoe").load, 1);
}

TEST_F(RouterServiceTest, ARecordReplayedAfterItWasRoutedIsNotRoutedAgain) {
  add(reviewer("zoe", 3, 2));
  ASSERT_NO_FATAL_FAILURE(start());
  v1::TaskSubmitted t = review("t1");
  submit(t);
  ASSERT_TRUE(becomes("t1", v1::TASK_STATUS_OFFERED));

  submit(t);  // Kafka delivers at least once
  ASSERT_TRUE(eventually([&] { return router->consumed() == 2; }, 5s, 2ms));

  EXPECT_EQ(router->routed(), 1u);
  EXPECT_EQ(records.task("t1")->attempts, 1);
  EXPECT_EQ(roster.state(kPool, "zoe").load, 1);
  const std::string field = std::string("fake-cluster/") + std::string(topics::kTasks) + "/0";
  EXPECT_EQ(records.stored_offsets(kPool).value().at(field), 2) << "the replay's offset is kept";
  // The router took back the room it set aside for the replay: zoe still takes a second task.
  submit(review("t2"));
  ASSERT_TRUE(becomes("t2", v1::TASK_STATUS_OFFERED));
  EXPECT_EQ(holder("t2"), "zoe");
}

TEST_F(RouterServiceTest, GoesBackToTheStoredOffsetsWhenTheStoreLostWrites) {
  add(reviewer("zoe", 3, 5));
  ASSERT_NO_FATAL_FAILURE(start());
  submit(review("t0"));
  submit(review("t1"));
  ASSERT_TRUE(becomes("t1", v1::TASK_STATUS_OFFERED));
  ASSERT_TRUE(eventually([&] { return router->consumed() == 2; }, 5s, 2ms));

  // The store restarts without its last write: t1 and the offset stored with it are gone.
  const std::string field = std::string("fake-cluster/") + std::string(topics::kTasks) + "/0";
  records.lose_writes(kPool, field, 1, {"t1"});
  submit(review("t2"));

  ASSERT_TRUE(eventually([&] { return router->rewinds() == 1; }, 5s, 2ms));
  ASSERT_TRUE(becomes("t1", v1::TASK_STATUS_OFFERED)) << "routed again from offset 1";
  ASSERT_TRUE(becomes("t2", v1::TASK_STATUS_OFFERED));
  EXPECT_EQ(feed->rewinds(), 1u);
  EXPECT_EQ(records.task("t0")->attempts, 1);
  EXPECT_EQ(roster.state(kPool, "zoe").load, 3);
  EXPECT_EQ(records.stored_offsets(kPool).value().at(field), 3);
}

TEST_F(RouterServiceTest, AnOfferPastItsTimeoutGoesToTheNextCandidateWhenTheClockMoves) {
  add(reviewer("zoe", 3, 2));
  add(reviewer("adam", 5, 2));
  ASSERT_NO_FATAL_FAILURE(start());
  submit(review("t1"));
  ASSERT_TRUE(becomes("t1", v1::TASK_STATUS_OFFERED));
  ASSERT_EQ(holder("t1"), "zoe");

  clock.advance(std::chrono::seconds(kOfferTimeoutSeconds - 1));
  ASSERT_TRUE(clock_passes_twice());
  EXPECT_EQ(holder("t1"), "zoe") << "not due yet";

  clock.advance(2s);
  ASSERT_TRUE(eventually([&] { return holder("t1") == "adam"; }, 5s, 2ms));
  EXPECT_EQ(status("t1"), v1::TASK_STATUS_OFFERED);
  EXPECT_TRUE(records.task("t1")->excluded_staff.contains("zoe"));
  EXPECT_EQ(records.task("t1")->attempts, 2);
  EXPECT_EQ(roster.state(kPool, "zoe").load, 0);
  EXPECT_GT(presence.sweeps(kPool), 0u) << "the same clock pass reaches presence";
}

TEST_F(RouterServiceTest, StoppingCommitsWhatWasRoutedAndLeavesTheGroup) {
  add(reviewer("zoe", 3, 5));
  ASSERT_NO_FATAL_FAILURE(start());
  submit(review("t0"));
  submit(review("t1"));
  ASSERT_TRUE(eventually([&] { return router->consumed() == 2; }, 5s, 2ms));

  router->stop();

  EXPECT_TRUE(feed->closed());
  EXPECT_EQ(feed->committed()[0], 2) << "the next offset to read";
}

}  // namespace
}  // namespace lexroute
