// Redis dies while tasks are in flight and comes back having lost its last second of writes, as
// after a power cut with appendfsync everysec (the production default). Killing redis-server
// alone loses nothing (its writes are in the page cache), so the test kills it and then cuts the
// append-only file back to its size one second earlier: the disk as the last fsync may have left
// it. Every acknowledged task must still end COMPLETED, and every staff member's load end at 0.
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include <atomic>
#include <deque>
#include <filesystem>

#include "services/metrics/exposition.h"
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

constexpr int kBeforeKill = 800;  // tasks completed when Redis is killed
constexpr int kRedisRestartStaff = 20;
constexpr int kRedisRestartCapacity = 2;

// Redis 7 appends to the newest appendonlydir/*.incr.aof (no rewrite happens at this size).
std::filesystem::path incr_aof(const std::string& data_dir) {
  std::filesystem::path newest;
  for (const auto& e : std::filesystem::directory_iterator(data_dir + "/appendonlydir")) {
    if (e.path().string().ends_with(".incr.aof") && e.path() > newest) newest = e.path();
  }
  return newest;
}

TEST(RedisRestart, LosingTheLastSecondOfWritesLosesNoAcknowledgedTask) {
  testing::TempDir dir;
  const std::string data = dir.str() + "/data";
  testing::DevNode dev(testing::DevNode::dev_config(data));
  RedisProcess* redis_process = dev.node().redis_process();
  ASSERT_NE(redis_process, nullptr);

  std::string acme_key;
  ASSERT_NO_FATAL_FAILURE(testing::create_firm(*dev.admin(), dev.admin_key(), "acme", &acme_key));
  StaffSimulator::Options sim_options;
  sim_options.server = dev.node().grpc_address();
  sim_options.think = 15ms;  // slow enough that work is in flight for several seconds
  ASSERT_NO_FATAL_FAILURE(
      testing::add_simulated_reviewers(*dev.admin(), dev.admin_key(), kRedisRestartStaff,
                                       {.capacity = kRedisRestartCapacity}, sim_options.staff));

  // Firms keep submitting throughout, so the router is consuming new records when Redis goes;
  // only what intake acknowledged counts.
  std::mutex acked_mutex;
  std::vector<std::string> acked;
  std::atomic<int> refused{0};
  std::atomic<bool> submitting{true};
  std::thread submitter([&] {
    for (int i = 0; submitting.load(); ++i) {
      v1::SubmitTaskResponse resp;
      if (dev.intake()
              ->SubmitTask(as(acme_key).get(), testing::numbered_review_task(i), &resp)
              .ok()) {
        std::lock_guard lock(acked_mutex);
        acked.push_back(resp.task_id());
      } else {
        ++refused;  // Redis is away: UNAVAILABLE, not acknowledged, the firm retries later
      }
      std::this_thread::sleep_for(2ms);
    }
  });
  // Stops the submitter on every way out of the test, failed assertions included.
  struct StopSubmitting {
    std::atomic<bool>& flag;
    std::thread& thread;
    ~StopSubmitting() {
      flag = false;
      if (thread.joinable()) thread.join();
    }
  } stop_submitting{submitting, submitter};
  auto acknowledged = [&] {
    std::lock_guard lock(acked_mutex);
    return acked;
  };

  RedisClient redis({redis_process->endpoint(), 1, 5000ms});
  SystemClock clock;
  TaskStore tasks(redis, clock);
  auto count_completed = [&](const std::vector<std::string>& ids) {
    return testing::count_completed(tasks, ids);
  };

  // The append-only file's size over time, to cut it back by one second.
  std::filesystem::path aof = incr_aof(data);
  ASSERT_FALSE(aof.empty());
  std::mutex sizes_mutex;
  std::deque<std::pair<std::chrono::steady_clock::time_point, uintmax_t>> sizes;
  std::atomic<bool> sampling{true};
  std::thread sampler([&] {
    while (sampling.load()) {
      std::error_code ec;
      auto size = std::filesystem::file_size(aof, ec);
      if (!ec) {
        std::lock_guard lock(sizes_mutex);
        sizes.emplace_back(std::chrono::steady_clock::now(), size);
      }
      std::this_thread::sleep_for(20ms);
    }
  });

  StaffSimulator staff(sim_options);
  staff.start();
  int done_before = 0;
  for (int i = 0; i < 1200 && done_before < kBeforeKill; ++i) {
    std::this_thread::sleep_for(25ms);
    done_before = count_completed(acknowledged());
  }
  ASSERT_GE(done_before, kBeforeKill) << "work never got going";

  redis_process->kill();
  sampling = false;
  sampler.join();
  uintmax_t at_kill = std::filesystem::file_size(aof);
  uintmax_t second_ago = 0;
  {
    auto cutoff = std::chrono::steady_clock::now() - 1s;
    std::lock_guard lock(sizes_mutex);
    for (const auto& [at, size] : sizes) {
      if (at <= cutoff) second_ago = size;
    }
  }
  ASSERT_GT(second_ago, 0u);
  ASSERT_LT(second_ago, at_kill) << "nothing was written in the last second: nothing to lose";
  std::filesystem::resize_file(aof, second_ago);  // may cut a command in half: Redis copes
  ASSERT_TRUE(redis_process->restart().has_value());
  std::this_thread::sleep_for(1s);  // and firms go on submitting for a while
  submitting = false;
  submitter.join();

  std::vector<std::string> ids = acknowledged();
  int done = 0;
  for (int i = 0; i < 2400 && done < static_cast<int>(ids.size()); ++i) {  // ASan is slow
    std::this_thread::sleep_for(100ms);
    done = count_completed(ids);
  }
  staff.stop();
  std::cout << "completed " << done_before << " before the kill; cut the AOF from " << at_kill
            << " to " << second_ago << " bytes; " << refused.load()
            << " submits refused while Redis was away; router rewinds "
            << dev.node().router()->rewinds() << "; at the end " << done << " of " << ids.size()
            << " acknowledged tasks completed\n";
  EXPECT_EQ(done, static_cast<int>(ids.size())) << "every acknowledged task ends COMPLETED";
  EXPECT_GE(dev.node().router()->rewinds(), 1u) << "the router noticed the lost offsets";
  // Ops see it (docs/metrics.md): Redis unreachable for a while, the router rewound.
  auto m = parse_exposition(
      prometheus::TextSerializer().Serialize(dev.node().metrics().registry()->Collect()));
  EXPECT_GE(sum_of(m, "lexroute_redis_errors_total", {{"error", "unavailable"}}), 1);
  EXPECT_EQ(sum_of(m, "lexroute_router_rewinds_total"),
            static_cast<double>(dev.node().router()->rewinds()));
  auto states = StaffStore(redis).states("default");
  ASSERT_TRUE(states.has_value()) << states.error().message;
  ASSERT_FALSE(states->empty());
  for (const auto& [member, state] : *states) EXPECT_EQ(state.load, 0) << member;
}

}  // namespace
}  // namespace lexroute
