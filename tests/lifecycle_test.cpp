// What happens when an offer is not taken: it times out and moves on, rejections escalate, and
// after the pool's limit the task is unroutable with the reason; staff whose app goes silent go
// offline and their work moves on. Injected clock, no sleeping through timeouts.
// Here, the node's wiring: the router's sweeps run on its clock with the pool's settings, the
// gateway's steps reach the stores, offer streams learn of withdrawals. What each lifecycle
// script leaves (load, offers, queues, history) is checked on a manual clock against a real
// Redis in services/redis/lifecycle_redistest.cpp.
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include "services/redis/redis_client.h"
#include "services/redis/staff_store.h"
#include "tests/support/builders.h"
#include "tests/support/dev_node.h"
#include "tests/support/eventually.h"

namespace lexroute {
namespace {

using namespace std::chrono_literals;
using google::protobuf::util::TimeUtil;
using testing::as;

// One dev node for the suite, on one manual clock that only moves forward; each test has a pool
// of its own, so what one test leaves behind is never routed to another's staff.
class Lifecycle : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir = std::make_unique<testing::TempDir>();
    dev = std::make_unique<testing::DevNode>(testing::DevNode::dev_config(dir->str() + "/data"),
                                             &clock);
    ASSERT_TRUE(dev->started());
    v1::CreateFirmRequest firm;
    firm.set_firm_id("acme");
    v1::CreateFirmResponse created;
    ASSERT_TRUE(dev->admin()->CreateFirm(as(dev->admin_key()).get(), firm, &created).ok());
    key = created.api_key();
  }

  static void TearDownTestSuite() { dev.reset(); }

  void SetUp() override {
    ASSERT_TRUE(dev && dev->started() && !key.empty()) << "the suite's dev node did not start";
    pool = "lifecycle-" + std::to_string(++tests_started);
    auto endpoint = RedisEndpoint::parse(dev->node().redis_address());
    ASSERT_TRUE(endpoint.has_value());
    redis = std::make_unique<RedisClient>(RedisClient::Options{*endpoint, 1, 2000ms});
    staff_store = std::make_unique<StaffStore>(*redis);
    // Most tests here move the clock by minutes or hours without heartbeats; presence has its
    // own tests below, which set the default back.
    configure_presence(604800, 900);
  }

  void configure_presence(int timeout_s, int grace_s) {
    v1::ConfigurePoolRequest cfg;
    cfg.set_pool(pool);
    cfg.set_presence_timeout_seconds(timeout_s);
    cfg.mutable_accepted_grace_seconds()->set_value(grace_s);
    v1::ConfigurePoolResponse resp;
    auto st = dev->admin()->ConfigurePool(as(dev->admin_key()).get(), cfg, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }

  v1::HeartbeatResponse heartbeat(const std::string& token) {
    v1::HeartbeatResponse resp;
    auto st = dev->gateway()->Heartbeat(as(token).get(), v1::HeartbeatRequest{}, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return resp;
  }

  void accept(const std::string& token, const std::string& task) {
    v1::OfferActionRequest r;
    r.set_task_id(task);
    v1::OfferActionResponse resp;
    auto st = dev->gateway()->AcceptOffer(as(token).get(), r, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }

  // As the router sees the member: -1 / kOffline when Redis cannot be read.
  StaffState state_of(const std::string& staff) {
    auto states = staff_store->states(pool, {staff});
    if (!states) return {Availability::kOffline, -1};
    auto it = states->find(staff);
    return it == states->end() ? StaffState{} : it->second;
  }
  Availability availability_of(const std::string& staff) { return state_of(staff).availability; }

  std::string add_staff(const std::string& id) {
    v1::UpsertStaffResponse resp;
    EXPECT_TRUE(dev->admin()
                    ->UpsertStaff(as(dev->admin_key()).get(),
                                  testing::reviewer({.id = id, .capacity = 1, .pool = pool}), &resp)
                    .ok());
    EXPECT_NO_FATAL_FAILURE(testing::set_available(*dev->gateway(), resp.staff_token()));
    return resp.staff_token();
  }

  std::string submit(int deadline_s = 86400, bool expire = false, int offer_timeout_s = 0) {
    v1::SubmitTaskRequest r;
    auto* s = r.mutable_spec();
    s->set_matter_id("m-1");
    s->set_pool(pool);
    s->set_kind(v1::TASK_KIND_DOCUMENT_REVIEW);
    auto* sk = s->add_required_skills();
    sk->set_skill("doc-review");
    sk->set_min_proficiency(2);
    s->mutable_deadline()->set_seconds(clock.now_ms() / 1000 + deadline_s);
    s->set_expire_at_deadline(expire);
    s->set_offer_timeout_seconds(offer_timeout_s);
    s->set_effort_minutes(30);
    s->set_payload_ref("https://dms.acme.example/m-1/doc/1");
    v1::SubmitTaskResponse resp;
    EXPECT_TRUE(dev->intake()->SubmitTask(as(key).get(), r, &resp).ok());
    return resp.task_id();
  }

  v1::Task wait_until(const std::string& id, const std::function<bool(const v1::Task&)>& done) {
    v1::Task t;
    testing::eventually([&] {
      v1::GetTaskRequest r;
      r.set_task_id(id);
      return dev->intake()->GetTask(as(key).get(), r, &t).ok() && done(t);
    });
    return t;
  }

  int load_of(const std::string& staff) { return state_of(staff).load; }

  void reject(const std::string& token, const std::string& task) {
    v1::OfferActionRequest r;
    r.set_task_id(task);
    r.set_reason("conflict check pending");
    v1::OfferActionResponse resp;
    auto st = dev->gateway()->RejectOffer(as(token).get(), r, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }

  static inline ManualClock clock{
      std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000))};
  static inline std::unique_ptr<testing::TempDir> dir;
  static inline std::unique_ptr<testing::DevNode> dev;
  static inline std::string key;
  static inline int tests_started = 0;
  std::string pool;
  std::unique_ptr<RedisClient> redis;
  std::unique_ptr<StaffStore> staff_store;
};

TEST_F(Lifecycle, AnUnansweredOfferTimesOutAndGoesToSomeoneElse) {
  std::string ana = add_staff("ana");
  add_staff("raj");
  auto gateway = dev->gateway();
  testing::OfferStream ana_offers(*gateway, ana);
  std::string task = submit();
  auto first = wait_until(task, [](auto& t) { return t.status() == v1::TASK_STATUS_OFFERED; });
  ASSERT_EQ(first.status(), v1::TASK_STATUS_OFFERED);
  std::string first_holder = first.staff_id();
  std::string other = first_holder == "ana" ? "raj" : "ana";
  EXPECT_EQ(load_of(first_holder), 1);

  clock.advance(119s);
  ASSERT_TRUE(dev->router_made_passes());  // not due yet
  EXPECT_EQ(wait_until(task, [](auto&) { return true; }).staff_id(), first_holder);

  clock.advance(2s);  // 121 s after the offer: past the default 120 s
  auto moved = wait_until(task, [&](auto& t) {
    return t.status() == v1::TASK_STATUS_OFFERED && t.staff_id() == other;
  });
  ASSERT_EQ(moved.status(), v1::TASK_STATUS_OFFERED);
  EXPECT_EQ(moved.staff_id(), other);
  if (first_holder == "ana") {
    bool withdrawn = false;
    for (int i = 0; i < 5 && !withdrawn; ++i) {
      auto e = ana_offers.next(2s);
      withdrawn = e && e->withdrawn_task_id() == task;
    }
    EXPECT_TRUE(withdrawn) << "ana's stream must learn the offer is gone";
  }
}

TEST_F(Lifecycle, AfterThePoolsLimitOfOffersTheTaskIsUnroutableWithTheReason) {
  v1::ConfigurePoolRequest cfg;
  cfg.set_pool(pool);
  cfg.set_max_offer_attempts(2);
  v1::ConfigurePoolResponse cfg_resp;
  ASSERT_TRUE(dev->admin()->ConfigurePool(as(dev->admin_key()).get(), cfg, &cfg_resp).ok());
  EXPECT_EQ(cfg_resp.max_offer_attempts(), 2);
  EXPECT_EQ(cfg_resp.offer_timeout_seconds(), 120);
  std::map<std::string, std::string> tokens = {
      {"ana", add_staff("ana")}, {"ben", add_staff("ben")}, {"cy", add_staff("cy")}};

  std::string task = submit();
  std::set<std::string> declined;
  for (int round = 0; round < 2; ++round) {
    auto t = wait_until(task, [&](auto& x) {
      return x.status() == v1::TASK_STATUS_OFFERED && !declined.contains(x.staff_id());
    });
    ASSERT_EQ(t.status(), v1::TASK_STATUS_OFFERED) << "round " << round;
    declined.insert(t.staff_id());
    reject(tokens[t.staff_id()], task);
  }
  auto t = wait_until(task, [](auto& x) { return x.status() == v1::TASK_STATUS_UNROUTABLE; });
  ASSERT_EQ(t.status(), v1::TASK_STATUS_UNROUTABLE) << "one qualified person was never asked, "
                                                       "but the pool allows two offers";
  EXPECT_EQ(t.history().rbegin()->reason(),
            "offered 2 times; every offer was declined or timed out");
  for (const auto& [id, token] : tokens) EXPECT_EQ(load_of(id), 0) << id;
}

TEST_F(Lifecycle, AtItsDeadlineWaitingWorkThatAskedForItExpires) {
  add_staff("ana");
  // ana's only slot goes to a long offer, so the next task has to wait.
  std::string holding = submit(86400, false, 86400);
  ASSERT_EQ(
      wait_until(holding, [](auto& t) { return t.status() == v1::TASK_STATUS_OFFERED; }).status(),
      v1::TASK_STATUS_OFFERED);
  std::string task = submit(3600, /*expire=*/true);
  ASSERT_EQ(
      wait_until(task, [](auto& t) { return t.status() == v1::TASK_STATUS_WAITING; }).status(),
      v1::TASK_STATUS_WAITING);

  clock.advance(3601s);
  auto t = wait_until(task, [](auto& x) { return x.status() == v1::TASK_STATUS_EXPIRED; });
  ASSERT_EQ(t.status(), v1::TASK_STATUS_EXPIRED);
  EXPECT_TRUE(t.overdue());
  EXPECT_EQ(wait_until(holding, [](auto&) { return true; }).status(), v1::TASK_STATUS_OFFERED)
      << "the other task's deadline has not passed";
}

TEST_F(Lifecycle, BadPoolSettingsAreRefusedAndChangeNothing) {
  v1::ConfigurePoolRequest cfg;
  cfg.set_pool(pool);
  cfg.set_offer_timeout_seconds(5);
  v1::ConfigurePoolResponse resp;
  auto st = dev->admin()->ConfigurePool(as(dev->admin_key()).get(), cfg, &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(st.error_message().find("offer_timeout_seconds"), std::string::npos);
  cfg.set_offer_timeout_seconds(0);
  ASSERT_TRUE(dev->admin()->ConfigurePool(as(dev->admin_key()).get(), cfg, &resp).ok());
  EXPECT_EQ(resp.offer_timeout_seconds(), 120);
}

TEST_F(Lifecycle, SilentStaffGoOfflineAndTheirOpenOffersMoveAtOnce) {
  configure_presence(60, 900);
  std::map<std::string, std::string> tokens = {{"ana", add_staff("ana")},
                                               {"raj", add_staff("raj")}};
  std::string task = submit(86400, false, /*offer timeout*/ 3600);
  auto first = wait_until(task, [](auto& t) { return t.status() == v1::TASK_STATUS_OFFERED; });
  ASSERT_EQ(first.status(), v1::TASK_STATUS_OFFERED);
  std::string silent = first.staff_id();
  std::string other = silent == "ana" ? "raj" : "ana";
  testing::OfferStream silent_offers(*dev->gateway(), tokens[silent]);

  clock.advance(30s);
  EXPECT_EQ(heartbeat(tokens[other]).availability(), v1::AVAILABILITY_AVAILABLE);
  clock.advance(31s);  // the holder silent for 61 s, past the 60 s limit; the other for 31 s
  auto moved = wait_until(task, [&](auto& t) {
    return t.status() == v1::TASK_STATUS_OFFERED && t.staff_id() == other;
  });
  ASSERT_EQ(moved.staff_id(), other) << "the offer moves long before its own 3600 s timeout";
  bool withdrawn = false;
  for (int i = 0; i < 5 && !withdrawn; ++i) {
    auto e = silent_offers.next(2s);
    withdrawn = e && e->withdrawn_task_id() == task;
  }
  EXPECT_TRUE(withdrawn) << "the silent holder's app learns the offer is gone when it is back";

  // Back again, the app learns it was taken offline and how often to heartbeat.
  auto back = heartbeat(tokens[silent]);
  EXPECT_EQ(back.availability(), v1::AVAILABILITY_OFFLINE);
  EXPECT_EQ(back.interval_seconds(), 15);
}

TEST_F(Lifecycle, AcceptedWorkOfSilentStaffMovesOnlyAfterTheGracePeriod) {
  configure_presence(60, 300);
  std::string ana = add_staff("ana");
  std::string task = submit(86400, false, 3600);
  ASSERT_EQ(
      wait_until(task, [](auto& t) { return t.status() == v1::TASK_STATUS_OFFERED; }).staff_id(),
      "ana");
  accept(ana, task);
  std::string ben = add_staff("ben");

  // ana's app stops at t=0; ben's keeps going. Steps under a minute keep ben present.
  clock.advance(30s);
  heartbeat(ben);
  clock.advance(31s);
  heartbeat(ben);
  testing::eventually([&] { return availability_of("ana") == Availability::kOffline; }, 3s);
  ASSERT_EQ(availability_of("ana"), Availability::kOffline) << "silent for 61 s";
  for (int step = 0; step < 6; ++step) {  // to t=355: within 60 s + 300 s of grace
    clock.advance(step == 5 ? 44s : 50s);
    heartbeat(ben);
  }
  ASSERT_TRUE(dev->router_made_passes());
  auto kept = wait_until(task, [](auto&) { return true; });
  EXPECT_EQ(kept.status(), v1::TASK_STATUS_ACCEPTED);
  EXPECT_EQ(kept.staff_id(), "ana") << "accepted work waits out the grace period";

  clock.advance(6s);  // t=361
  auto moved = wait_until(
      task, [](auto& t) { return t.status() == v1::TASK_STATUS_OFFERED && t.staff_id() == "ben"; });
  ASSERT_EQ(moved.staff_id(), "ben");
}

TEST_F(Lifecycle, TakingABreakSendsOpenOffersToSomeoneElseAtOnce) {
  std::map<std::string, std::string> tokens = {{"ana", add_staff("ana")},
                                               {"raj", add_staff("raj")}};
  std::string task = submit(86400, false, 3600);
  auto first = wait_until(task, [](auto& t) { return t.status() == v1::TASK_STATUS_OFFERED; });
  ASSERT_EQ(first.status(), v1::TASK_STATUS_OFFERED);
  std::string away = first.staff_id();
  std::string other = away == "ana" ? "raj" : "ana";
  v1::SetAvailabilityRequest req;
  req.set_availability(v1::AVAILABILITY_ON_BREAK);
  v1::SetAvailabilityResponse resp;
  ASSERT_TRUE(dev->gateway()->SetAvailability(as(tokens[away]).get(), req, &resp).ok());
  auto moved = wait_until(task, [&](auto& t) { return t.staff_id() == other; });
  EXPECT_EQ(moved.status(), v1::TASK_STATUS_OFFERED);
}

TEST_F(Lifecycle, BadPresenceSettingsAreRefusedWithTheFieldNamed) {
  v1::ConfigurePoolRequest cfg;
  cfg.set_pool(pool);
  cfg.set_presence_timeout_seconds(5);
  v1::ConfigurePoolResponse resp;
  auto st = dev->admin()->ConfigurePool(as(dev->admin_key()).get(), cfg, &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(st.error_message().find("presence_timeout_seconds"), std::string::npos);
  cfg.set_presence_timeout_seconds(0);
  cfg.mutable_accepted_grace_seconds()->set_value(-1);
  st = dev->admin()->ConfigurePool(as(dev->admin_key()).get(), cfg, &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(st.error_message().find("accepted_grace_seconds"), std::string::npos);
  cfg.clear_accepted_grace_seconds();
  ASSERT_TRUE(dev->admin()->ConfigurePool(as(dev->admin_key()).get(), cfg, &resp).ok());
  EXPECT_EQ(resp.presence_timeout_seconds(), 604800) << "unchanged by the refused calls";
  EXPECT_EQ(resp.accepted_grace_seconds(), 900);
}

}  // namespace
}  // namespace lexroute
