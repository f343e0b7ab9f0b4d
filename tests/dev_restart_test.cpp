// `lexrouted dev`, the real binary, stopped and started again on the same data directory: its
// Redis keeps everything, its Kafka starts empty. Every task it acknowledged, before a SIGTERM,
// before a SIGKILL and after both, must be offered; none may be reported as data loss.
#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "lexroute/v1/admin.grpc.pb.h"
#include "lexroute/v1/intake.grpc.pb.h"
#include "lexroute/v1/worker.grpc.pb.h"
#include "services/redis/redis_client.h"
#include "tests/support/builders.h"
#include "tests/support/dev_node.h"
#include "tests/support/task_statuses.h"
#include "tests/support/temp_dir.h"

namespace lexroute {
namespace {

using namespace std::chrono_literals;
using google::protobuf::util::TimeUtil;
using testing::as;

constexpr int kRestartStaff = 30;
constexpr int kRestartCapacity = 100;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A `lexrouted dev` child on a data directory, with its log in a file.
class DevProcess {
 public:
  DevProcess(const std::string& data_dir, const std::string& log) : data_dir_(data_dir), log_(log) {
    std::string ready = data_dir + ".ready";
    std::filesystem::remove(ready);
    pid_ = ::fork();
    if (pid_ == 0) {
      sigset_t none;
      sigemptyset(&none);
      ::sigprocmask(SIG_SETMASK, &none, nullptr);
      FILE* out = std::freopen(log.c_str(), "w", stderr);
      (void)out;
      ::execl(LEXROUTED_PATH, LEXROUTED_PATH, "dev", "--data-dir", data_dir.c_str(), "--listen",
              "127.0.0.1:0", "--http-listen", "127.0.0.1:0", "--ready-file", ready.c_str(),
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    for (int i = 0; i < 300 && !std::filesystem::exists(ready); ++i) {
      std::this_thread::sleep_for(50ms);
    }
    std::istringstream lines(read_file(ready));
    for (std::string line; std::getline(lines, line);) {
      auto eq = line.find('=');
      if (eq != std::string::npos) fields_[line.substr(0, eq)] = line.substr(eq + 1);
    }
    channel_ = grpc::CreateChannel(fields_["grpc"], grpc::InsecureChannelCredentials());
  }
  ~DevProcess() {
    if (pid_ > 0) stop(SIGKILL);
  }

  bool ready() const { return !fields_["grpc"].empty(); }
  std::string admin_key() const {
    std::string key = read_file(data_dir_ + "/admin.key");
    while (!key.empty() && key.back() == '\n') key.pop_back();
    return key;
  }
  RedisEndpoint redis() const { return *RedisEndpoint::parse(fields_["redis"]); }
  std::unique_ptr<v1::TaskIntake::Stub> intake() { return v1::TaskIntake::NewStub(channel_); }
  std::unique_ptr<v1::Admin::Stub> admin() { return v1::Admin::NewStub(channel_); }
  std::unique_ptr<v1::WorkerGateway::Stub> gateway() {
    return v1::WorkerGateway::NewStub(channel_);
  }
  std::string log() const { return read_file(log_); }

  // The exit status after `signal`.
  int stop(int signal) {
    ::kill(pid_, signal);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

 private:
  std::string data_dir_;
  std::string log_;
  pid_t pid_ = -1;
  mutable std::map<std::string, std::string> fields_;
  std::shared_ptr<grpc::Channel> channel_;
};

// Submits `count` tasks through the bulk stream; the ids of those acknowledged.
std::vector<std::string> submit(DevProcess& dev, const std::string& firm_key, int count) {
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + firm_key);
  v1::SubmitTasksResponse submitted;
  auto writer = dev.intake()->SubmitTasks(&ctx, &submitted);
  for (int i = 0; i < count; ++i) EXPECT_TRUE(writer->Write(testing::numbered_review_task(i)));
  writer->WritesDone();
  auto status = writer->Finish();
  EXPECT_TRUE(status.ok()) << status.error_message();
  std::vector<std::string> ids;
  for (const auto& r : submitted.results()) {
    if (!r.task_id().empty()) ids.push_back(r.task_id());
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(count));
  return ids;
}

void all_available(DevProcess& dev, const std::vector<std::string>& tokens) {
  auto gateway = dev.gateway();
  for (const auto& token : tokens) ASSERT_NO_FATAL_FAILURE(testing::set_available(*gateway, token));
}

TEST(DevRestart, EveryAcknowledgedTaskIsOfferedAcrossSigtermAndSigkill) {
  testing::TempDir dir;
  const std::string data = dir.str() + "/data";
  std::vector<std::string> acknowledged;
  std::string firm_key;
  std::vector<std::string> tokens;

  {
    SCOPED_TRACE("first run, stopped with SIGTERM right after its last acknowledgement");
    DevProcess dev(data, dir.str() + "/run1.log");
    ASSERT_TRUE(dev.ready()) << dev.log();
    ASSERT_NO_FATAL_FAILURE(testing::create_firm(*dev.admin(), dev.admin_key(), "acme", &firm_key));
    for (int i = 0; i < kRestartStaff; ++i) {
      v1::UpsertStaffRequest req;
      req.mutable_staff()->set_id("s" + std::to_string(i));
      req.mutable_staff()->set_time_zone("Europe/Belfast");
      req.mutable_staff()->set_capacity(kRestartCapacity);
      auto* skill = req.mutable_staff()->add_skills();
      skill->set_skill("doc-review");
      skill->set_proficiency(3);
      req.set_issue_token(true);
      v1::UpsertStaffResponse resp;
      auto s = dev.admin()->UpsertStaff(as(dev.admin_key()).get(), req, &resp);
      ASSERT_TRUE(s.ok()) << s.error_message();
      tokens.push_back(resp.staff_token());
    }
    all_available(dev, tokens);
    for (auto& id : submit(dev, firm_key, 1500)) acknowledged.push_back(std::move(id));
    int status = dev.stop(SIGTERM);
    std::string log = dev.log();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << log;
    EXPECT_NE(log.find("every acknowledged task is routed"), std::string::npos) << log;
  }
  {
    SCOPED_TRACE("second run on the same directory, killed with SIGKILL");
    DevProcess dev(data, dir.str() + "/run2.log");
    ASSERT_TRUE(dev.ready()) << dev.log();
    all_available(dev, tokens);
    for (auto& id : submit(dev, firm_key, 500)) acknowledged.push_back(std::move(id));
    dev.stop(SIGKILL);
    EXPECT_EQ(dev.log().find("DATA LOSS"), std::string::npos) << dev.log();
  }
  {
    SCOPED_TRACE("third run: everything acknowledged before is offered, and new work too");
    DevProcess dev(data, dir.str() + "/run3.log");
    ASSERT_TRUE(dev.ready()) << dev.log();
    all_available(dev, tokens);
    for (auto& id : submit(dev, firm_key, 500)) acknowledged.push_back(std::move(id));
    ASSERT_EQ(acknowledged.size(), 2500u);
    RedisClient redis({dev.redis(), 1, 5000ms});
    SystemClock clock;
    TaskStore tasks(redis, clock);
    std::map<std::string, int> statuses;
    for (int i = 0; i < 600; ++i) {
      statuses = testing::count_statuses(tasks, acknowledged).value_or(statuses);
      if (statuses["OFFERED"] == static_cast<int>(acknowledged.size())) break;
      std::this_thread::sleep_for(100ms);
    }
    std::string seen;
    for (const auto& [status, count] : statuses) seen += status + "=" + std::to_string(count) + " ";
    EXPECT_EQ(statuses["OFFERED"], 2500) << seen << "\n" << dev.log();
    EXPECT_EQ(dev.log().find("DATA LOSS"), std::string::npos) << dev.log();
    EXPECT_EQ(dev.stop(SIGTERM), 0);
  }
}

}  // namespace
}  // namespace lexroute
