// Routing by the clock, through the public API, with an injected clock instead of sleeping:
// work submitted while nobody qualified is on shift waits, says until when, and is offered the
// moment the shift starts.
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include "tests/support/builders.h"
#include "tests/support/dev_node.h"
#include "tests/support/eventually.h"

namespace lexroute {
namespace {

using namespace std::chrono_literals;
using google::protobuf::util::TimeUtil;
using testing::as;

// Friday 2027-01-15 18:00 in New York = 23:00 UTC = Saturday 07:00 in Manila.
const auto kFridayEveningNewYork =
    std::chrono::system_clock::time_point(std::chrono::seconds(1'800'054'000));

class ShiftRouting : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(TimeUtil::ToString(TimeUtil::SecondsToTimestamp(1'800'054'000)),
              "2027-01-15T23:00:00Z");
    dev = std::make_unique<testing::DevNode>(testing::DevNode::dev_config(dir.str() + "/data"),
                                             &clock);
    v1::CreateFirmRequest firm;
    firm.set_firm_id("acme");
    v1::CreateFirmResponse created;
    ASSERT_TRUE(dev->admin()->CreateFirm(as(dev->admin_key()).get(), firm, &created).ok());
    key = created.api_key();
    // The clock jumps hours ahead here, with nobody heartbeating: keep staff signed in.
    v1::ConfigurePoolRequest cfg;
    cfg.set_pool("default");
    cfg.set_presence_timeout_seconds(604800);
    v1::ConfigurePoolResponse configured;
    ASSERT_TRUE(dev->admin()->ConfigurePool(as(dev->admin_key()).get(), cfg, &configured).ok());
  }

  void add_staff(const std::string& id, const std::string& tz, const std::string& region,
                 std::vector<testing::Shift> shifts) {
    v1::UpsertStaffResponse resp;
    auto st = dev->admin()->UpsertStaff(
        as(dev->admin_key()).get(),
        testing::reviewer({.id = id, .time_zone = tz, .region = region, .shifts = shifts}), &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
    // Signed in ahead of the shift: available, but not on shift yet.
    ASSERT_NO_FATAL_FAILURE(testing::set_available(*dev->gateway(), resp.staff_token()));
  }

  std::string submit(int deadline_hours_after_now, int effort_minutes,
                     std::vector<std::string> regions = {}) {
    v1::SubmitTaskRequest r;
    auto* s = r.mutable_spec();
    s->set_matter_id("m-1");
    s->set_kind(v1::TASK_KIND_DOCUMENT_REVIEW);
    auto* sk = s->add_required_skills();
    sk->set_skill("doc-review");
    sk->set_min_proficiency(2);
    s->mutable_deadline()->set_seconds(
        std::chrono::duration_cast<std::chrono::seconds>(clock.now().time_since_epoch()).count() +
        deadline_hours_after_now * 3600);
    s->set_effort_minutes(effort_minutes);
    s->set_payload_ref("https://dms.acme.example/m-1/doc/1");
    for (auto& region : regions) s->add_allowed_regions(region);
    v1::SubmitTaskResponse resp;
    auto st = dev->intake()->SubmitTask(as(key).get(), r, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return resp.task_id();
  }

  v1::Task wait_for(const std::string& id, v1::TaskStatus status) {
    v1::Task t;
    testing::eventually([&] {
      v1::GetTaskRequest r;
      r.set_task_id(id);
      return dev->intake()->GetTask(as(key).get(), r, &t).ok() && t.status() == status;
    });
    return t;
  }

  v1::RoutingDecision explain(const std::string& id) {
    v1::GetTaskRequest r;
    r.set_task_id(id);
    v1::RoutingDecision d;
    auto st = dev->intake()->ExplainTask(as(key).get(), r, &d);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return d;
  }

  ManualClock clock{kFridayEveningNewYork};
  testing::TempDir dir;
  std::unique_ptr<testing::DevNode> dev;
  std::string key;
};

TEST_F(ShiftRouting, FridayEveningWorkWaitsForTheNextShiftAndIsOfferedWhenItStarts) {
  // Pune works Saturdays 09:00-13:00 IST (03:30-07:30 UTC): the next shift anywhere, 4.5 h away.
  ASSERT_NO_FATAL_FAILURE(
      add_staff("pune-meera", "Asia/Kolkata", "apac", {{"SAT", "09:00", "13:00"}}));
  // Belfast works weekdays only: nothing until Monday.
  ASSERT_NO_FATAL_FAILURE(
      add_staff("bfs-aoife", "Europe/Belfast", "uk", {{"MON", "09:00", "17:00"}}));

  std::string task = submit(/*deadline in*/ 60, /*effort*/ 30);
  v1::Task t = wait_for(task, v1::TASK_STATUS_WAITING);
  ASSERT_EQ(t.status(), v1::TASK_STATUS_WAITING);
  v1::RoutingDecision d = explain(task);
  EXPECT_EQ(d.outcome(), "WAITING");
  EXPECT_EQ(TimeUtil::ToString(d.expected_start()), "2027-01-16T03:30:00Z");
  EXPECT_FALSE(d.sla_at_risk());
  EXPECT_NE(d.reason().find("2027-01-16T03:30:00Z"), std::string::npos) << d.reason();

  clock.advance(std::chrono::minutes(4 * 60 + 29));  // one minute before the shift
  ASSERT_TRUE(dev->router_made_passes());
  EXPECT_EQ(wait_for(task, v1::TASK_STATUS_WAITING).status(), v1::TASK_STATUS_WAITING);

  clock.advance(std::chrono::minutes(1));  // Saturday 09:00 in Pune
  t = wait_for(task, v1::TASK_STATUS_OFFERED);
  ASSERT_EQ(t.status(), v1::TASK_STATUS_OFFERED);
  EXPECT_EQ(t.staff_id(), "pune-meera");
  d = explain(task);
  EXPECT_EQ(d.chosen_staff_id(), "pune-meera");
  EXPECT_EQ(d.top_candidates_size(), 0) << "who else was considered is not for firms";
}

TEST_F(ShiftRouting, WorkThatCannotWaitForTheNextShiftIsFlaggedAtRisk) {
  ASSERT_NO_FATAL_FAILURE(
      add_staff("bfs-aoife", "Europe/Belfast", "uk", {{"MON", "09:00", "17:00"}}));
  std::string task = submit(/*deadline in*/ 12, /*effort*/ 60);
  ASSERT_EQ(wait_for(task, v1::TASK_STATUS_WAITING).status(), v1::TASK_STATUS_WAITING);
  v1::RoutingDecision d = explain(task);
  EXPECT_TRUE(d.sla_at_risk());
  EXPECT_EQ(TimeUtil::ToString(d.expected_start()), "2027-01-18T09:00:00Z");
  EXPECT_NE(d.reason().find("SLA at risk"), std::string::npos) << d.reason();
}

TEST_F(ShiftRouting, ResidencyNobodyCanMeetIsUnroutableWithTheConstraintNamed) {
  ASSERT_NO_FATAL_FAILURE(
      add_staff("pune-meera", "Asia/Kolkata", "apac", {{"SAT", "09:00", "13:00"}}));
  ASSERT_NO_FATAL_FAILURE(
      add_staff("bfs-aoife", "Europe/Belfast", "uk", {{"MON", "09:00", "17:00"}}));
  std::string task = submit(60, 30, {"eu"});
  v1::Task t = wait_for(task, v1::TASK_STATUS_UNROUTABLE);
  ASSERT_EQ(t.status(), v1::TASK_STATUS_UNROUTABLE);
  v1::RoutingDecision d = explain(task);
  EXPECT_EQ(d.reason(), "residency eu: 0 of 2 staff in pool default eligible");
  ASSERT_EQ(d.removed_by_size(), 1);
  EXPECT_EQ(d.removed_by(0).constraint(), "residency");
  EXPECT_EQ(d.removed_by(0).removed(), 2);
}

}  // namespace
}  // namespace lexroute
