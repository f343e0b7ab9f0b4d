// Observability end to end: a real Prometheus (Debian's) scrapes `lexrouted dev` every second,
// with lexroute's recording rules, while a firm submits tasks and simulated staff work them. The
// queries of the ops dashboard (deploy/grafana/lexroute-ops.json), asked through Prometheus's
// HTTP API, must return what the workload did: the backlog while nobody is signed in, the tasks
// at SLA risk, staff by state, region and time zone, and in the end every submitted task
// completed. Every other query of the dashboard must at least be valid PromQL.
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <sstream>

#include "tests/support/builders.h"
#include "tests/support/dev_node.h"
#include "tests/support/prometheus_process.h"
#include "workers/staff_simulator.h"

namespace lexroute {
namespace {

using namespace std::chrono_literals;
using google::protobuf::util::TimeUtil;
using testing::as;

constexpr int kDashboardTasks = 24;
constexpr int kUrgent = 4;  // due before their effort (plus the 30-minute margin) can be done
constexpr int kDashboardStaff = 6;  // half in Manila, half in Belfast

struct Query {
  std::string panel, ref_id, expr;
};

// Every query of the dashboard, with the pool variable set to "All".
std::vector<Query> dashboard_queries() {
  std::ifstream in(std::string(LEXROUTE_SOURCE_DIR) + "/deploy/grafana/lexroute-ops.json");
  std::stringstream text;
  text << in.rdbuf();
  google::protobuf::Struct dashboard;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(text.str(), &dashboard).ok());
  std::vector<Query> out;
  for (const auto& panel : dashboard.fields().at("panels").list_value().values()) {
    const auto& p = panel.struct_value().fields();
    if (!p.contains("targets")) continue;
    for (const auto& target : p.at("targets").list_value().values()) {
      const auto& t = target.struct_value().fields();
      std::string expr = t.at("expr").string_value();
      for (size_t at; (at = expr.find("$pool")) != std::string::npos;) expr.replace(at, 5, ".*");
      out.push_back({p.at("title").string_value(), t.at("refId").string_value(), expr});
    }
  }
  return out;
}

class MetricsThroughPrometheus : public ::testing::Test {
 protected:
  void SetUp() override {
    queries = dashboard_queries();
    ASSERT_GT(queries.size(), 20u);
    Config config = testing::DevNode::dev_config(dir.str() + "/data");
    config.pool_metrics_every = 250ms;
    dev = std::make_unique<testing::DevNode>(config);
    ASSERT_FALSE(dev->node().metrics_address().empty());
    auto prometheus = testing::PrometheusProcess::start(
        {dir.str() + "/prometheus",
         {dev->node().metrics_address()},
         {std::string(LEXROUTE_SOURCE_DIR) + "/deploy/prometheus/rules/lexroute-recording.yml"}});
    ASSERT_TRUE(prometheus.has_value()) << prometheus.error().message;
    prom = std::move(*prometheus);
  }

  // The dashboard's query of `panel` with `ref_id`.
  std::string panel_query(const std::string& panel, const std::string& ref_id = "A") {
    for (const auto& q : queries) {
      if (q.panel == panel && q.ref_id == ref_id) return q.expr;
    }
    ADD_FAILURE() << "the dashboard has no panel '" << panel << "' query " << ref_id;
    return "vector(-1)";
  }

  // Asks until `good` holds for the value (nullopt: no sample) or `timeout` passes; returns
  // the last answer. Generous timeouts: scrapes, rule evaluation and sanitizer builds are slow.
  std::optional<double> wait_for(const std::string& promql,
                                 const std::function<bool(std::optional<double>)>& good,
                                 std::chrono::seconds timeout = 120s) {
    std::optional<double> last;
    auto until = std::chrono::steady_clock::now() + timeout;
    do {
      auto v = prom->value(promql);
      EXPECT_TRUE(v.has_value()) << promql << ": " << v.error().message;
      if (!v) return std::nullopt;
      last = *v;
      if (good(last)) return last;
      std::this_thread::sleep_for(250ms);
    } while (std::chrono::steady_clock::now() < until);
    return last;
  }
  std::optional<double> wait_for_value(const std::string& promql, double expected) {
    return wait_for(promql, [&](std::optional<double> v) { return v && *v == expected; });
  }
  // The same for the one series of a multi-series query whose `label` is `value`.
  std::optional<double> wait_for_series(const std::string& promql, const std::string& label,
                                        const std::string& value, double expected) {
    std::optional<double> last;
    for (int i = 0; i < 480; ++i) {
      auto result = prom->query(promql);
      EXPECT_TRUE(result.has_value()) << promql << ": " << result.error().message;
      if (!result) return std::nullopt;
      last.reset();
      for (const auto& series : result->values()) {
        const auto& f = series.struct_value().fields();
        const auto& metric = f.at("metric").struct_value().fields();
        if (!metric.contains(label) || metric.at(label).string_value() != value) continue;
        last = std::strtod(f.at("value").list_value().values(1).string_value().c_str(), nullptr);
      }
      if (last == expected) return last;
      std::this_thread::sleep_for(250ms);
    }
    return last;
  }

  std::string add_staff(int i) {
    bool manila = i % 2 == 0;
    v1::UpsertStaffRequest req;
    auto* s = req.mutable_staff();
    s->set_id("s" + std::to_string(i));
    s->set_vendor(manila ? "lpo-manila" : "lpo-belfast");
    s->set_region(manila ? "apac" : "uk");
    s->set_time_zone(manila ? "Asia/Manila" : "Europe/London");
    s->set_capacity(2);
    auto* skill = s->add_skills();
    skill->set_skill("doc-review");
    skill->set_proficiency(3);
    req.set_issue_token(true);
    v1::UpsertStaffResponse resp;
    auto st = dev->admin()->UpsertStaff(as(dev->admin_key()).get(), req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return resp.staff_token();
  }

  testing::TempDir dir;
  std::vector<Query> queries;
  std::unique_ptr<testing::DevNode> dev;
  std::unique_ptr<testing::PrometheusProcess> prom;
};

TEST_F(MetricsThroughPrometheus, DashboardQueriesReturnWhatTheWorkloadDid) {
  std::string acme_key;
  ASSERT_NO_FATAL_FAILURE(testing::create_firm(*dev->admin(), dev->admin_key(), "acme", &acme_key));
  StaffSimulator::Options staff_options;
  staff_options.server = dev->node().grpc_address();
  // Slow enough that completions spread over several scrapes.
  staff_options.think = 300ms;
  for (int i = 0; i < kDashboardStaff; ++i)
    staff_options.staff.push_back({"s" + std::to_string(i), add_staff(i)});

  // Everyone is signed out: every task waits. One task first, seen by Prometheus before the
  // rest, so rates see an increase rather than a series born at its final value.
  auto submit = [&](int i) {
    v1::SubmitTaskRequest r;
    auto* s = r.mutable_spec();
    s->set_matter_id("m-" + std::to_string(i % 3));
    s->set_kind(v1::TASK_KIND_DOCUMENT_REVIEW);
    auto* skill = s->add_required_skills();
    skill->set_skill("doc-review");
    skill->set_min_proficiency(2);
    bool urgent = i < kUrgent;
    *s->mutable_deadline() = TimeUtil::GetCurrentTime() + (urgent ? TimeUtil::MinutesToDuration(20)
                                                                  : TimeUtil::HoursToDuration(24));
    s->set_effort_minutes(urgent ? 30 : 20);
    s->set_payload_ref("https://dms.acme.example/doc/" + std::to_string(i));
    v1::SubmitTaskResponse resp;
    auto st = dev->intake()->SubmitTask(as(acme_key).get(), r, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
  };
  submit(0);
  EXPECT_EQ(wait_for_value(panel_query("Submitted since start"), 1), 1);
  for (int i = 1; i < kDashboardTasks; ++i) submit(i);

  EXPECT_EQ(wait_for_value(panel_query("Submitted since start"), kDashboardTasks), kDashboardTasks);
  EXPECT_EQ(wait_for_value(panel_query("Backlog per pool"), kDashboardTasks), kDashboardTasks)
      << "every task waits while nobody is signed in";
  EXPECT_EQ(wait_for_value(panel_query("SLA at risk"), kUrgent), kUrgent);
  EXPECT_EQ(wait_for_series(panel_query("Staff by state"), "state", "offline", kDashboardStaff),
            kDashboardStaff);
  auto oldest = wait_for(panel_query("Oldest waiting task"),
                         [](std::optional<double> v) { return v && *v >= 1; });
  EXPECT_GE(oldest.value_or(0), 1) << "the oldest waiting task ages";

  StaffSimulator staff(staff_options);
  staff.start();

  EXPECT_EQ(wait_for_value(panel_query("Completed since start"), kDashboardTasks), kDashboardTasks)
      << "completed equals submitted";
  EXPECT_EQ(wait_for_value(panel_query("Backlog per pool"), 0), 0);
  EXPECT_EQ(wait_for_value(panel_query("SLA at risk"), 0), 0);
  EXPECT_EQ(wait_for_value(panel_query("Router lag"), 0), 0);
  // Signed in, with nothing left to do: all available, half per region and time zone.
  EXPECT_EQ(wait_for_series(panel_query("Staff by state"), "state", "available", kDashboardStaff),
            kDashboardStaff);
  EXPECT_EQ(wait_for_series(panel_query("Staff by state"), "state", "offline", 0), 0);
  auto signed_in = [&](const std::string& panel, const std::string& label,
                       const std::string& value) {
    return wait_for_series(panel_query(panel), label, value, kDashboardStaff / 2);
  };
  EXPECT_EQ(signed_in("Signed in by region", "region", "apac"), kDashboardStaff / 2);
  EXPECT_EQ(signed_in("Signed in by region", "region", "uk"), kDashboardStaff / 2);
  EXPECT_EQ(signed_in("Signed in by time zone", "time_zone", "Asia/Manila"), kDashboardStaff / 2);
  EXPECT_EQ(signed_in("Signed in by vendor", "vendor", "lpo-belfast"), kDashboardStaff / 2);

  // Throughput and latency: the simulator thinks 300 ms before completing.
  auto completed_per_minute = wait_for(panel_query("Tasks per minute", "D"),
                                       [](std::optional<double> v) { return v && *v > 0; });
  EXPECT_GT(completed_per_minute.value_or(0), 0);
  auto work = wait_for(panel_query("Accept to complete"),
                       [](std::optional<double> v) { return v && !std::isnan(*v); });
  ASSERT_TRUE(work.has_value());
  EXPECT_GE(*work, 0.25) << "300 ms of work falls in the (0.25, 0.5] bucket or above";
  EXPECT_LT(*work, 60);
  auto to_offer = wait_for(panel_query("Submit to offer"),
                           [](std::optional<double> v) { return v && !std::isnan(*v); });
  EXPECT_GE(to_offer.value_or(0), 1) << "tasks waited for staff to sign in before any offer";
  auto ack = wait_for("rpc:lexroute_intake_ack_seconds:p50_5m{rpc=\"SubmitTask\"}",
                      [](std::optional<double> v) { return v && !std::isnan(*v); });
  EXPECT_GT(ack.value_or(0), 0);
  EXPECT_EQ(wait_for_value("sum(lexroute_grpc_requests_total{method=\"/lexroute.v1.TaskIntake/"
                           "SubmitTask\",code=\"OK\"})",
                           kDashboardTasks),
            kDashboardTasks);
  EXPECT_EQ(wait_for_value("sum(lexroute_grpc_requests_total{method=\"/lexroute.v1.WorkerGateway/"
                           "CompleteTask\",code=\"OK\"})",
                           kDashboardTasks),
            kDashboardTasks);
  staff.stop();

  for (const auto& q : queries) {
    auto result = prom->query(q.expr);
    EXPECT_TRUE(result.has_value())
        << "panel '" << q.panel << "' " << q.ref_id << ": " << result.error().message;
  }
}

}  // namespace
}  // namespace lexroute
