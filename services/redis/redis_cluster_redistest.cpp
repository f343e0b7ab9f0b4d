// A Redis Cluster of three masters with a replica each, started for this suite: the stores work
// for pools spread over every master; a slot moved under writes and masters failed over (switched
// over, then killed) lose and double nothing acknowledged, and the client follows; notifications
// reach a Notifier subscribed on each channel's master.
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "router/clock.h"
#include "router/text.h"
#include "services/common/task_id.h"
#include "services/redis/cluster_slots.h"
#include "services/redis/keys.h"
#include "services/redis/notifier.h"
#include "services/redis/pool_store.h"
#include "services/redis/staff_store.h"
#include "services/redis/task_store.h"
#include "tests/support/eventually.h"
#include "tests/support/redis_cluster.h"
#include "tests/support/temp_dir.h"

namespace lexroute {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

constexpr const char* kClusterPassword = "cluster-Test-pw";

double cluster_ms_between(SteadyClock::time_point a, SteadyClock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

class RedisClusterTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<testing::TempDir>();
    auto started = testing::RedisCluster::start(dir_->str(), kClusterPassword);
    ASSERT_TRUE(started.has_value()) << started.error().message;
    cluster_ = std::move(*started);
  }
  static void TearDownTestSuite() {
    cluster_.reset();
    dir_.reset();
  }
  void SetUp() override {
    ASSERT_NE(cluster_, nullptr);
    redis_ = std::make_unique<RedisClient>(RedisClient::Options{cluster_->endpoint(), 4, 2000ms});
    tasks_ = std::make_unique<TaskStore>(*redis_, clock_);
    staff_ = std::make_unique<StaffStore>(*redis_);
  }

  // A pool name per master, each's keys served by a different one (pools named `prefix`-N).
  std::map<int, std::string> pool_per_master(const std::string& prefix) {
    std::map<int, std::string> out;
    for (int i = 0; out.size() < 3 && i < 1000; ++i) {
      std::string pool = cat(prefix, "-", i);
      int master = cluster_->master_of_slot(key_slot(keys::pool_prefix(pool)));
      if (master != 0 && !out.contains(master)) out[master] = pool;
    }
    return out;
  }

  void add_staff(const std::string& pool, const std::string& id, int capacity) {
    v1::Staff s;
    s.set_id(id);
    s.set_pool(pool);
    s.set_time_zone("Europe/London");
    s.set_capacity(capacity);
    auto upserted = staff_->upsert(s);
    ASSERT_TRUE(upserted.has_value()) << upserted.error().message;
    auto available = staff_->set_availability(pool, id, Availability::kAvailable, 0);
    ASSERT_TRUE(available.has_value()) << available.error().message;
  }

  v1::TaskSubmitted task_in(const std::string& pool) {
    v1::TaskSubmitted t;
    t.set_task_id(new_task_id(clock_.now_ms(), pool));
    t.set_firm_id("acme");
    t.mutable_spec()->set_pool(pool);
    t.mutable_spec()->set_matter_id("m-1");
    t.mutable_spec()->set_priority(3);
    *t.mutable_submitted_at() =
        google::protobuf::util::TimeUtil::MillisecondsToTimestamp(clock_.now_ms());
    return t;
  }

  static TaskStore::RouteAttempt offer(const v1::TaskSubmitted& t, const std::string& staff) {
    TaskStore::RouteAttempt a;
    a.task = &t;
    a.staff_id = staff;
    a.reason = "nobody free";
    return a;
  }

  static inline std::unique_ptr<testing::TempDir> dir_;
  static inline std::unique_ptr<testing::RedisCluster> cluster_;
  ManualClock clock_{std::chrono::system_clock::from_time_t(1'800'000'000)};
  std::unique_ptr<RedisClient> redis_;
  std::unique_ptr<TaskStore> tasks_;
  std::unique_ptr<StaffStore> staff_;
};

TEST_F(RedisClusterTest, StoresServePoolsOnEveryMasterAndBatchesAnswerInOrder) {
  auto pools = pool_per_master("spread");
  ASSERT_EQ(pools.size(), 3u) << "three masters, a pool on each";
  std::vector<v1::TaskSubmitted> offered;
  for (const auto& [master, pool] : pools) {
    ASSERT_NO_FATAL_FAILURE(add_staff(pool, "ana", 2));
    offered.push_back(task_in(pool));
  }
  // One batch across the three masters: each attempt is answered as its own.
  std::vector<TaskStore::RouteAttempt> attempts;
  for (const auto& t : offered) attempts.push_back(offer(t, "ana"));
  std::vector<const TaskStore::RouteAttempt*> batch;
  for (const auto& a : attempts) batch.push_back(&a);
  auto outcomes = tasks_->route_each(batch);
  ASSERT_TRUE(outcomes.has_value()) << outcomes.error().message;
  ASSERT_EQ(outcomes->size(), 3u);
  for (auto o : *outcomes) EXPECT_EQ(o, TaskStore::RouteOutcome::kOffered);

  for (const auto& t : offered) {
    const std::string& pool = t.spec().pool();
    auto accepted = tasks_->accept(pool, "ana", t.task_id());
    ASSERT_TRUE(accepted.has_value()) << accepted.error().message;
    EXPECT_EQ(accepted->status(), v1::TASK_STATUS_ACCEPTED);
    auto done = tasks_->complete(pool, "ana", t.task_id(), "responsive", "");
    ASSERT_TRUE(done.has_value()) << done.error().message;
    EXPECT_EQ(done->status(), v1::TASK_STATUS_COMPLETED);
    EXPECT_EQ(done->history_size(), 4);
    auto states = staff_->states(pool);
    ASSERT_TRUE(states.has_value()) << states.error().message;
    EXPECT_EQ((*states)["ana"].load, 0) << pool << ": capacity released";
  }
  // Several pools' lookups in one pipeline, split by master, in the caller's order.
  std::vector<std::string> ids;
  for (const auto& t : offered) ids.push_back(t.task_id());
  auto looks = tasks_->look_up(ids, {true, true, true});
  ASSERT_TRUE(looks.has_value()) << looks.error().message;
  for (size_t i = 0; i < ids.size(); ++i) {
    ASSERT_TRUE((*looks)[i].task.has_value());
    EXPECT_EQ((*looks)[i].task->id(), ids[i]);
  }
  // SCAN walks every master.
  auto counted = tasks_->count_task_records("spread-*");
  ASSERT_TRUE(counted.has_value()) << counted.error().message;
  EXPECT_EQ(*counted, offered.size());
  auto listed = staff_->pools();
  ASSERT_TRUE(listed.has_value()) << listed.error().message;
  for (const auto& [master, pool] : pools) {
    EXPECT_NE(std::find(listed->begin(), listed->end(), pool), listed->end()) << pool;
  }

  // Idempotency claims for firms on different masters: the second claim finds the first.
  for (int firm = 0; firm < 6; ++firm) {
    std::string f = cat("firm-", firm);
    auto first = tasks_->claim_idempotency_key(f, "k", cat("t-", firm), "fp", "rec");
    ASSERT_TRUE(first.has_value()) << first.error().message;
    EXPECT_TRUE(first->is_new);
    auto again = tasks_->claim_idempotency_key(f, "k", "other", "fp2", "rec2");
    ASSERT_TRUE(again.has_value()) << again.error().message;
    EXPECT_FALSE(again->is_new);
    EXPECT_EQ(again->task_id, cat("t-", firm));
  }
  EXPECT_TRUE(redis_->ping().has_value()) << "every master answers";

  // A transaction stays on its pool's slot (the untagged pool list is written apart from it),
  // and the elastic-pool scripts run there.
  PoolStore elastic(*redis_, *staff_, *tasks_, clock_);
  const std::string& pool = pools.begin()->second;
  v1::PoolScaling scaling;
  scaling.set_max_active(5);
  scaling.add_bench_staff("bo");
  auto set = elastic.set_scaling(pool, scaling);
  ASSERT_TRUE(set.has_value()) << set.error().message;
  auto called = elastic.call_in(pool, "bo", "apex", "backlog");
  ASSERT_TRUE(called.has_value()) << called.error().message;
  EXPECT_TRUE(*called);
  EXPECT_EQ(elastic.bench(pool)->at("bo"), "CALLED_IN");
}

// Offers made to one staff member as fast as the client answers, each retried until answered.
class ClusterOfferWriter {
 public:
  ClusterOfferWriter(TaskStore& tasks, std::string pool) : tasks_(tasks), pool_(std::move(pool)) {
    thread_ = std::thread([this] { run(); });
  }
  ~ClusterOfferWriter() { stop(); }
  void stop() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
  }
  std::vector<std::string> acknowledged() {
    std::lock_guard lock(mutex_);
    return acknowledged_;
  }
  int failures() const { return failures_.load(); }
  std::string other_failure() {
    std::lock_guard lock(mutex_);
    return other_failure_;
  }

 private:
  void run() {
    for (int n = 0; !stopping_; ++n) {
      v1::TaskSubmitted t;
      t.set_task_id(cat(pool_, "-task-", n));
      t.set_firm_id("acme");
      t.mutable_spec()->set_pool(pool_);
      t.mutable_spec()->set_matter_id("m");
      TaskStore::RouteAttempt a;
      a.task = &t;
      a.staff_id = "ana";
      a.reason = "nobody free";
      // The router's way: sent again until answered; the script makes the retry harmless.
      while (!stopping_) {
        auto routed = tasks_.route(a);
        if (routed) {
          std::lock_guard lock(mutex_);
          acknowledged_.push_back(t.task_id());
          break;
        }
        ++failures_;
        if (routed.error().code != Errc::kUnavailable) {
          std::lock_guard lock(mutex_);
          if (other_failure_.empty()) other_failure_ = routed.error().message;
        }
        std::this_thread::sleep_for(10ms);
      }
    }
  }

  TaskStore& tasks_;
  std::string pool_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> failures_{0};
  std::mutex mutex_;
  std::vector<std::string> acknowledged_;
  std::string other_failure_;
  std::thread thread_;
};

TEST_F(RedisClusterTest, ASlotMovedUnderWritesLosesAndDoublesNothing) {
  auto pools = pool_per_master("moving");
  ASSERT_EQ(pools.size(), 3u);
  const auto& [from, pool] = *pools.begin();
  int to = std::next(pools.begin())->first;
  ASSERT_NO_FATAL_FAILURE(add_staff(pool, "ana", 1'000'000));
  int slot = key_slot(keys::pool_prefix(pool));

  ClusterOfferWriter writer(*tasks_, pool);
  ASSERT_TRUE(testing::eventually([&] { return writer.acknowledged().size() >= 30; }));
  // A few keys at a time, with writes and reads in between. A script whose keys are partly moved
  // meets TRYAGAIN (retried); a read of a key already moved meets ASK (followed).
  int reads = 0, failed_reads = 0;
  auto moved = cluster_->migrate_slot(slot, to, 5, [&] {
    auto states = staff_->states(pool);
    auto offers = staff_->open_offers(pool, "ana");
    ++reads;
    failed_reads += !states || !offers || !(*states).contains("ana");
  });
  ASSERT_TRUE(moved.has_value()) << moved.error().message;
  size_t at_move = writer.acknowledged().size();
  ASSERT_TRUE(testing::eventually([&] { return writer.acknowledged().size() >= at_move + 30; }));
  writer.stop();
  EXPECT_EQ(cluster_->master_of_slot(slot), to);
  EXPECT_EQ(writer.other_failure(), "");
  // The writes met the half-moved slot: the target served some after ASKING.
  RedisClient target({cluster_->node_endpoint(to), 1, 1000ms});
  auto stats = target.command({"INFO", "commandstats"});
  ASSERT_TRUE(stats.has_value()) << stats.error().message;
  bool asked = stats->str.find("cmdstat_asking:calls=") != std::string::npos;

  auto acknowledged = writer.acknowledged();
  auto offers = staff_->open_offers(pool, "ana");
  ASSERT_TRUE(offers.has_value()) << offers.error().message;
  std::set<std::string> open(offers->begin(), offers->end());
  std::set<std::string> acked(acknowledged.begin(), acknowledged.end());
  // Whatever was sent but not answered (the writer stopped mid-retry) may be there too.
  size_t lost = 0;
  for (const auto& id : acked) lost += !open.contains(id);
  auto states = staff_->states(pool);
  ASSERT_TRUE(states.has_value()) << states.error().message;
  long long load = (*states)["ana"].load;
  std::cout << "[ figures ] slot " << slot << " moved " << from << " -> " << to << ": "
            << acked.size() << " offers acknowledged, " << lost << " lost, load " << load << " for "
            << open.size() << " open offers (" << writer.failures()
            << " attempts answered UNAVAILABLE; ASK followed: " << (asked ? "yes" : "no") << ")\n";
  EXPECT_TRUE(asked);
  EXPECT_GT(reads, 0);
  EXPECT_EQ(failed_reads, 0) << "of " << reads << " reads while the slot moved";
  EXPECT_EQ(lost, 0u);
  EXPECT_EQ(acked.size(), acknowledged.size()) << "no task acknowledged twice";
  EXPECT_EQ(load, static_cast<long long>(open.size())) << "no offer counted twice";
}

// Idempotency claims that wait for a replica (as intake's do), each retried until answered.
class ClusterClaimWriter {
 public:
  ClusterClaimWriter(TaskStore& tasks, std::string firm, std::string prefix)
      : tasks_(tasks), firm_(std::move(firm)), prefix_(std::move(prefix)) {
    thread_ = std::thread([this] { run(); });
  }
  ~ClusterClaimWriter() { stop(); }
  void stop() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
  }
  std::vector<std::pair<std::string, SteadyClock::time_point>> acknowledged() {
    std::lock_guard lock(mutex_);
    return acknowledged_;
  }
  int doubled() const { return doubled_.load(); }

 private:
  void run() {
    for (int n = 0; !stopping_; ++n) {
      std::string key = cat(prefix_, n);
      while (!stopping_) {
        auto claim = tasks_.claim_idempotency_key(firm_, key, cat("task-", n), "fp", "rec");
        if (claim) {
          // A retry finds its own first try; anything else is a claim made twice.
          if (claim->task_id != cat("task-", n)) ++doubled_;
          std::lock_guard lock(mutex_);
          acknowledged_.emplace_back(key, SteadyClock::now());
          break;
        }
        std::this_thread::sleep_for(10ms);
      }
    }
  }

  TaskStore& tasks_;
  std::string firm_, prefix_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> doubled_{0};
  std::mutex mutex_;
  std::vector<std::pair<std::string, SteadyClock::time_point>> acknowledged_;
  std::thread thread_;
};

// The largest gap between acknowledgements after `since`: how long writers were cut off.
double cluster_longest_gap(
    const std::vector<std::pair<std::string, SteadyClock::time_point>>& acked,
    SteadyClock::time_point since) {
  double gap = 0;
  SteadyClock::time_point previous = since;
  for (const auto& [key, at] : acked) {
    if (at < since) continue;
    gap = std::max(gap, cluster_ms_between(previous, at));
    previous = at;
  }
  return gap;
}

TEST_F(RedisClusterTest, TheClientFollowsASwitchoverAndAKilledMaster) {
  std::string firm;
  int master = 0;
  for (int i = 0; master == 0; ++i) {
    firm = cat("failing-", i);
    master = cluster_->master_of_slot(key_slot(keys::idempotency(firm, "x")));
  }
  int slot = key_slot(keys::idempotency(firm, "x"));
  // Claims as intake makes them, acknowledged once the master's replica holds them, and claims
  // acknowledged by the master alone (how soon the client itself follows).
  TaskStore waiting_tasks(*redis_, clock_, ReplicaWait{1, 1000ms});
  ClusterClaimWriter replicated(waiting_tasks, firm, "replicated-");
  ClusterClaimWriter plain(*tasks_, firm, "plain-");
  ASSERT_TRUE(testing::eventually([&] { return replicated.acknowledged().size() >= 20; }));

  int replica = cluster_->replica_of(master);
  ASSERT_NE(replica, 0);
  auto switched_at = SteadyClock::now();
  auto switched_over = cluster_->switch_over(replica, slot, 30s);
  ASSERT_TRUE(switched_over.has_value()) << switched_over.error().message;
  size_t at_switch = replicated.acknowledged().size();
  ASSERT_TRUE(
      testing::eventually([&] { return replicated.acknowledged().size() >= at_switch + 20; }));
  double switch_gap = cluster_longest_gap(plain.acknowledged(), switched_at);
  double switch_gap_replicated = cluster_longest_gap(replicated.acknowledged(), switched_at);

  // The old master, a replica now, holds everything acknowledged when its new master dies. The
  // cluster promotes it back; the killed node, restarted, becomes its replica, and only then can
  // claims that wait for a replica be acknowledged again.
  ASSERT_TRUE(testing::eventually([&] { return cluster_->replica_of(replica) == master; }, 15s));
  auto killed_at = SteadyClock::now();
  cluster_->process_on(replica).kill();
  ASSERT_TRUE(
      testing::eventually([&] { return cluster_->master_of_slot(slot) == master; }, 20s, 50ms));
  double promoted_ms = cluster_ms_between(killed_at, SteadyClock::now());
  size_t plain_at_promotion = plain.acknowledged().size();
  ASSERT_TRUE(
      testing::eventually([&] { return plain.acknowledged().size() >= plain_at_promotion + 20; }));
  EXPECT_TRUE(cluster_->process_on(replica).restart().has_value());
  size_t at_kill = replicated.acknowledged().size();
  ASSERT_TRUE(
      testing::eventually([&] { return replicated.acknowledged().size() >= at_kill + 20; }, 20s));
  replicated.stop();
  plain.stop();
  double kill_gap = cluster_longest_gap(plain.acknowledged(), killed_at);
  double kill_gap_replicated = cluster_longest_gap(replicated.acknowledged(), killed_at);

  auto acked = replicated.acknowledged();
  size_t lost = 0;
  for (const auto& [key, at] : acked) {
    auto again = tasks_->claim_idempotency_key(firm, key, "late", "fp", "rec");
    ASSERT_TRUE(again.has_value()) << again.error().message;
    lost += again->is_new;
  }
  std::cout << "[ figures ] switchover: longest wait for an acknowledgement " << switch_gap
            << " ms (" << switch_gap_replicated << " ms waiting for a replica); master killed: "
            << "replica promoted after " << promoted_ms << " ms, longest wait " << kill_gap
            << " ms (" << kill_gap_replicated << " ms waiting for a replica, the killed node "
            << "restarted as one); " << acked.size() << " replicated claims acknowledged, " << lost
            << " lost, " << replicated.doubled() + plain.doubled() << " doubled\n";
  EXPECT_EQ(lost, 0u);
  EXPECT_EQ(replicated.doubled(), 0);
  EXPECT_EQ(plain.doubled(), 0);
  EXPECT_LT(kill_gap, 15000.0);
}

TEST_F(RedisClusterTest, NotificationsReachTheNotifierOnEachChannelsMaster) {
  auto pools = pool_per_master("heard");
  ASSERT_EQ(pools.size(), 3u);
  Notifier notifier(cluster_->endpoint());
  for (const auto& [master, pool] : pools) {
    const std::string wake = keys::wake_channel(pool);
    uint64_t before = notifier.generation(wake);
    // Published until heard: the subscription may not be up yet.
    ASSERT_TRUE(testing::eventually([&] {
      auto sent = redis_->command({"SPUBLISH", wake, "free probe"});
      return sent && notifier.generation(wake) != before;
    })) << pool
        << " on " << master;
  }
  // A script's own publication: an offer tells the staff member's channel.
  const std::string& pool = pools.rbegin()->second;
  ASSERT_NO_FATAL_FAILURE(add_staff(pool, "raj", 1));
  const std::string channel = keys::staff_channel(pool, "raj");
  uint64_t seen = notifier.generation(channel);
  ASSERT_TRUE(testing::eventually([&] {
    auto sent = redis_->command({"SPUBLISH", channel, "probe"});
    return sent && notifier.generation(channel) != seen;
  }));
  seen = notifier.generation(channel);
  auto t = task_in(pool);
  auto routed = tasks_->route(offer(t, "raj"));
  ASSERT_TRUE(routed.has_value()) << routed.error().message;
  ASSERT_EQ(*routed, TaskStore::RouteOutcome::kOffered);
  notifier.wait(channel, seen, 5s);
  EXPECT_NE(notifier.generation(channel), seen) << "the offer's SPUBLISH reached the notifier";

  // A switchover of the master serving a pool's channel: what the new master publishes on it
  // still arrives (a new connection alone also bumps generations, so the messages are read).
  const std::string wake = keys::wake_channel(pools.begin()->second);
  int slot = key_slot(wake);
  int replica = cluster_->replica_of(cluster_->master_of_slot(slot));
  ASSERT_NE(replica, 0);
  bool complete = false;
  notifier.take_wake_messages(wake, &complete);
  auto switched_over = cluster_->switch_over(replica, slot, 30s);
  ASSERT_TRUE(switched_over.has_value()) << switched_over.error().message;
  auto switched = SteadyClock::now();
  bool heard = testing::eventually(
      [&] {
        auto sent = redis_->command({"SPUBLISH", wake, "free after-switchover"});
        auto messages = notifier.take_wake_messages(wake, &complete);
        return sent && std::find(messages.begin(), messages.end(), "free after-switchover") !=
                           messages.end();
      },
      15s, 50ms);
  EXPECT_TRUE(heard) << "nothing published on the new master reached the notifier";
  std::cout << "[ figures ] notifications after a switchover: heard "
            << cluster_ms_between(switched, SteadyClock::now())
            << " ms after every node agreed on the new master\n";
}

}  // namespace
}  // namespace lexroute
