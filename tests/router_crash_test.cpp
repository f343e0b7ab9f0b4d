// The router is a separate `lexrouted router` process, killed with SIGKILL in the middle of a
// 10,000-task batch and started again. Intake, gateway, Redis and Kafka stay up; simulated staff
// accept and complete offers throughout. Every acknowledged task must end COMPLETED, none may be
// offered twice, and no staff member's load may ever exceed their capacity. Checked in Redis.
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>

#include "services/common/secrets.h"
#include "services/kafka/embedded_kafka.h"
#include "services/redis/staff_store.h"
#include "tests/support/builders.h"
#include "tests/support/dev_node.h"
#include "tests/support/task_statuses.h"
#include "workers/staff_simulator.h"

namespace lexroute {
namespace {

using namespace std::chrono_literals;
using google::protobuf::util::TimeUtil;
using testing::as;

constexpr int kCrashTasks = 10000;
constexpr int kCrashStaff = 40;
constexpr int kCrashCapacity = 4;

pid_t start_router(const std::string& redis, const std::string& kafka, const std::string& log) {
  pid_t pid = ::fork();
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    FILE* out = std::freopen(log.c_str(), "a", stderr);
    (void)out;
    ::execl(LEXROUTED_PATH, LEXROUTED_PATH, "router", "--redis", redis.c_str(), "--kafka-brokers",
            kafka.c_str(), "--listen", "127.0.0.1:0", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

// With `two_routers`, a second router shares the consumer group from the start and the killed
// one is not restarted: the survivor takes its partitions over in a rebalance.
void kill_a_router_mid_batch(bool two_routers) {
  testing::TempDir dir;
  auto redis_process = RedisProcess::start({.data_dir = dir.str() + "/redis"});
  ASSERT_TRUE(redis_process.has_value()) << redis_process.error().message;
  auto kafka = EmbeddedKafka::start();
  ASSERT_TRUE(kafka.has_value());
  ASSERT_TRUE((*kafka)->create_lexroute_topics(8).has_value());
  const std::string redis_address = (*redis_process)->endpoint().to_string();
  RedisClient redis({(*redis_process)->endpoint(), 2, 5000ms});

  // Intake and gateway in this process; the router only in the child.
  std::string admin_key = new_secret("lxa_");
  Config intake_config = testing::DevNode::dev_config(dir.str() + "/intake");
  intake_config.role = Role::kIntake;
  intake_config.redis = redis_address;
  intake_config.kafka_brokers = (*kafka)->bootstrap();
  intake_config.admin_key_sha256 = sha256_hex(admin_key);
  intake_config.kafka_delivery_timeout = 10000ms;
  testing::DevNode intake(intake_config);
  Config gateway_config = intake_config;
  gateway_config.role = Role::kGateway;
  testing::DevNode gateway(gateway_config);

  std::string acme_key;
  ASSERT_NO_FATAL_FAILURE(testing::create_firm(*intake.admin(), admin_key, "acme", &acme_key));
  StaffSimulator::Options sim_options;
  sim_options.server = gateway.node().grpc_address();
  sim_options.think = 0ms;
  ASSERT_NO_FATAL_FAILURE(testing::add_simulated_reviewers(
      *intake.admin(), admin_key, kCrashStaff,
      {.capacity = kCrashCapacity, .time_zone = "Asia/Manila"}, sim_options.staff));
  StaffSimulator staff(sim_options);
  staff.start();

  // 10,000 acknowledged tasks, through the bulk stream.
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + acme_key);
  v1::SubmitTasksResponse submitted;
  auto writer = intake.intake()->SubmitTasks(&ctx, &submitted);
  for (int i = 0; i < kCrashTasks; ++i) {
    ASSERT_TRUE(writer->Write(testing::numbered_review_task(i, 50)));
  }
  writer->WritesDone();
  ASSERT_TRUE(writer->Finish().ok());
  ASSERT_EQ(submitted.accepted(), kCrashTasks);

  // Watch every staff member's load the whole time.
  std::atomic<bool> watching{true};
  std::atomic<int> worst_load{0};
  std::thread watcher([&] {
    RedisClient r({(*redis_process)->endpoint(), 1, 5000ms});
    StaffStore roster(r);
    while (watching.load()) {
      if (auto states = roster.states("default")) {
        for (const auto& [id, state] : *states) {
          worst_load = std::max(worst_load.load(), state.load);
        }
      }
      std::this_thread::sleep_for(20ms);
    }
  });

  SystemClock clock;
  TaskStore tasks(redis, clock);
  std::vector<std::string> ids;
  for (const auto& r : submitted.results()) ids.push_back(r.task_id());
  auto completed = [&] { return testing::count_completed(tasks, ids); };
  auto routed_offsets = [&] {
    long long sum = 0;
    if (auto offsets = tasks.stored_offsets("default")) {
      for (const auto& [partition, next] : *offsets) sum += next;
    }
    return sum;
  };

  std::string log = dir.str() + "/router.log";
  pid_t router = start_router(redis_address, (*kafka)->bootstrap(), log);
  pid_t survivor = two_routers ? start_router(redis_address, (*kafka)->bootstrap(), log) : -1;
  // Kill it once it has routed a good part of the batch, but not all.
  for (int i = 0; i < 600 && routed_offsets() < kCrashTasks / 4; ++i)
    std::this_thread::sleep_for(50ms);
  long long before_kill = routed_offsets();
  ::kill(router, SIGKILL);
  int status = 0;
  ::waitpid(router, &status, 0);
  ASSERT_GT(before_kill, 0) << "the router never got going; see " << log;
  ASSERT_LT(before_kill, kCrashTasks) << "killed too late to prove anything";
  int done_at_kill = completed();

  router = two_routers ? survivor : start_router(redis_address, (*kafka)->bootstrap(), log);
  int done = 0;
  for (int i = 0; i < 4000 && done < kCrashTasks; ++i) {  // generous: ASan builds are slow
    std::this_thread::sleep_for(100ms);
    done = completed();
  }
  ::kill(router, SIGTERM);
  ::waitpid(router, &status, 0);
  staff.stop();
  watching = false;
  watcher.join();

  std::cout << (two_routers ? "two routers, " : "") << "killed after " << before_kill
            << " records routed, " << done_at_kill << " tasks completed; at the end " << done
            << " completed\n";
  EXPECT_EQ(done, kCrashTasks) << "every acknowledged task ends COMPLETED";
  EXPECT_LE(worst_load.load(), kCrashCapacity) << "no staff member's load ever exceeds capacity";
  // Nobody was offered a task twice: exactly one OFFERED step each (no rejects, no timeouts).
  int doubled = 0;
  auto looks = testing::look_up_all(tasks, ids, true);
  ASSERT_TRUE(looks.has_value()) << looks.error().message;
  for (const auto& look : *looks) {
    ASSERT_TRUE(look.task.has_value());
    int offers = 0;
    for (const auto& step : look.task->history())
      offers += step.status() == v1::TASK_STATUS_OFFERED;
    doubled += offers != 1;
  }
  EXPECT_EQ(doubled, 0) << "tasks not offered exactly once";
  auto states = StaffStore(redis).states("default");
  ASSERT_TRUE(states.has_value()) << states.error().message;
  for (const auto& [member, state] : *states) EXPECT_EQ(state.load, 0) << member;
}

TEST(RouterCrash, SigkillMidBatchLosesNothingAndDoublesNothing) { kill_a_router_mid_batch(false); }

TEST(RouterCrash, TwoRoutersOneKilledMidBatchTheOtherTakesOverInARebalance) {
  kill_a_router_mid_batch(true);
}

}  // namespace
}  // namespace lexroute
