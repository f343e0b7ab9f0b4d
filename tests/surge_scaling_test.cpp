// A Friday 17:00 New York surge: 5,000 documents for first-level review due Monday 09:00, a pool
// of 4 regular New York staff (weekdays) and a bench of 20 in Manila, Pune and Belfast, each with
// real weekly shifts. The clock is a ManualClock moved 15 minutes a step; the router, gateway,
// Redis and Kafka are real; the scaler's rounds are driven by the test. Simulated staff sign in
// when they are called in and in working hours, accept their offers, and spend 2 minutes of
// simulated time per document.
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "lexroute/v1/pools.pb.h"
#include "router/roster.h"
#include "services/kafka/consumer.h"
#include "services/kafka/topics.h"
#include "services/redis/pool_store.h"
#include "services/scaler/scaler_service.h"
#include "tests/support/builders.h"
#include "tests/support/dev_node.h"
#include "tests/support/eventually.h"
#include "tests/support/task_statuses.h"

namespace lexroute {
namespace {

using namespace std::chrono_literals;
using google::protobuf::util::TimeUtil;
using testing::as;

constexpr int kDocuments = 5000;
constexpr int kMinutesPerDocument = 2;
constexpr auto kStep = std::chrono::minutes(15);
// Friday 2027-01-15 17:00 in New York (22:00 UTC); due Monday 2027-01-18 09:00 (14:00 UTC).
constexpr int64_t kFridayFivePm = 1'800'050'400;
constexpr int64_t kMondayNineAm = kFridayFivePm + 64 * 3600;

struct SimStaff {
  std::string id;
  std::string token;
  StaffProfile profile;
  bool bench = false;
  bool signed_in = false;
};

class SurgeScaling : public ::testing::Test {
 protected:
  void SetUp() override {
    Config config = testing::DevNode::dev_config(dir.str() + "/data");
    config.scaler_interval = std::chrono::milliseconds(0);  // this test runs the rounds
    dev = std::make_unique<testing::DevNode>(config, &clock);
    auto endpoint = RedisEndpoint::parse(dev->node().redis_address());
    ASSERT_TRUE(endpoint.has_value());
    redis = std::make_unique<RedisClient>(RedisClient::Options{*endpoint, 2, 5000ms});
    staff_store = std::make_unique<StaffStore>(*redis);
    task_store = std::make_unique<TaskStore>(*redis, clock);
    pool_store = std::make_unique<PoolStore>(*redis, *staff_store, *task_store, clock);
    scaler = std::make_unique<ScalerService>(ScalerService::Options{60s, "test-scaler"},
                                             *pool_store, *staff_store, clock);
  }

  void add(const std::string& id, const std::string& zone, std::vector<std::string> days,
           const std::string& start, const std::string& end, bool bench) {
    std::vector<testing::Shift> shifts;
    for (const auto& day : days) shifts.push_back({day, start, end});
    v1::UpsertStaffResponse resp;
    auto st = dev->admin()->UpsertStaff(as(dev->admin_key()).get(),
                                        testing::reviewer({.id = id,
                                                           .capacity = 8,
                                                           .time_zone = zone,
                                                           .vendor = bench ? "apex-lpo" : "inhouse",
                                                           .shifts = shifts}),
                                        &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
    auto profile = profile_from(resp.staff());
    ASSERT_TRUE(profile.has_value());
    staff.push_back({id, resp.staff_token(), *profile, bench, false});
  }

  void set_availability(SimStaff& s, v1::Availability a) {
    v1::SetAvailabilityRequest req;
    req.set_availability(a);
    v1::SetAvailabilityResponse resp;
    auto st = dev->gateway()->SetAvailability(as(s.token).get(), req, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
    s.signed_in = a == v1::AVAILABILITY_AVAILABLE;
  }

  int64_t waiting_documents() { return pool_store->waiting_count("default").value_or(-1); }

  // What a member has on offer and has accepted; nothing when Redis cannot be read.
  StaffStore::Holdings holdings_of(const std::string& staff_id) {
    auto h = staff_store->holdings({{"default", staff_id}});
    return h && h->size() == 1 ? (*h)[0] : StaffStore::Holdings{};
  }

  // Everyone signed in spends up to one step of simulated time on documents: accept what is
  // offered, complete at 2 minutes each, and come back for more as the router offers it.
  int work_one_step() {
    std::map<std::string, int> budget;
    for (const auto& s : staff) {
      if (s.signed_in) budget[s.id] = static_cast<int>(kStep / std::chrono::minutes(1));
    }
    if (budget.empty()) return 0;
    auto gateway = dev->gateway();
    int done = 0;
    // A few idle looks before giving up on the step: the router re-offers freed capacity within
    // milliseconds, more under sanitizers.
    for (int idle_rounds = 0; idle_rounds < 5;) {
      bool progress = false;
      bool can_work = false;  // someone signed in has time for another document this step
      for (auto& s : staff) {
        if (!s.signed_in || budget[s.id] < kMinutesPerDocument) continue;
        can_work = true;
        for (const auto& task : holdings_of(s.id).open_offers) {
          v1::OfferActionRequest accept;
          accept.set_task_id(task);
          v1::OfferActionResponse reply;
          progress |= gateway->AcceptOffer(as(s.token).get(), accept, &reply).ok();
        }
        for (const auto& task : holdings_of(s.id).accepted_work) {
          if (budget[s.id] < kMinutesPerDocument) break;
          v1::CompleteTaskRequest complete;
          complete.set_task_id(task);
          complete.set_outcome("responsive");
          v1::OfferActionResponse reply;
          if (gateway->CompleteTask(as(s.token).get(), complete, &reply).ok()) {
            budget[s.id] -= kMinutesPerDocument;
            ++done;
            progress = true;
          }
        }
      }
      if (!can_work) break;  // the rest of the step's documents wait for the next step
      if (!progress && waiting_documents() == 0) break;  // nothing left the router could offer
      if (progress) {
        idle_rounds = 0;
      } else {
        ++idle_rounds;
        std::this_thread::sleep_for(40ms);
      }
    }
    return done;
  }

  ManualClock clock{std::chrono::system_clock::time_point(std::chrono::seconds(kFridayFivePm))};
  testing::TempDir dir;
  std::unique_ptr<testing::DevNode> dev;
  std::unique_ptr<RedisClient> redis;
  std::unique_ptr<StaffStore> staff_store;
  std::unique_ptr<TaskStore> task_store;
  std::unique_ptr<PoolStore> pool_store;
  std::unique_ptr<ScalerService> scaler;
  std::vector<SimStaff> staff;
};

TEST_F(SurgeScaling, FridayEveningSurgeIsReviewedByMondayWithBenchStaffCalledInAndReleased) {
  const std::vector<std::string> weekdays = {"MON", "TUE", "WED", "THU", "FRI"};
  const std::vector<std::string> every_day = {"MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"};
  for (int i = 0; i < 4; ++i) {
    add("nyc-" + std::to_string(i), "America/New_York", weekdays, "09:00", "17:00", false);
  }
  for (int i = 0; i < 8; ++i) {
    add("mnl-" + std::to_string(i), "Asia/Manila", every_day, "08:00", "16:00", true);
  }
  for (int i = 0; i < 6; ++i) {
    add("pnq-" + std::to_string(i), "Asia/Kolkata", every_day, "10:00", "18:00", true);
  }
  for (int i = 0; i < 6; ++i) {
    add("bfs-" + std::to_string(i), "Europe/Belfast", every_day, "09:00", "17:00", true);
  }
  v1::ConfigurePoolRequest cfg;
  cfg.set_pool("default");
  cfg.set_offer_timeout_seconds(86400);      // the simulation answers offers once a step
  cfg.set_presence_timeout_seconds(604800);  // and does not heartbeat
  auto* scaling = cfg.mutable_scaling();
  scaling->set_min_active(4);
  scaling->set_max_active(24);
  *scaling->mutable_surge_start() = TimeUtil::SecondsToTimestamp(kFridayFivePm);
  *scaling->mutable_surge_end() = TimeUtil::SecondsToTimestamp(kMondayNineAm + 3 * 3600);
  for (const auto& s : staff) {
    if (s.bench) scaling->add_bench_staff(s.id);
  }
  v1::ConfigurePoolResponse configured;
  auto st = dev->admin()->ConfigurePool(as(dev->admin_key()).get(), cfg, &configured);
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_EQ(configured.scaling().bench_staff_size(), 20);

  std::string acme_key;
  ASSERT_NO_FATAL_FAILURE(testing::create_firm(*dev->admin(), dev->admin_key(), "acme", &acme_key));
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + acme_key);
  v1::SubmitTasksResponse submitted;
  auto writer = dev->intake()->SubmitTasks(&ctx, &submitted);
  for (int i = 0; i < kDocuments; ++i) {
    v1::SubmitTaskRequest r;
    auto* s = r.mutable_spec();
    s->set_matter_id("acme-v-globex");
    s->set_kind(v1::TASK_KIND_DOCUMENT_REVIEW);
    auto* sk = s->add_required_skills();
    sk->set_skill("doc-review");
    sk->set_min_proficiency(2);
    *s->mutable_deadline() = TimeUtil::SecondsToTimestamp(kMondayNineAm);
    s->set_effort_minutes(kMinutesPerDocument);
    s->set_payload_ref("https://dms.acme.example/acme-v-globex/doc/" + std::to_string(i));
    ASSERT_TRUE(writer->Write(r));
  }
  writer->WritesDone();
  ASSERT_TRUE(writer->Finish().ok());
  ASSERT_EQ(submitted.accepted(), kDocuments);

  // The router parks the whole batch as waiting first (nobody is on shift at 17:00).
  testing::eventually([&] { return waiting_documents() >= kDocuments; }, 60s, 50ms);
  ASSERT_EQ(waiting_documents(), kDocuments);

  struct Sample {
    absl::Time at;
    int called_in;
    int signed_in;
    int completed;
  };
  std::vector<Sample> timeline;
  std::set<std::string> ever_called_in, was_called_in;
  int completed = 0;
  int peak_called_in = 0;
  absl::Time backlog_gone = absl::InfiniteFuture();
  absl::Time all_released = absl::InfiniteFuture();
  for (int step = 0; step < 4 * 72; ++step) {
    if (step > 0) clock.advance(kStep);
    absl::Time now = absl::FromChrono(clock.now());
    auto planned = scaler->step();
    ASSERT_TRUE(planned.has_value()) << planned.error().message;
    ASSERT_EQ(*planned, 1u);
    auto bench = pool_store->bench("default");
    ASSERT_TRUE(bench.has_value());

    int called_in = 0;
    for (auto& s : staff) {
      bool is_called_in = s.bench && bench->at(s.id) == "CALLED_IN";
      bool working_hours = s.profile.schedule->on_shift(now);
      if (is_called_in) {
        ++called_in;
        if (!was_called_in.contains(s.id)) {
          EXPECT_TRUE(working_hours)
              << s.id << " called in outside working hours at " << absl::FormatTime(now);
          ever_called_in.insert(s.id);
        }
        was_called_in.insert(s.id);
      } else {
        was_called_in.erase(s.id);
      }
      bool should_work = working_hours && (!s.bench || is_called_in);
      bool has_work = !holdings_of(s.id).accepted_work.empty();
      if (should_work && !s.signed_in) set_availability(s, v1::AVAILABILITY_AVAILABLE);
      // Released or off shift: sign out once nothing accepted is left to finish.
      if (!should_work && s.signed_in && (!working_hours || !has_work)) {
        set_availability(s, v1::AVAILABILITY_OFFLINE);
      }
    }
    peak_called_in = std::max(peak_called_in, called_in);
    completed += work_one_step();
    int signed_in = 0;
    for (const auto& s : staff) signed_in += s.signed_in ? 1 : 0;
    timeline.push_back({now, called_in, signed_in, completed});
    if (completed == kDocuments && backlog_gone == absl::InfiniteFuture()) backlog_gone = now;
    if (completed == kDocuments && called_in == 0) {
      all_released = now;
      break;
    }
  }

  absl::TimeZone new_york;
  ASSERT_TRUE(absl::LoadTimeZone("America/New_York", &new_york));
  for (const auto& s : timeline) {
    std::cout << absl::FormatTime("%a %H:%M New York", s.at, new_york) << ": called in "
              << s.called_in << ", signed in " << s.signed_in << ", completed " << s.completed
              << "\n";
  }
  std::cout << ever_called_in.size() << " bench staff called in; peak " << peak_called_in << "\n";
  // Nobody on the bench works at 17:00 New York; Manila's Saturday begins at 19:00 New York.
  const absl::Time manila_starts = absl::FromUnixSeconds(kFridayFivePm + 2 * 3600);
  for (const auto& s : timeline) {
    if (s.at < manila_starts) {
      EXPECT_EQ(s.called_in, 0) << absl::FormatTime(s.at);
    } else if (s.at == manila_starts) {
      EXPECT_GE(s.called_in, 8) << "called in as their hours begin";
    }
  }
  EXPECT_EQ(completed, kDocuments) << "every document reviewed";
  EXPECT_LE(backlog_gone, absl::FromUnixSeconds(kMondayNineAm)) << "before the deadline";
  EXPECT_GT(peak_called_in, 0) << "the bench was called in";
  EXPECT_LE(peak_called_in + 4, 24) << "never above max_active";
  EXPECT_LT(all_released, absl::InfiniteFuture()) << "everyone called in is released at the end";
  // No document was completed after its deadline (checked on the tasks themselves).
  std::vector<std::string> ids;
  for (const auto& r : submitted.results()) ids.push_back(r.task_id());
  auto looks = testing::look_up_all(*task_store, ids, true);
  ASSERT_TRUE(looks.has_value()) << looks.error().message;
  int late = 0;
  for (const auto& look : *looks) {
    bool in_time = false;  // completed, by the deadline
    if (look.task) {
      for (const auto& step : look.task->history()) {
        if (step.status() != v1::TASK_STATUS_COMPLETED) continue;
        in_time = TimeUtil::TimestampToMilliseconds(step.at()) <= kMondayNineAm * 1000;
      }
    }
    late += in_time ? 0 : 1;
  }
  EXPECT_EQ(late, 0);
  // Every call-in and release reached lexroute.staff-events.v1 for the vendor.
  auto consumer = Consumer::create({dev->node().kafka_bootstrap(),
                                    "vendor-notifier",
                                    std::string(topics::kStaffEvents),
                                    nullptr,
                                    {}});
  ASSERT_TRUE(consumer.has_value()) << consumer.error().message;
  std::map<std::string, int> kinds;
  std::set<std::string> event_ids;
  auto until = std::chrono::steady_clock::now() + 60s;
  while ((kinds["RELEASED"] < kinds["CALLED_IN"] || kinds["CALLED_IN"] == 0) &&
         std::chrono::steady_clock::now() < until) {
    for (const auto& r : (*consumer)->poll(100, 200ms)) {
      v1::StaffEvent e;
      ASSERT_TRUE(e.ParseFromString(r.value));
      EXPECT_EQ(r.key, e.staff_id());
      EXPECT_EQ(e.vendor(), "apex-lpo");
      EXPECT_EQ(e.actor(), "scaler");
      if (event_ids.insert(e.event_id()).second) ++kinds[e.kind()];
    }
  }
  EXPECT_GE(kinds["CALLED_IN"], static_cast<int>(ever_called_in.size()));
  EXPECT_EQ(kinds["RELEASED"], kinds["CALLED_IN"]) << "everyone called in was released";

  // Every decision is on record with its inputs; the last one released the last called-in staff
  // with no backlog left.
  auto decisions = pool_store->recent("default", 100);
  ASSERT_TRUE(decisions.has_value());
  ASSERT_FALSE(decisions->empty());
  EXPECT_FALSE(decisions->front().released().empty());
  EXPECT_EQ(decisions->front().backlog_tasks(), 0);
  EXPECT_NE(decisions->front().reason(), "");
}

}  // namespace
}  // namespace lexroute
