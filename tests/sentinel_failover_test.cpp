// The Redis master of a Sentinel group is killed (SIGKILL) while firms submit a steady load and
// staff work through it. Replication is asynchronous, so the promoted replica may lack the last
// writes the old master took; Kafka holds the tasks and the router replays what Redis forgot.
// The node runs with --redis-wait-replicas 1: staff steps and idempotency keys are acknowledged
// only once the replica holds them, and answered UNAVAILABLE (retried by the staff and firms)
// while it does not. Every task intake acknowledged must end COMPLETED, no staff member may be
// asked to do work anyone has already completed, nothing may be completed by two people, no load
// may pass its capacity, and the refusals must end soon after the failover. The node waits for
// the group's only replica, so the promoted one holds every acknowledged step; it then has no
// replica itself until a new one is started for it, as an orchestrator replaces a lost node.
// Killed alone, the master has usually replicated everything over
// loopback; the second test first stops the replica and cuts its link for half a second of load,
// so the promoted replica surely lacks writes the old master took (as after a network stall
// between them): none of them may be one that was acknowledged to a staff member.
//
// "Offered twice", as the staff see it: an offer, made after someone's completion of its task was
// acknowledged by the gateway, of that task. An offer made before the completion that the stream
// sends again (it sends every open offer again when it reconnects to Redis) and the member reads
// after completing is the same offer, not a second one: counted and printed only, as is a second
// offer of a task whose first offer Redis forgot before anyone finished it (a legitimate replay;
// the first offer's accept is refused).
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <atomic>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "router/text.h"
#include "services/kafka/embedded_kafka.h"
#include "services/redis/redis_process.h"
#include "services/redis/staff_store.h"
#include "tests/support/builders.h"
#include "tests/support/dev_node.h"
#include "tests/support/eventually.h"
#include "tests/support/sentinel_group.h"
#include "tests/support/task_statuses.h"
#include "workers/staff_simulator.h"

namespace lexroute {
namespace {

using namespace std::chrono_literals;
using google::protobuf::util::TimeUtil;
using testing::as;
using SteadyClock = std::chrono::steady_clock;

constexpr const char* kFailoverPassword = "failover-Test-pw";
constexpr int kFailoverTasks = 3000;  // acknowledged in all
constexpr int kAckedAtKill = 1200;    // acknowledged when the master is killed
constexpr int kSubmitters = 3;        // firms' threads, each one request at a time
constexpr int kFailoverStaff = 20;
constexpr int kFailoverCapacity = 2;
// From the kill: the first acknowledged submit after a refusal and the first acknowledged
// completion, and every task completed.
constexpr std::chrono::milliseconds kRecoveryBound{15000};
constexpr std::chrono::milliseconds kAllDoneBound{35000};

double ms_since(SteadyClock::time_point from, SteadyClock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

// What the staff saw, from the simulator's callbacks.
class StaffView {
 public:
  void offered(const std::string& staff, const std::string& task, int64_t offered_at_ms) {
    std::lock_guard lock(mutex_);
    ++offers_;
    if (auto done = completed_at_ms_.find(task); done != completed_at_ms_.end()) {
      if (offered_at_ms < done->second) {
        // Made before the completion, read after it: the stream sent its open offers again on
        // reconnecting to Redis while this member was busy completing.
        ++made_before_completion_;
      } else {
        std::string by;
        for (const auto& member : completed_by_[task]) by += (by.empty() ? "" : ",") + member;
        after_completion_.push_back(task + " to " + staff + " (completed by " + by + ")");
        after_completion_tasks_.push_back(task);
      }
    }
    auto& to = offered_to_[task];
    if (!to.insert(staff).second) {
      ++same_staff_again_;
    } else if (to.size() > 1) {
      ++other_staff_;
    }
  }
  void completed(const std::string& staff, const std::string& task) {
    std::lock_guard lock(mutex_);
    completed_by_[task].insert(staff);
    completed_at_ms_.try_emplace(task,
                                 TimeUtil::TimestampToMilliseconds(TimeUtil::GetCurrentTime()));
  }
  // Offers read after a completion of their task but made before it (sent again).
  int made_before_completion() {
    std::lock_guard lock(mutex_);
    return made_before_completion_;
  }
  // Offers, made after someone's completion of their task was acknowledged, of that task.
  std::vector<std::string> offered_after_completion() {
    std::lock_guard lock(mutex_);
    return after_completion_;
  }
  std::vector<std::string> tasks_offered_after_completion() {
    std::lock_guard lock(mutex_);
    return after_completion_tasks_;
  }
  // Tasks whose completion was acknowledged to more than one staff member.
  std::vector<std::string> completed_by_two() {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const auto& [task, staff] : completed_by_) {
      if (staff.size() > 1) out.push_back(task);
    }
    return out;
  }
  // Offers of a task to a member who had it offered before (an offer stream sent again), and to
  // a second member (a replay after Redis forgot the first offer).
  std::string completers(const std::string& task) {
    std::lock_guard lock(mutex_);
    std::string out;
    for (const auto& staff : completed_by_[task]) out += (out.empty() ? "" : ",") + staff;
    return out;
  }
  int same_staff_again() {
    std::lock_guard lock(mutex_);
    return same_staff_again_;
  }
  int other_staff() {
    std::lock_guard lock(mutex_);
    return other_staff_;
  }

 private:
  std::mutex mutex_;
  int offers_ = 0, same_staff_again_ = 0, other_staff_ = 0, made_before_completion_ = 0;
  std::map<std::string, std::set<std::string>> offered_to_;
  std::map<std::string, std::set<std::string>> completed_by_;
  std::map<std::string, int64_t> completed_at_ms_;  // the first acknowledgement, wall clock
  std::vector<std::string> after_completion_, after_completion_tasks_;
};

v1::SubmitTaskRequest failover_task(int i) {
  v1::SubmitTaskRequest r = testing::numbered_review_task(i);
  r.set_idempotency_key(cat("failover-", i));
  return r;
}

enum class Replica { kInStep, kBehind };

void kill_master_under_load(Replica replica) {
  testing::TempDir dir;
  auto group = testing::SentinelGroup::start(dir.str() + "/redis", kFailoverPassword);
  ASSERT_TRUE(group.has_value()) << group.error().message;
  ASSERT_TRUE(testing::eventually([&] { return (*group)->ready_for_failover(); }, 20s))
      << "the sentinels never learnt of the replica and of each other";
  auto kafka = EmbeddedKafka::start();
  ASSERT_TRUE(kafka.has_value()) << kafka.error().message;
  ASSERT_TRUE((*kafka)->create_lexroute_topics(4).has_value());

  Config config = testing::DevNode::dev_config(dir.str() + "/node");
  config.redis = cat("redis://:", kFailoverPassword, "@/0");
  std::string sentinels;
  for (const auto& s : (*group)->endpoint().sentinels) {
    sentinels += (sentinels.empty() ? "" : ",") + s.to_string();
  }
  config.redis_sentinels = sentinels;
  config.redis_master_name = testing::SentinelGroup::kMasterName;
  config.kafka_brokers = (*kafka)->bootstrap();
  config.redis_wait_replicas = 1;
  testing::DevNode dev(config);
  ASSERT_TRUE(dev.started());

  std::string acme_key;
  ASSERT_NO_FATAL_FAILURE(testing::create_firm(*dev.admin(), dev.admin_key(), "acme", &acme_key));
  StaffView seen;
  // Steady-clock ticks: the kill, and the first completion acknowledged after it (on the new
  // master: a step in flight at the kill fails with the old one).
  std::atomic<int64_t> killed_at_ns{0}, staff_back_ns{0};
  auto ns_of = [](SteadyClock::time_point t) { return t.time_since_epoch().count(); };
  StaffSimulator::Options sim_options;
  sim_options.server = dev.node().grpc_address();
  sim_options.think = 5ms;
  sim_options.on_offered = [&](const std::string& s, const std::string& t, int64_t at_ms) {
    seen.offered(s, t, at_ms);
  };
  sim_options.on_completed = [&](const std::string& s, const std::string& t) {
    seen.completed(s, t);
    if (int64_t none = 0; killed_at_ns.load() != 0) {
      staff_back_ns.compare_exchange_strong(none, ns_of(SteadyClock::now()));
    }
  };
  ASSERT_NO_FATAL_FAILURE(
      testing::add_simulated_reviewers(*dev.admin(), dev.admin_key(), kFailoverStaff,
                                       {.capacity = kFailoverCapacity}, sim_options.staff));
  StaffSimulator staff(sim_options);
  staff.start();

  RedisClient redis({(*group)->endpoint(), 1, 2000ms});
  SystemClock clock;
  TaskStore tasks(redis, clock);
  StaffStore staff_store(redis);

  // Firms submit one task at a time, each with its own idempotency key, and retry a refused or
  // unanswered submit with the same key until it is acknowledged, as the API asks them to.
  std::mutex acked_mutex;
  std::map<std::string, std::string> task_of_key;
  std::vector<std::string> key_bound_twice;
  std::atomic<int> next_task{0}, acknowledged_count{0}, unavailable{0}, other_failures{0};
  std::atomic<int64_t> first_failure_ns{0}, back_ns{0};
  std::atomic<bool> submitting{true};
  std::vector<std::thread> submitters;
  for (int t = 0; t < kSubmitters; ++t) {
    submitters.emplace_back([&] {
      for (int i = next_task++; i < kFailoverTasks && submitting.load(); i = next_task++) {
        v1::SubmitTaskRequest request = failover_task(i);
        while (submitting.load()) {
          auto started = SteadyClock::now();
          v1::SubmitTaskResponse resp;
          auto ctx = as(acme_key);
          ctx->set_deadline(std::chrono::system_clock::now() + 5s);
          auto status = dev.intake()->SubmitTask(ctx.get(), request, &resp);
          if (status.ok()) {
            int64_t killed = killed_at_ns.load();
            int64_t failed = first_failure_ns.load();
            int64_t expected = 0;
            if (killed != 0 && failed != 0 && ns_of(started) > failed) {
              back_ns.compare_exchange_strong(expected, ns_of(SteadyClock::now()));
            }
            std::lock_guard lock(acked_mutex);
            auto [it, fresh] = task_of_key.try_emplace(request.idempotency_key(), resp.task_id());
            if (fresh) ++acknowledged_count;
            if (it->second != resp.task_id()) {
              key_bound_twice.push_back(request.idempotency_key());
            }
            break;
          }
          if (killed_at_ns.load() != 0) {
            int64_t expected = 0;
            first_failure_ns.compare_exchange_strong(expected, ns_of(SteadyClock::now()));
          }
          if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
            ++unavailable;
          } else {
            ++other_failures;  // a deadline or an internal error: the firm cannot tell, retries
            std::cout << "submit " << i << ": " << status.error_code() << " "
                      << status.error_message() << "\n";
          }
          std::this_thread::sleep_for(50ms);
        }
      }
    });
  }
  struct StopSubmitting {
    std::atomic<bool>& flag;
    std::vector<std::thread>& threads;
    ~StopSubmitting() {
      flag = false;
      for (auto& t : threads) {
        if (t.joinable()) t.join();
      }
    }
  } stop_submitting{submitting, submitters};

  // Loads as Redis has them, sampled all along (reads fail during the window: skipped).
  std::atomic<int> over_capacity{0}, load_samples{0};
  std::atomic<bool> sampling{true};
  std::thread sampler([&] {
    while (sampling.load()) {
      if (auto states = staff_store.states("default")) {
        ++load_samples;
        for (const auto& [member, state] : *states) {
          if (state.load > kFailoverCapacity) {
            ++over_capacity;
            std::cout << member << " has load " << state.load << "\n";
          }
        }
      }
      std::this_thread::sleep_for(50ms);
    }
  });
  struct StopSampling {
    std::atomic<bool>& flag;
    std::thread& thread;
    ~StopSampling() {
      flag = false;
      if (thread.joinable()) thread.join();
    }
  } stop_sampling{sampling, sampler};

  auto run_started = SteadyClock::now();
  ASSERT_TRUE(testing::eventually([&] { return acknowledged_count.load() >= kAckedAtKill; }, 30s))
      << "only " << acknowledged_count.load() << " acknowledged";
  int old_master_port = (*group)->master().port();
  if (replica == Replica::kBehind) {
    auto stalled = (*group)->stall_replica();
    ASSERT_TRUE(stalled.has_value()) << stalled.error().message;
    std::this_thread::sleep_for(500ms);  // the master acknowledges writes the replica lacks
  }
  auto killed = SteadyClock::now();
  killed_at_ns = ns_of(killed);
  (*group)->master().kill();
  if (replica == Replica::kBehind) (*group)->resume_replica();
  // The promoted replica has no replica of its own to confirm steps: a new one is started for it
  // once the sentinels have named it, as an orchestrator replaces a lost node (asking the
  // sentinels for the master, as the usual Sentinel charts' start scripts do).
  int promoted_port = 0;
  ASSERT_TRUE(testing::eventually(
      [&] {
        promoted_port = (*group)->named_master_port();
        return promoted_port != 0 && promoted_port != old_master_port;
      },
      20s, 50ms))
      << "the sentinels never promoted the replica";
  // Priority 0: the sentinels never promote it. One that has not finished its first sync is
  // empty, and the sentinels would promote it if the new master looked down for a moment (a
  // loaded machine, down-after 1 s), wiping every task (docs/configuration.md).
  auto replacement =
      RedisProcess::start({.data_dir = dir.str() + "/redis/replacement",
                           .password = kFailoverPassword,
                           .extra_args = {"--replicaof", "127.0.0.1", std::to_string(promoted_port),
                                          "--replica-priority", "0"}});
  ASSERT_TRUE(replacement.has_value()) << replacement.error().message;
  int acked_at_kill = acknowledged_count.load();

  // A firm keeps retrying; the test gives it two minutes rather than hanging until ctest's limit.
  bool all_acknowledged =
      testing::eventually([&] { return acknowledged_count.load() >= kFailoverTasks; }, 120s, 100ms);
  submitting = false;
  for (auto& t : submitters) t.join();
  ASSERT_TRUE(all_acknowledged) << acknowledged_count.load() << " of " << kFailoverTasks
                                << " acknowledged; " << unavailable.load() << " UNAVAILABLE, "
                                << other_failures.load() << " other failures";
  auto all_acked = SteadyClock::now();
  std::vector<std::string> ids;
  {
    std::lock_guard lock(acked_mutex);
    for (const auto& [key, id] : task_of_key) ids.push_back(id);
  }
  ASSERT_EQ(static_cast<int>(ids.size()), kFailoverTasks);
  int new_master_port = (*group)->named_master_port();
  EXPECT_NE(new_master_port, old_master_port) << "the sentinels promoted the replica";

  int done = 0;
  testing::eventually(
      [&] {
        done = testing::count_completed(tasks, ids);
        return done == static_cast<int>(ids.size());
      },
      40s, 200ms);
  auto all_done = SteadyClock::now();
  staff.stop();
  sampling = false;
  sampler.join();

  auto statuses = testing::count_statuses(tasks, ids);
  std::string by_status;
  if (statuses) {
    for (const auto& [status, n] : *statuses) by_status += cat(" ", status, "=", n);
  }
  auto after_completion = seen.offered_after_completion();
  auto by_two = seen.completed_by_two();
  // ms from the kill to a moment stored as steady-clock ticks; "never" for none.
  auto after_kill = [&](int64_t ticks) {
    if (ticks == 0) return std::string("never");
    return cat(ms_since(killed, SteadyClock::time_point(SteadyClock::duration(ticks))), " ms");
  };
  std::cout << "failover (replica " << (replica == Replica::kBehind ? "behind" : "in step")
            << "): " << ids.size() << " tasks acknowledged (" << acked_at_kill
            << " before the kill); " << unavailable.load() << " submits answered UNAVAILABLE, "
            << other_failures.load() << " otherwise refused, all retried; first refusal "
            << after_kill(first_failure_ns.load()) << " after the kill, first acknowledged submit "
            << "after a refusal " << after_kill(back_ns.load())
            << " after the kill; first completion acknowledged " << after_kill(staff_back_ns.load())
            << " after the kill; all acknowledged " << ms_since(killed, all_acked)
            << " ms after the kill; " << done << " completed ("
            << static_cast<int>(ids.size()) - done << " lost), all completed "
            << ms_since(killed, all_done) << " ms after the kill ("
            << ms_since(run_started, all_done) << " ms of load);" << by_status << "; "
            << seen.same_staff_again() << " offers sent again to the same member, "
            << seen.other_staff() << " offers to a second member, " << after_completion.size()
            << " offered after being completed (" << seen.made_before_completion()
            << " more read after it, made before it), " << by_two.size()
            << " completed by two staff; " << staff.unavailable()
            << " staff steps answered UNAVAILABLE, all retried; router rewinds "
            << dev.node().router()->rewinds() << "; " << load_samples.load() << " load samples, "
            << over_capacity.load() << " over capacity; master port " << old_master_port << " -> "
            << new_master_port << "\n";

  // What Redis remembers of a few tasks done twice or offered after completion: the history the
  // new master holds.
  std::vector<std::string> sample(by_two.begin(),
                                  by_two.begin() + std::min<size_t>(3, by_two.size()));
  auto offered_late = seen.tasks_offered_after_completion();
  sample.insert(sample.end(), offered_late.begin(),
                offered_late.begin() + std::min<size_t>(3, offered_late.size()));
  if (auto looks = tasks.look_up(sample, std::vector<bool>(sample.size(), true))) {
    for (size_t i = 0; i < sample.size(); ++i) {
      std::cout << sample[i] << " completed by " << seen.completers(sample[i]) << "; history:";
      if ((*looks)[i].task) {
        for (const auto& step : (*looks)[i].task->history()) {
          std::cout << " " << v1::TaskStatus_Name(step.status()) << "(" << step.actor() << ")";
        }
      }
      std::cout << "\n";
    }
  }

  EXPECT_EQ(done, static_cast<int>(ids.size())) << "every acknowledged task ends COMPLETED";
  // Refusals are the price of the failover, and end with it: firms are answered again, and
  // everything is done, within a bound (the sentinels take a few seconds to agree).
  EXPECT_NE(back_ns.load(), 0) << "no submit was acknowledged after a refusal";
  EXPECT_LT(ms_since(killed, SteadyClock::time_point(SteadyClock::duration(back_ns.load()))),
            kRecoveryBound.count())
      << "submits refused too long after the kill";
  EXPECT_NE(staff_back_ns.load(), 0) << "no completion was acknowledged after the kill";
  EXPECT_LT(ms_since(killed, SteadyClock::time_point(SteadyClock::duration(staff_back_ns.load()))),
            kRecoveryBound.count())
      << "staff steps refused too long after the kill";
  EXPECT_LT(ms_since(killed, all_done), kAllDoneBound.count()) << "work finished too late";
  EXPECT_TRUE(after_completion.empty())
      << "asked to do completed work again, e.g. " << after_completion.front() << "; "
      << after_completion.back();
  EXPECT_TRUE(by_two.empty()) << "completed by two staff members, e.g. " << by_two.front();
  EXPECT_TRUE(key_bound_twice.empty())
      << "one idempotency key answered with two task ids, e.g. " << key_bound_twice.front();
  EXPECT_EQ(over_capacity.load(), 0) << "a load above capacity";
  EXPECT_GT(load_samples.load(), 0);
  auto states = staff_store.states("default");
  ASSERT_TRUE(states.has_value()) << states.error().message;
  for (const auto& [member, state] : *states) EXPECT_EQ(state.load, 0) << member;
}

TEST(SentinelFailover, KillingTheMasterUnderLoadLosesNoAcknowledgedTaskAndOffersNoneTwice) {
  kill_master_under_load(Replica::kInStep);
}

TEST(SentinelFailover, KillingAMasterWhoseReplicaFellBehindLosesNothingAndRedoesNoWork) {
  kill_master_under_load(Replica::kBehind);
}

}  // namespace
}  // namespace lexroute
