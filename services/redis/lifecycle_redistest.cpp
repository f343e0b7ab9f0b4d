// The lifecycle scripts against a real Redis on a manual clock, through the store methods the
// router's sweeps and the gateway call: offers that time out (expire_offer), deadlines
// (pass_deadline), work taken back from someone away (take_back_work), silence and heartbeats
// (lapse_presence, heartbeat), signing in and out (set_availability), and the bench (call_in).
// Each checks the reply and what it left: the status, the holder's load and offers, the waiting
// queue. tests/lifecycle_test.cpp keeps what only a whole node shows (the router running these
// on its clock, offer streams learning of it).
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "services/common/task_id.h"
#include "services/redis/keys.h"
#include "services/redis/pool_store.h"
#include "services/redis/presence_store.h"
#include "services/redis/script_calls.h"
#include "tests/support/redis_fixture.h"

namespace lexroute {
namespace {

using namespace std::chrono_literals;
using google::protobuf::util::TimeUtil;

constexpr const char* kPool = "lifecycle";

class LifecycleStoreTest : public testing::RedisTest {
 protected:
  void SetUp() override {
    RedisTest::SetUp();
    staff = std::make_unique<StaffStore>(redis());
    tasks = std::make_unique<TaskStore>(redis(), clock);
    presence = std::make_unique<PresenceStore>(redis(), *staff, *tasks, clock);
    pools = std::make_unique<PoolStore>(redis(), *staff, *tasks, clock);
    settings.presence_timeout_seconds = 60;
    settings.accepted_grace_seconds = 300;
    PoolSettingsChange change;
    change.presence_timeout_seconds = settings.presence_timeout_seconds;
    change.accepted_grace_seconds = settings.accepted_grace_seconds;
    ASSERT_TRUE(staff->update_settings(kPool, change).has_value());
  }

  // A staff member of capacity 1, signed in now (so under presence from now).
  void add_staff(const std::string& id) {
    v1::Staff s;
    s.set_id(id);
    s.set_pool(kPool);
    s.set_time_zone("Europe/London");
    s.set_capacity(1);
    ASSERT_TRUE(staff->upsert(s).has_value());
    ASSERT_TRUE(presence->set_availability(kPool, id, Availability::kAvailable).has_value());
  }

  struct Offer {
    std::string to;  // empty: the task waits
    std::chrono::seconds timeout{120};
    std::chrono::seconds deadline{86400};
    bool expire_at_deadline = false;
  };
  // A task routed now as `offer` says; its id.
  std::string route(const Offer& offer) {
    v1::TaskSubmitted t;
    t.set_task_id(new_task_id(clock.now_ms(), kPool));
    t.set_firm_id("acme");
    t.mutable_spec()->set_pool(kPool);
    t.mutable_spec()->set_matter_id("m-1");
    t.mutable_spec()->set_priority(3);
    *t.mutable_spec()->mutable_deadline() =
        TimeUtil::MillisecondsToTimestamp(clock.now_ms() + ms(offer.deadline));
    t.mutable_spec()->set_expire_at_deadline(offer.expire_at_deadline);
    *t.mutable_submitted_at() = TimeUtil::MillisecondsToTimestamp(clock.now_ms());
    TaskStore::RouteAttempt a;
    a.task = &t;
    a.staff_id = offer.to;
    a.reason = "nobody free";
    a.offer_expires_ms = clock.now_ms() + ms(offer.timeout);
    auto outcome = tasks->route(a);
    EXPECT_TRUE(outcome.has_value()) << outcome.error().message;
    EXPECT_EQ(
        outcome.value_or(TaskStore::RouteOutcome::kSkipped),
        offer.to.empty() ? TaskStore::RouteOutcome::kWaiting : TaskStore::RouteOutcome::kOffered);
    return t.task_id();
  }
  static int64_t ms(std::chrono::seconds s) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(s).count();
  }

  v1::Task task(const std::string& id) {
    auto t = tasks->get(id);
    EXPECT_TRUE(t.has_value()) << t.error().message;
    return t.value_or(v1::Task{});
  }
  static std::string last_reason(const v1::Task& t) {
    return t.history().empty() ? std::string() : t.history().rbegin()->reason();
  }
  StaffState state(const std::string& id) {
    auto states = staff->states(kPool, {id});
    EXPECT_TRUE(states.has_value());
    return states ? (*states)[id] : StaffState{Availability::kOffline, -1};
  }
  std::set<std::string> members(const std::string& key) {
    auto reply = redis().command({"SMEMBERS", key});
    EXPECT_TRUE(reply.has_value());
    std::set<std::string> out;
    if (reply) {
      for (const auto& e : reply->elements) out.insert(e.str);
    }
    return out;
  }
  std::set<std::string> offers(const std::string& id) { return members(keys::offers(kPool, id)); }
  std::set<std::string> accepted(const std::string& id) {
    return members(keys::accepted(kPool, id));
  }
  std::set<std::string> excluded(const std::string& task_id) {
    return members(keys::task_excluded(kPool, task_id));
  }
  std::vector<std::string> waiting() {
    return tasks->waiting(kPool, 100).value_or(std::vector<std::string>{"?"});
  }
  // The member's score in a sorted set (ms); nullopt when absent.
  std::optional<int64_t> score(const std::string& key, const std::string& member) {
    auto reply = redis().command({"ZSCORE", key, member});
    EXPECT_TRUE(reply.has_value());
    if (!reply || reply->is_nil()) return std::nullopt;
    return std::stoll(reply->str);
  }
  void accept(const std::string& id, const std::string& task_id) {
    auto accepted_task = tasks->accept(kPool, id, task_id);
    ASSERT_TRUE(accepted_task.has_value()) << accepted_task.error().message;
  }
  PresenceStore::SweepResult sweep() {
    auto swept = presence->sweep(kPool, settings, 100);
    EXPECT_TRUE(swept.has_value()) << swept.error().message;
    return swept.value_or(PresenceStore::SweepResult{});
  }

  ManualClock clock{std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000))};
  PoolSettings settings;
  std::unique_ptr<StaffStore> staff;
  std::unique_ptr<TaskStore> tasks;
  std::unique_ptr<PresenceStore> presence;
  std::unique_ptr<PoolStore> pools;
};

// --- expire_offer.lua ---

TEST_F(LifecycleStoreTest, AnOfferIsDueOnlyAtItsTimeoutThenWaitsWithTheHolderExcluded) {
  add_staff("ana");
  const std::string t = route({.to = "ana", .timeout = 120s});

  clock.advance(119s);
  EXPECT_EQ(*tasks->expire_due_offers(kPool, 10), 0u) << "not due yet";
  EXPECT_EQ(task(t).status(), v1::TASK_STATUS_OFFERED);
  EXPECT_EQ(state("ana").load, 1);

  clock.advance(2s);
  EXPECT_EQ(*tasks->expire_due_offers(kPool, 10), 1u);
  const v1::Task moved = task(t);
  EXPECT_EQ(moved.status(), v1::TASK_STATUS_WAITING);
  EXPECT_EQ(moved.staff_id(), "");
  EXPECT_EQ(moved.history().rbegin()->status(), v1::TASK_STATUS_WAITING);
  EXPECT_EQ(last_reason(moved), "offer to ana timed out");
  EXPECT_EQ(state("ana").load, 0) << "the timed-out holder's capacity is released";
  EXPECT_TRUE(offers("ana").empty());
  EXPECT_EQ(excluded(t), std::set<std::string>{"ana"}) << "never offered to ana again";
  EXPECT_EQ(waiting(), std::vector<std::string>{t});
  EXPECT_FALSE(score(keys::offer_expiry(kPool), t)) << "expired once";
  EXPECT_EQ(*tasks->expire_due_offers(kPool, 10), 0u);
}

TEST_F(LifecycleStoreTest, AStaleExpiryOfAnOfferAlreadyAcceptedIsForgottenAndChangesNothing) {
  add_staff("ana");
  const std::string t = route({.to = "ana", .timeout = 120s});
  accept("ana", t);
  // As if the accept had raced the sweep: the expiry entry is still there.
  ASSERT_TRUE(redis().command({"ZADD", keys::offer_expiry(kPool), "0", t}).has_value());

  clock.advance(121s);
  EXPECT_EQ(*tasks->expire_due_offers(kPool, 10), 0u) << "MOVED: not expired";
  EXPECT_EQ(task(t).status(), v1::TASK_STATUS_ACCEPTED);
  EXPECT_EQ(state("ana").load, 1);
  EXPECT_EQ(accepted("ana"), std::set<std::string>{t});
  EXPECT_TRUE(excluded(t).empty());
  EXPECT_FALSE(score(keys::offer_expiry(kPool), t)) << "the stale entry is forgotten";
}

// --- pass_deadline.lua ---

TEST_F(LifecycleStoreTest, AtItsDeadlineWaitingWorkThatAskedForItExpiresAndLeavesTheQueue) {
  const std::string t = route({.deadline = 3600s, .expire_at_deadline = true});
  const std::string other = route({.deadline = 7200s, .expire_at_deadline = true});
  ASSERT_EQ(waiting().size(), 2u);

  clock.advance(3599s);
  EXPECT_EQ(*tasks->pass_deadlines(kPool, 10), 0u) << "not due yet";
  EXPECT_EQ(task(t).status(), v1::TASK_STATUS_WAITING);

  clock.advance(2s);
  EXPECT_EQ(*tasks->pass_deadlines(kPool, 10), 1u);
  const v1::Task expired = task(t);
  EXPECT_EQ(expired.status(), v1::TASK_STATUS_EXPIRED);
  EXPECT_TRUE(expired.overdue());
  EXPECT_EQ(last_reason(expired), "the deadline passed");
  EXPECT_EQ(waiting(), std::vector<std::string>{other}) << "an expired task leaves the queue";
  EXPECT_EQ(task(other).status(), v1::TASK_STATUS_WAITING) << "its deadline has not passed";
  EXPECT_FALSE(score(keys::deadlines(kPool), t));
  EXPECT_EQ(*tasks->pass_deadlines(kPool, 10), 0u) << "passed once";
}

TEST_F(LifecycleStoreTest, AnOfferPastADeadlineThatExpiresIsWithdrawnFromItsHolder) {
  add_staff("ana");
  const std::string t =
      route({.to = "ana", .timeout = 86400s, .deadline = 3600s, .expire_at_deadline = true});
  clock.advance(3601s);
  EXPECT_EQ(*tasks->pass_deadlines(kPool, 10), 1u);
  EXPECT_EQ(task(t).status(), v1::TASK_STATUS_EXPIRED);
  EXPECT_EQ(state("ana").load, 0);
  EXPECT_TRUE(offers("ana").empty());
  EXPECT_FALSE(score(keys::offer_expiry(kPool), t)) << "no offer left to time out";
  EXPECT_TRUE(waiting().empty());
}

TEST_F(LifecycleStoreTest, AcceptedWorkPastItsDeadlineIsMarkedOverdueButKept) {
  add_staff("ana");
  const std::string t = route({.to = "ana", .timeout = 86400s, .deadline = 3600s});
  accept("ana", t);

  clock.advance(3601s);
  EXPECT_EQ(*tasks->pass_deadlines(kPool, 10), 1u);
  const v1::Task overdue = task(t);
  EXPECT_TRUE(overdue.overdue());
  EXPECT_EQ(overdue.status(), v1::TASK_STATUS_ACCEPTED);
  EXPECT_EQ(overdue.staff_id(), "ana");
  EXPECT_EQ(last_reason(overdue), "overdue: the deadline passed");
  EXPECT_EQ(state("ana").load, 1);
  EXPECT_EQ(accepted("ana"), std::set<std::string>{t});
  EXPECT_EQ(*tasks->pass_deadlines(kPool, 10), 0u) << "marked once";

  auto done = tasks->complete(kPool, "ana", t, "responsive", "");
  ASSERT_TRUE(done.has_value()) << done.error().message;
  EXPECT_EQ(done->status(), v1::TASK_STATUS_COMPLETED);
  EXPECT_EQ(state("ana").load, 0);
}

TEST_F(LifecycleStoreTest, ADeadlineOfFinishedWorkIsForgottenWithoutAStep) {
  add_staff("ana");
  const std::string t = route({.to = "ana", .deadline = 3600s, .expire_at_deadline = true});
  accept("ana", t);
  ASSERT_TRUE(tasks->complete(kPool, "ana", t, "responsive", "").has_value());
  const int steps = task(t).history_size();

  clock.advance(3601s);
  EXPECT_EQ(*tasks->pass_deadlines(kPool, 10), 0u) << "DONE: not counted";
  EXPECT_EQ(task(t).status(), v1::TASK_STATUS_COMPLETED);
  EXPECT_FALSE(task(t).overdue());
  EXPECT_EQ(task(t).history_size(), steps);
  EXPECT_FALSE(score(keys::deadlines(kPool), t));
}

// --- take_back_work.lua ---

TEST_F(LifecycleStoreTest, TakingBackAnOpenOfferReleasesTheHolderWithoutExcludingThem) {
  add_staff("ana");
  const std::string t = route({.to = "ana"});
  auto moved =
      tasks->take_back_work(kPool, "ana", t, v1::TASK_STATUS_OFFERED, "ana is away", std::nullopt);
  ASSERT_TRUE(moved.has_value()) << moved.error().message;
  EXPECT_TRUE(*moved);
  const v1::Task back = task(t);
  EXPECT_EQ(back.status(), v1::TASK_STATUS_WAITING);
  EXPECT_EQ(back.staff_id(), "");
  EXPECT_EQ(last_reason(back), "ana is away");
  EXPECT_EQ(state("ana").load, 0);
  EXPECT_TRUE(offers("ana").empty());
  EXPECT_TRUE(excluded(t).empty()) << "ana did not decline it";
  EXPECT_EQ(waiting(), std::vector<std::string>{t});
  EXPECT_FALSE(score(keys::offer_expiry(kPool), t));

  // MOVED: no longer ana's offer.
  EXPECT_FALSE(
      *tasks->take_back_work(kPool, "ana", t, v1::TASK_STATUS_OFFERED, "again", std::nullopt));
  EXPECT_EQ(last_reason(task(t)), "ana is away");
}

TEST_F(LifecycleStoreTest, WorkInAnotherStatusThanExpectedIsNotTakenBack) {
  add_staff("ana");
  const std::string t = route({.to = "ana"});
  accept("ana", t);
  EXPECT_FALSE(
      *tasks->take_back_work(kPool, "ana", t, v1::TASK_STATUS_OFFERED, "ana is away", std::nullopt))
      << "accepted work is not an open offer";
  EXPECT_EQ(task(t).status(), v1::TASK_STATUS_ACCEPTED);
  EXPECT_EQ(state("ana").load, 1);
  EXPECT_EQ(accepted("ana"), std::set<std::string>{t});
}

// --- lapse_presence.lua, through the presence sweep ---

TEST_F(LifecycleStoreTest, SilentStaffGoOfflineAndTheirOpenOffersMoveAtOnce) {
  add_staff("ana");
  add_staff("raj");
  const std::string t = route({.to = "ana", .timeout = 3600s});

  clock.advance(30s);
  ASSERT_TRUE(presence->heartbeat(kPool, "raj").has_value());
  clock.advance(29s);
  EXPECT_EQ(sweep().went_offline, 0u) << "ana silent for 59 s: within the limit";
  EXPECT_EQ(state("ana").availability, Availability::kAvailable);

  clock.advance(2s);  // ana silent for 61 s, past the 60 s limit; raj for 31 s
  const auto swept = sweep();
  EXPECT_EQ(swept.went_offline, 1u);
  EXPECT_EQ(swept.offers_moved, 1u);
  EXPECT_EQ(swept.accepted_moved, 0u);
  EXPECT_EQ(state("ana").availability, Availability::kOffline);
  EXPECT_EQ(state("raj").availability, Availability::kAvailable);
  const v1::Task moved = task(t);
  EXPECT_EQ(moved.status(), v1::TASK_STATUS_WAITING) << "long before its own 3600 s timeout";
  EXPECT_EQ(last_reason(moved), "ana went offline: no heartbeat for 60 s");
  EXPECT_EQ(state("ana").load, 0);
  EXPECT_TRUE(offers("ana").empty());
  EXPECT_EQ(waiting(), std::vector<std::string>{t});
  EXPECT_FALSE(score(keys::presence(kPool), "ana")) << "offline: no longer watched";
  EXPECT_FALSE(score(keys::lapsed(kPool), "ana")) << "no accepted work to wait for";
  EXPECT_EQ(sweep().went_offline, 0u) << "once";

  // Back again, the app learns it was taken offline and how often to heartbeat.
  auto back = presence->heartbeat(kPool, "ana");
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->availability, Availability::kOffline);
  EXPECT_EQ(back->interval_seconds, 15);
}

TEST_F(LifecycleStoreTest, AcceptedWorkOfSilentStaffMovesOnlyAfterTheGracePeriod) {
  add_staff("ana");
  const std::string t = route({.to = "ana", .timeout = 3600s});
  accept("ana", t);

  clock.advance(61s);
  auto swept = sweep();
  EXPECT_EQ(swept.went_offline, 1u);
  EXPECT_EQ(swept.accepted_moved, 0u);
  EXPECT_EQ(state("ana").availability, Availability::kOffline);
  EXPECT_EQ(*presence->lapsed_count(kPool), 1);
  EXPECT_EQ(score(keys::lapsed(kPool), "ana"), clock.now_ms() - 61'000)
      << "scored by when ana was last heard from";

  clock.advance(298s);  // t=359: within 60 s + 300 s of grace
  EXPECT_EQ(sweep().accepted_moved, 0u);
  const v1::Task kept = task(t);
  EXPECT_EQ(kept.status(), v1::TASK_STATUS_ACCEPTED) << "accepted work waits out the grace period";
  EXPECT_EQ(kept.staff_id(), "ana");

  clock.advance(2s);  // t=361
  EXPECT_EQ(sweep().accepted_moved, 1u);
  const v1::Task moved = task(t);
  EXPECT_EQ(moved.status(), v1::TASK_STATUS_WAITING);
  EXPECT_EQ(last_reason(moved), "ana offline for longer than the 300 s grace period");
  EXPECT_EQ(state("ana").load, 0);
  EXPECT_TRUE(accepted("ana").empty());
  EXPECT_EQ(waiting(), std::vector<std::string>{t});
  EXPECT_EQ(*presence->lapsed_count(kPool), 0) << "nothing left to hand on";
}

TEST_F(LifecycleStoreTest, StaffHeardFromAgainWithinTheGracePeriodKeepTheirAcceptedWork) {
  add_staff("ana");
  const std::string t = route({.to = "ana", .timeout = 3600s});
  accept("ana", t);
  const int64_t start_ms = clock.now_ms();

  clock.advance(61s);
  ASSERT_EQ(sweep().went_offline, 1u);
  // ana's connection comes back at t=100 and her app heartbeats from then on.
  clock.advance(39s);
  auto back = presence->heartbeat(kPool, "ana");
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->availability, Availability::kOffline) << "a heartbeat never signs anyone in";
  EXPECT_EQ(*presence->lapsed_count(kPool), 0) << "heard from: the grace period ends";
  EXPECT_EQ(score(keys::presence(kPool), "ana"), clock.now_ms())
      << "holding accepted work keeps her under presence, though offline";
  // Taking her work back with the cutoff of a sweep that read her as lapsed: BACK, unchanged.
  EXPECT_FALSE(
      *tasks->take_back_work(kPool, "ana", t, v1::TASK_STATUS_ACCEPTED, "gone", start_ms + 1));

  for (int step = 0; step < 6; ++step) {  // to t=400, past where the grace period would end
    clock.advance(50s);
    ASSERT_TRUE(presence->heartbeat(kPool, "ana").has_value());
    const auto swept = sweep();
    EXPECT_EQ(swept.went_offline, 0u) << step;
    EXPECT_EQ(swept.accepted_moved, 0u) << step;
  }
  const v1::Task kept = task(t);
  EXPECT_EQ(kept.status(), v1::TASK_STATUS_ACCEPTED);
  EXPECT_EQ(kept.staff_id(), "ana");
  EXPECT_EQ(state("ana").load, 1);
  auto done = tasks->complete(kPool, "ana", t, "responsive", "");
  ASSERT_TRUE(done.has_value()) << done.error().message;
  EXPECT_EQ(done->status(), v1::TASK_STATUS_COMPLETED);
}

// --- what a sweep cannot stage: the state changing between its read and the script ---

TEST_F(LifecycleStoreTest, ScriptsRunAfterTheStateMovedSinceTheSweepReadItChangeNothing) {
  add_staff("ana");
  const std::string t =
      route({.to = "ana", .timeout = 120s, .deadline = 3600s, .expire_at_deadline = true});
  const std::optional<int64_t> due = score(keys::offer_expiry(kPool), t);
  ASSERT_TRUE(due);

  // An offer answered and made again meanwhile: no longer due.
  auto expiry = script_calls::eval(
      redis(), script_calls::ExpireOffer{
                   .pool = kPool, .task_id = t, .holder = "ana", .now_ms = clock.now_ms()});
  ASSERT_TRUE(expiry.has_value()) << expiry.error().message;
  EXPECT_EQ(parse_reply<ExpireOfferReply>(*expiry), ExpireOfferReply::kNotDue);
  EXPECT_EQ(score(keys::offer_expiry(kPool), t), due) << "still watched, at the same time";
  EXPECT_EQ(task(t).status(), v1::TASK_STATUS_OFFERED);

  // A holder read before the task was offered: RETRY, naming the holder now.
  clock.advance(3601s);
  auto deadline = script_calls::eval(
      redis(), script_calls::PassDeadline{.pool = kPool, .task_id = t, .now_ms = clock.now_ms()});
  ASSERT_TRUE(deadline.has_value()) << deadline.error().message;
  EXPECT_EQ(parse_reply<PassDeadlineReply>(*deadline), PassDeadlineReply::kRetry);
  EXPECT_EQ(reply_word(*deadline, 1), "ana");
  EXPECT_EQ(task(t).status(), v1::TASK_STATUS_OFFERED);
  EXPECT_EQ(state("ana").load, 1);
  EXPECT_TRUE(score(keys::deadlines(kPool), t)) << "still due";

  // Heard from since the sweep's cutoff: BACK, still signed in.
  ASSERT_TRUE(presence->heartbeat(kPool, "ana").has_value());
  auto lapse = script_calls::eval(
      redis(),
      script_calls::LapsePresence{.pool = kPool, .staff = "ana", .cutoff_ms = clock.now_ms() - 1});
  ASSERT_TRUE(lapse.has_value()) << lapse.error().message;
  EXPECT_EQ(parse_reply<LapsePresenceReply>(*lapse), LapsePresenceReply::kBack);
  EXPECT_EQ(state("ana").availability, Availability::kAvailable);
  EXPECT_EQ(score(keys::presence(kPool), "ana"), clock.now_ms());

  // The store's own pass reads the holder and expires the task.
  EXPECT_EQ(*tasks->pass_deadlines(kPool, 10), 1u);
  EXPECT_EQ(task(t).status(), v1::TASK_STATUS_EXPIRED);
  EXPECT_EQ(state("ana").load, 0);
}

// --- heartbeat.lua ---

TEST_F(LifecycleStoreTest, HeartbeatsKeepSignedInStaffPresentAndAnswerEachWithTheirInterval) {
  add_staff("ana");
  v1::Staff ben;
  ben.set_id("ben");
  ben.set_pool(kPool);
  ben.set_capacity(1);
  ASSERT_TRUE(staff->upsert(ben).has_value());  // never signed in

  clock.advance(40s);
  auto answers = presence->heartbeats({{kPool, "ana"}, {kPool, "ben"}});
  ASSERT_TRUE(answers.has_value()) << answers.error().message;
  ASSERT_EQ(answers->size(), 2u);
  ASSERT_TRUE((*answers)[0].has_value() && (*answers)[1].has_value());
  EXPECT_EQ((*answers)[0]->availability, Availability::kAvailable);
  EXPECT_EQ((*answers)[1]->availability, Availability::kOffline);
  EXPECT_EQ((*answers)[0]->interval_seconds, 15) << "four chances within the 60 s timeout";
  EXPECT_EQ(score(keys::presence(kPool), "ana"), clock.now_ms()) << "last heard from now";
  EXPECT_FALSE(score(keys::presence(kPool), "ben")) << "offline with nothing in hand: not watched";
  EXPECT_EQ(state("ben").availability, Availability::kOffline);

  PoolSettingsChange longer;
  longer.presence_timeout_seconds = 120;
  ASSERT_TRUE(staff->update_settings(kPool, longer).has_value());
  EXPECT_EQ(presence->heartbeat(kPool, "ana")->interval_seconds, 30);
}

// --- set_availability.lua ---

TEST_F(LifecycleStoreTest, TakingABreakSendsOpenOffersBackAtOnceAndStaysUnderPresence) {
  add_staff("ana");
  const std::string t = route({.to = "ana", .timeout = 3600s});
  clock.advance(5s);
  ASSERT_TRUE(presence->set_availability(kPool, "ana", Availability::kOnBreak).has_value());
  const v1::Task moved = task(t);
  EXPECT_EQ(moved.status(), v1::TASK_STATUS_WAITING);
  EXPECT_EQ(last_reason(moved), "ana went on a break");
  EXPECT_EQ(state("ana").availability, Availability::kOnBreak);
  EXPECT_EQ(state("ana").load, 0);
  EXPECT_TRUE(offers("ana").empty());
  EXPECT_TRUE(excluded(t).empty()) << "a break is not a refusal";
  EXPECT_EQ(waiting(), std::vector<std::string>{t});
  EXPECT_EQ(score(keys::presence(kPool), "ana"), clock.now_ms());
}

TEST_F(LifecycleStoreTest, SigningOutLeavesPresenceUnlessHoldingAcceptedWork) {
  add_staff("ana");
  add_staff("raj");
  const std::string offered = route({.to = "ana", .timeout = 3600s});
  const std::string held = route({.to = "raj", .timeout = 3600s});
  accept("raj", held);

  ASSERT_TRUE(presence->set_availability(kPool, "ana", Availability::kOffline).has_value());
  EXPECT_EQ(last_reason(task(offered)), "ana signed out");
  EXPECT_EQ(task(offered).status(), v1::TASK_STATUS_WAITING);
  EXPECT_FALSE(score(keys::presence(kPool), "ana"));

  ASSERT_TRUE(presence->set_availability(kPool, "raj", Availability::kOffline).has_value());
  EXPECT_EQ(state("raj").availability, Availability::kOffline);
  EXPECT_EQ(task(held).status(), v1::TASK_STATUS_ACCEPTED) << "accepted work stays to finish";
  EXPECT_EQ(score(keys::presence(kPool), "raj"), clock.now_ms())
      << "silence with accepted work in hand still counts";
}

TEST_F(LifecycleStoreTest, SigningInEndsAGracePeriodAndAnswersACallIn) {
  add_staff("ana");
  const std::string t = route({.to = "ana", .timeout = 3600s});
  accept("ana", t);
  clock.advance(61s);
  ASSERT_EQ(sweep().went_offline, 1u);
  ASSERT_EQ(*presence->lapsed_count(kPool), 1);

  v1::PoolScaling scaling;
  scaling.set_max_active(5);
  scaling.add_bench_staff("ana");
  ASSERT_TRUE(pools->set_scaling(kPool, scaling).has_value());
  ASSERT_TRUE(*pools->call_in(kPool, "ana", "apex", "backlog"));
  EXPECT_EQ(pools->unanswered_call_ins(kPool)->count("ana"), 1u);

  clock.advance(10s);
  ASSERT_TRUE(presence->set_availability(kPool, "ana", Availability::kAvailable).has_value());
  EXPECT_EQ(*presence->lapsed_count(kPool), 0);
  EXPECT_EQ(score(keys::presence(kPool), "ana"), clock.now_ms());
  EXPECT_TRUE(pools->unanswered_call_ins(kPool)->empty()) << "she answered the call-in";
  EXPECT_EQ(state("ana").availability, Availability::kAvailable);
}

// --- call_in.lua ---

TEST_F(LifecycleStoreTest, ReleasingACalledInMemberSendsTheirOpenOffersBackButKeepsAcceptedWork) {
  v1::PoolScaling scaling;
  scaling.set_max_active(5);
  scaling.add_bench_staff("ana");
  ASSERT_TRUE(pools->set_scaling(kPool, scaling).has_value());
  v1::Staff ana;
  ana.set_id("ana");
  ana.set_pool(kPool);
  ana.set_capacity(2);
  ASSERT_TRUE(staff->upsert(ana).has_value());
  ASSERT_TRUE(presence->set_availability(kPool, "ana", Availability::kAvailable).has_value());
  EXPECT_EQ(state("ana").availability, Availability::kOffline) << "on the bench: not routed to";

  clock.advance(1s);
  ASSERT_TRUE(*pools->call_in(kPool, "ana", "apex", "backlog"));
  EXPECT_EQ(*pools->last_call_in(kPool), absl::FromChrono(clock.now()));
  EXPECT_EQ(state("ana").availability, Availability::kAvailable);
  const std::string held = route({.to = "ana", .timeout = 3600s});
  const std::string offered = route({.to = "ana", .timeout = 3600s});
  accept("ana", held);

  ASSERT_TRUE(*pools->release(kPool, "ana", "apex", "drained"));
  EXPECT_EQ(pools->bench(kPool)->at("ana"), "BENCH");
  EXPECT_EQ(task(offered).status(), v1::TASK_STATUS_WAITING);
  EXPECT_EQ(last_reason(task(offered)), "ana was released by the scaler");
  EXPECT_EQ(task(held).status(), v1::TASK_STATUS_ACCEPTED) << "she finishes what she accepted";
  EXPECT_EQ(state("ana").load, 1);
  EXPECT_EQ(state("ana").availability, Availability::kOffline);
  EXPECT_FALSE(*pools->release(kPool, "ana", "apex", "twice")) << "MOVED: already on the bench";
}

}  // namespace
}  // namespace lexroute
