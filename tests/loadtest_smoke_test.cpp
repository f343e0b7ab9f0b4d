// The real `lexroute-loadtest` binary against a real `lexrouted dev`: a short closed-loop run
// (every caller on gRPC's callback API) and a short open-loop run with simulated staff. The
// figures are not checked for speed, only for being honest: every task it counts as
// acknowledged was acknowledged, and with staff every one of them is completed.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>

#include "services/metrics/exposition.h"
#include "services/metrics/http_get.h"
#include "tests/support/command_run.h"
#include "tests/support/dev_node.h"

namespace lexroute {
namespace {

using namespace std::chrono_literals;

struct LoadRun {
  testing::CommandRun run;
  std::string json;  // the --out file
};

class LoadtestSmoke : public ::testing::Test {
 protected:
  void SetUp() override { dev = std::make_unique<testing::DevNode>(dir.str() + "/data"); }

  LoadRun loadtest(const std::string& args) {
    std::string json_path = dir.str() + "/result.json";
    std::remove(json_path.c_str());
    LoadRun r{testing::run_command(std::string(LEXROUTE_LOADTEST_PATH) + " --server " +
                                   dev->node().grpc_address() + " --admin-key " + dev->admin_key() +
                                   " --out " + json_path + " " + args),
              {}};
    std::ifstream in(json_path);
    std::stringstream text;
    text << in.rdbuf();
    r.json = text.str();
    return r;
  }

  // A top-level number of the result JSON, or -1 when it is missing.
  static double number(const std::string& json, const std::string& field) {
    std::smatch m;
    if (!std::regex_search(json, m, std::regex("\"" + field + "\": ([0-9.]+)"))) return -1;
    return std::stod(m[1]);
  }

  testing::TempDir dir;
  std::unique_ptr<testing::DevNode> dev;
};

TEST_F(LoadtestSmoke, ClosedLoopCountsEveryAcknowledgedSubmit) {
  LoadRun r = loadtest("--mode unary --concurrency 16 --seconds 2");
  ASSERT_EQ(r.run.exit_code, 0) << r.run.out;
  EXPECT_GT(number(r.json, "acknowledged"), 0) << r.json;
  EXPECT_NE(r.json.find("\"errors\": {}"), std::string::npos) << r.json;
  // Each acknowledged submit has its own latency sample.
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.json, m, std::regex("\"submit_to_ack\": \\{\"count\": ([0-9]+)")))
      << r.json;
  EXPECT_EQ(std::stod(m[1]), number(r.json, "acknowledged"));
  // And the server acknowledged exactly as many: none counted twice or missed (with no staff
  // there is no warm-up task).
  auto page = http_get("http://" + dev->node().metrics_address() + "/metrics", 5s);
  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_EQ(sum_of(parse_exposition(*page), "lexroute_tasks_submitted_total"),
            number(r.json, "acknowledged"));
}

TEST_F(LoadtestSmoke, OpenLoopWithStaffCompletesEveryAcknowledgedTask) {
  LoadRun r = loadtest("--mode unary --rate 100 --staff 20 --capacity 2 --seconds 2");
  ASSERT_EQ(r.run.exit_code, 0) << r.run.out;
  double acknowledged = number(r.json, "acknowledged");
  EXPECT_GT(acknowledged, 100) << r.json;
  EXPECT_EQ(number(r.json, "completed"), acknowledged) << r.json;
  EXPECT_EQ(number(r.json, "staff_errors"), 0) << r.json;
}

}  // namespace
}  // namespace lexroute
