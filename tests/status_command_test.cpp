// `lexroute status --once`, the real binary, against the /metrics page of a real `lexrouted dev`
// holding a known state: its one snapshot must show the pool's backlog, offers, SLA risk and
// staff, and the staff on shift per region.
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <sstream>

#include "services/metrics/exposition.h"
#include "services/metrics/http_get.h"
#include "tests/support/builders.h"
#include "tests/support/command_run.h"
#include "tests/support/dev_node.h"

namespace lexroute {
namespace {

using namespace std::chrono_literals;
using google::protobuf::util::TimeUtil;
using testing::as;

using CliRun = testing::CommandRun;

CliRun run(const std::string& args) {
  return testing::run_command(std::string(LEXROUTE_CLI_PATH) + " " + args);
}

// The whitespace-separated words of the first line starting with `first`.
std::vector<std::string> row(const std::string& text, const std::string& first) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::vector<std::string> w;
    for (std::string word; words >> word;) w.push_back(word);
    if (!w.empty() && w[0] == first) return w;
  }
  return {};
}

class StatusCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    Config config = testing::DevNode::dev_config(dir.str() + "/data");
    config.pool_metrics_every = 200ms;
    dev = std::make_unique<testing::DevNode>(config);
    ASSERT_FALSE(dev->node().metrics_address().empty());
    ASSERT_NO_FATAL_FAILURE(
        testing::create_firm(*dev->admin(), dev->admin_key(), "acme", &firm_key));
  }

  std::string add_staff(const std::string& id, const std::string& region,
                        const std::string& skill) {
    v1::UpsertStaffRequest req;
    auto* s = req.mutable_staff();
    s->set_id(id);
    s->set_region(region);
    s->set_time_zone(region == "apac" ? "Asia/Manila" : "Europe/London");
    s->set_capacity(1);
    auto* sk = s->add_skills();
    sk->set_skill(skill);
    sk->set_proficiency(4);
    req.set_issue_token(true);
    v1::UpsertStaffResponse resp;
    EXPECT_TRUE(dev->admin()->UpsertStaff(as(dev->admin_key()).get(), req, &resp).ok());
    return resp.staff_token();
  }

  void submit(const std::string& skill, bool urgent) {
    v1::SubmitTaskRequest r;
    auto* s = r.mutable_spec();
    s->set_matter_id("m-1");
    s->set_kind(v1::TASK_KIND_DOCUMENT_REVIEW);
    auto* sk = s->add_required_skills();
    sk->set_skill(skill);
    sk->set_min_proficiency(3);
    *s->mutable_deadline() = TimeUtil::GetCurrentTime() + (urgent ? TimeUtil::MinutesToDuration(30)
                                                                  : TimeUtil::HoursToDuration(48));
    s->set_effort_minutes(urgent ? 45 : 30);
    s->set_payload_ref("https://dms.acme.example/doc");
    v1::SubmitTaskResponse resp;
    auto st = dev->intake()->SubmitTask(as(firm_key).get(), r, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }

  // Waits until the node's own /metrics page shows `name` == `value`.
  void wait_for_metric(const std::string& name, double value) {
    double last = -1;
    for (int i = 0; i < 600 && last != value; ++i) {
      auto page = http_get("http://" + dev->node().metrics_address() + "/metrics", 5s);
      if (page) last = sum_of(parse_exposition(*page), name);
      if (last != value) std::this_thread::sleep_for(100ms);
    }
    ASSERT_EQ(last, value) << name;
  }

  testing::TempDir dir;
  std::unique_ptr<testing::DevNode> dev;
  std::string firm_key;
};

TEST_F(StatusCommand, OnceShowsBacklogRiskAndStaffOnShift) {
  std::string ana = add_staff("ana", "apac", "doc-review");
  add_staff("bo", "uk", "privilege");
  add_staff("cy", "uk", "privilege");
  add_staff("di", "apac", "doc-review");
  ASSERT_NO_FATAL_FAILURE(testing::set_available(*dev->gateway(), ana));

  // ana (capacity 1) gets one review; two reviews wait for her; two urgent privilege reviews
  // wait for bo or cy, who are signed out, and cannot be done in time: at risk.
  for (int i = 0; i < 3; ++i) submit("doc-review", false);
  submit("privilege", true);
  submit("privilege", true);
  wait_for_metric("lexroute_pool_waiting_tasks", 4);
  wait_for_metric("lexroute_pool_offered_tasks", 1);
  wait_for_metric("lexroute_pool_sla_at_risk_tasks", 2);

  CliRun r = run("status --once --interval 0.3 --metrics " + dev->node().metrics_address());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  //                              POOL  BACKLOG OFFERED ACCEPTED OLDEST SLA SIGNED-IN BREAK OFFLINE
  auto pool = row(r.out, "default");
  ASSERT_EQ(pool.size(), 9u) << r.out;
  EXPECT_EQ(pool[1], "4") << r.out;
  EXPECT_EQ(pool[2], "1");
  EXPECT_EQ(pool[3], "0");
  EXPECT_NE(pool[4], "0m00s") << "the oldest task has waited a moment";
  EXPECT_EQ(pool[5], "2");
  EXPECT_EQ(pool[6], "1");
  EXPECT_EQ(pool[7], "0");
  EXPECT_EQ(pool[8], "3");
  auto apac = row(r.out, "apac");
  ASSERT_GE(apac.size(), 2u) << r.out;
  EXPECT_EQ(apac[1], "1");
  EXPECT_TRUE(row(r.out, "uk").empty()) << "nobody in uk is signed in\n" << r.out;
  EXPECT_NE(r.out.find("submitted 5"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("\033["), std::string::npos) << "--once prints plain text";
}

TEST_F(StatusCommand, SaysSoWhenNothingAnswers) {
  CliRun r = run("status --once --metrics 127.0.0.1:1");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("status: GET http://127.0.0.1:1/metrics"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace lexroute
