// A Sentinel-managed master is killed while the client writes: the client follows the failover to
// the promoted replica, answers kUnavailable (retriable) in the meantime and never hangs, and
// everything acknowledged after the failover is on the new master.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "router/text.h"
#include "services/common/child_process.h"
#include "services/redis/keys.h"
#include "services/redis/notifier.h"
#include "services/redis/redis_client.h"
#include "services/redis/redis_process.h"
#include "tests/support/eventually.h"
#include "tests/support/sentinel_group.h"
#include "tests/support/temp_dir.h"

namespace lexroute {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

constexpr const char* kSentinelPassword = "sentinel-Test-pw";

struct Write {
  int seq = 0;
  SteadyClock::time_point started, answered;
  std::optional<Errc> failure;  // empty: acknowledged
  std::string message;          // the failure's, when it is not kUnavailable
};

// Writers that SET one new key each, as fast as the client answers, and remember every outcome.
class Writers {
 public:
  Writers(RedisClient& client, int threads) {
    for (int t = 0; t < threads; ++t) threads_.emplace_back([this, &client] { run(client); });
  }
  ~Writers() { stop(); }
  void stop() {
    stopping_ = true;
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  std::vector<Write> writes() {
    std::lock_guard lock(mutex_);
    return writes_;
  }
  int acknowledged_after(SteadyClock::time_point t) {
    std::lock_guard lock(mutex_);
    return static_cast<int>(std::count_if(writes_.begin(), writes_.end(), [&](const Write& w) {
      return !w.failure && w.started > t;
    }));
  }

 private:
  void run(RedisClient& client) {
    while (!stopping_) {
      Write w{next_seq_++, SteadyClock::now(), {}, {}, {}};
      auto set = client.command({"SET", cat("failover:", w.seq), "1"});
      w.answered = SteadyClock::now();
      if (!set) w.failure = set.error().code;
      if (!set && set.error().code != Errc::kUnavailable) w.message = set.error().message;
      {
        std::lock_guard lock(mutex_);
        writes_.push_back(w);
      }
      // A caller told "unavailable" retries after a pause, as intake's clients do.
      if (!set) std::this_thread::sleep_for(20ms);
    }
  }

  std::atomic<bool> stopping_{false};
  std::atomic<int> next_seq_{0};
  std::mutex mutex_;
  std::vector<Write> writes_;
  std::vector<std::thread> threads_;
};

std::vector<int> missing_on(RedisClient& redis, const std::vector<int>& seqs) {
  std::vector<int> missing;
  for (size_t from = 0; from < seqs.size(); from += 500) {
    std::vector<std::vector<std::string>> reads;
    for (size_t i = from; i < std::min(seqs.size(), from + 500); ++i) {
      reads.push_back({"EXISTS", cat("failover:", seqs[i])});
    }
    auto replies = redis.pipeline(reads);
    EXPECT_TRUE(replies.has_value()) << replies.error().message;
    if (!replies) return seqs;
    for (size_t i = 0; i < replies->size(); ++i) {
      if ((*replies)[i].integer != 1) missing.push_back(seqs[from + i]);
    }
  }
  return missing;
}

double ms_between(SteadyClock::time_point a, SteadyClock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

// The writes split at `since`: those started after it and acknowledged, those acknowledged
// before, and how the failures and answer times looked.
struct Tally {
  std::vector<int> acked_before, acked_after;
  int failed = 0, failed_retriable = 0;
  std::string other_failure;  // the first failure that was not kUnavailable
  SteadyClock::time_point first_failure = SteadyClock::time_point::max();
  SteadyClock::time_point first_success_after = SteadyClock::time_point::max();
  double slowest_ms = 0;

  Tally(const std::vector<Write>& writes, SteadyClock::time_point since) {
    for (const auto& w : writes) {
      slowest_ms = std::max(slowest_ms, ms_between(w.started, w.answered));
      if (w.failure) {
        ++failed;
        if (*w.failure == Errc::kUnavailable) ++failed_retriable;
        if (*w.failure != Errc::kUnavailable && other_failure.empty()) other_failure = w.message;
        first_failure = std::min(first_failure, w.started);
      } else if (w.started > since) {
        acked_after.push_back(w.seq);
        first_success_after = std::min(first_success_after, w.answered);
      } else {
        acked_before.push_back(w.seq);
      }
    }
  }
  double unavailable_ms() const {
    return failed == 0 ? 0.0 : ms_between(first_failure, first_success_after);
  }
};

// A Sentinel group whose sentinels know each other and the replica, and a client writing to it.
class RedisSentinel : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = testing::SentinelGroup::start(dir_.str(), kSentinelPassword);
    ASSERT_TRUE(started.has_value()) << started.error().message;
    group_ = std::move(*started);
    ASSERT_TRUE(testing::eventually([&] { return group_->ready_for_failover(); }, 15s, 100ms))
        << "the sentinels never learned of the replica and of each other";
    ASSERT_EQ(group_->named_master_port(), group_->master().port());
    client_ = std::make_unique<RedisClient>(RedisClient::Options{group_->endpoint(), 4, 1000ms});
    ASSERT_TRUE(client_->ping().has_value());
  }

  // What the new master (the promoted replica) lacks of `seqs`.
  std::vector<int> missing_on_new_master(const std::vector<int>& seqs) {
    RedisClient check({group_->replica().endpoint(), 1, 5000ms});
    return missing_on(check, seqs);
  }

  SteadyClock::time_point test_started_ = SteadyClock::now();
  testing::TempDir dir_;
  std::unique_ptr<testing::SentinelGroup> group_;
  std::unique_ptr<RedisClient> client_;
};

TEST_F(RedisSentinel, TheClientFollowsAFailoverAndWritesGoOn) {
  Writers writers(*client_, 4);
  ASSERT_TRUE(
      testing::eventually([&] { return writers.acknowledged_after(test_started_) >= 200; }));

  group_->master().kill();
  // kill() returns once the old master is gone for good, so whatever is acknowledged of the
  // writes started from here on was written to the promoted replica.
  auto killed_at = SteadyClock::now();
  bool went_on =
      testing::eventually([&] { return writers.acknowledged_after(killed_at) >= 500; }, 20s, 50ms);
  writers.stop();
  ASSERT_TRUE(went_on) << "writes did not go on after the failover";
  // The first sentinel may learn of the new master last; the client asked the others meanwhile.
  EXPECT_TRUE(testing::eventually(
      [&] { return group_->named_master_port() == group_->replica().port(); }, 10s, 50ms));

  Tally t(writers.writes(), killed_at);
  // The window is real (writes failed while no master was known), and every failure in it said
  // "retry later".
  EXPECT_GT(t.failed, 0);
  EXPECT_EQ(t.failed_retriable, t.failed) << t.other_failure;
  // No call hung: each answered within the client's timeout and a round of the sentinels.
  EXPECT_LT(t.slowest_ms, 3000);
  auto lost_after = missing_on_new_master(t.acked_after);
  auto lost_before = missing_on_new_master(t.acked_before);
  EXPECT_TRUE(lost_after.empty()) << lost_after.size()
                                  << " writes acknowledged after the failover are missing";
  // Replication is asynchronous: a write the old master acknowledged in its last moment may not
  // have reached the replica. Reported, not asserted.
  std::cout << "failover after SIGKILL: writes unavailable for " << t.unavailable_ms()
            << " ms (kill to first acknowledged write "
            << ms_between(killed_at, t.first_success_after) << " ms); " << t.failed
            << " calls answered kUnavailable; slowest call " << t.slowest_ms
            << " ms; acknowledged before the kill " << t.acked_before.size()
            << " (missing on the new master: " << lost_before.size() << "), after "
            << t.acked_after.size() << " (missing: " << lost_after.size() << "); test took "
            << ms_between(test_started_, SteadyClock::now()) << " ms\n";
}

// A switchover promotes the replica while the old master stays up: it keeps taking writes on the
// connections it has until the sentinels demote it, up to ten seconds later, and those writes are
// lost then. The client looks at what the sentinels name at least once a second and leaves.
TEST_F(RedisSentinel, TheClientFollowsASwitchoverWithinASecond) {
  // Subscribed on the old master, which will not pass on what the new one publishes.
  Notifier notifier(group_->endpoint());
  const std::string wake = keys::wake_channel("switched");
  notifier.generation(wake);
  Writers writers(*client_, 4);
  ASSERT_TRUE(
      testing::eventually([&] { return writers.acknowledged_after(test_started_) >= 200; }));

  ASSERT_TRUE(group_->switch_over().has_value());
  ASSERT_TRUE(testing::eventually(
      [&] { return group_->named_master_port() == group_->replica().port(); }, 20s, 10ms));
  auto named_at = SteadyClock::now();
  bool went_on = testing::eventually(
      [&] { return writers.acknowledged_after(named_at + 2s) >= 500; }, 20s, 50ms);
  writers.stop();
  ASSERT_TRUE(went_on) << "writes did not go on after the switchover";

  Tally t(writers.writes(), named_at);
  EXPECT_EQ(t.failed_retriable, t.failed) << t.other_failure;
  EXPECT_LT(t.slowest_ms, 3000);
  std::vector<int> acked = t.acked_before;
  acked.insert(acked.end(), t.acked_after.begin(), t.acked_after.end());
  auto lost_list = missing_on_new_master(acked);
  std::set<int> lost(lost_list.begin(), lost_list.end());
  double last_lost_ms = -1e9;
  int lost_after_named = 0;
  for (const auto& w : writers.writes()) {
    if (!lost.contains(w.seq)) continue;
    last_lost_ms = std::max(last_lost_ms, ms_between(named_at, w.started));
    if (w.started > named_at) ++lost_after_named;
  }
  // Lost are the old master's writes from the promotion to the client's next look at the
  // sentinels: at most a second after they named the new master, plus a margin for a busy
  // machine. Without the look, every write until the demotion would be.
  EXPECT_LT(last_lost_ms, 2000) << "a write started " << last_lost_ms
                                << " ms after the sentinels named the new master was lost";
  uint64_t heard = notifier.generation(wake);
  auto published_from = SteadyClock::now();
  EXPECT_TRUE(testing::eventually(
      [&] {
        auto sent = client_->command({"SPUBLISH", wake, "free probe"});
        return sent && notifier.generation(wake) != heard;
      },
      5s, 50ms))
      << "the notifier never moved to the new master";
  std::cout << "switchover: the notifier heard the new master "
            << ms_between(published_from, SteadyClock::now()) << " ms after the writes stopped\n";
  std::cout << "switchover: " << acked.size() << " writes acknowledged, " << lost.size()
            << " of them lost (" << lost_after_named
            << " started after the sentinels named the new master, the last " << last_lost_ms
            << " ms after); " << t.failed << " calls answered kUnavailable; slowest call "
            << t.slowest_ms << " ms; test took " << ms_between(test_started_, SteadyClock::now())
            << " ms\n";
}

TEST(RedisSentinelUnreachable, NoSentinelAnsweringIsUnavailableNamingThem) {
  RedisEndpoint endpoint;
  endpoint.host.clear();
  endpoint.password = kSentinelPassword;
  endpoint.sentinels = {{"127.0.0.1", pick_free_port()}, {"127.0.0.1", pick_free_port()}};
  endpoint.master_name = "lexroute";
  RedisClient client({endpoint, 1, 500ms});
  auto pong = client.ping();
  ASSERT_FALSE(pong.has_value());
  EXPECT_EQ(pong.error().code, Errc::kUnavailable);
  EXPECT_THAT(
      pong.error().message,
      ::testing::HasSubstr("redis master lexroute (sentinels " + endpoint.sentinels[0].to_string() +
                           "," + endpoint.sentinels[1].to_string() + "): redis at "));
  EXPECT_THAT(pong.error().message, ::testing::Not(::testing::HasSubstr(kSentinelPassword)));
}

// READONLY means the node was demoted under the connection: the connection is closed, so the next
// command reconnects (and in Sentinel mode asks the sentinels) rather than writing into a replica
// for as long as the connection lasts.
TEST(RedisReplica, AReadOnlyAnswerIsRetriableAndClosesTheConnection) {
  testing::TempDir dir;
  auto master =
      RedisProcess::start({.data_dir = dir.str() + "/master", .password = kSentinelPassword});
  ASSERT_TRUE(master.has_value()) << master.error().message;
  auto replica = RedisProcess::start(
      {.data_dir = dir.str() + "/replica",
       .password = kSentinelPassword,
       // Without an append-only file: a fresh replica writing its first one ignores the SIGTERM
       // that stops it at the end of the test.
       .extra_args = {"--replicaof", "127.0.0.1", std::to_string((*master)->port()), "--appendonly",
                      "no"}});
  ASSERT_TRUE(replica.has_value()) << replica.error().message;
  RedisClient observer({(*replica)->endpoint(), 1});
  auto connections_received = [&] {
    auto info = observer.command({"INFO", "stats"});
    EXPECT_TRUE(info.has_value());
    std::string_view text = info ? std::string_view(info->str) : std::string_view();
    constexpr std::string_view kField = "total_connections_received:";
    auto at = text.find(kField);
    long long n = -1;
    if (at != std::string_view::npos) {
      auto digits = text.substr(at + kField.size());
      parse_int(digits.substr(0, digits.find('\r')), &n);
    }
    return n;
  };
  RedisClient writer({(*replica)->endpoint(), 1});
  ASSERT_TRUE(writer.ping().has_value());
  long long before = connections_received();
  for (int i = 0; i < 3; ++i) {
    auto set = writer.command({"SET", "readonly:probe", "1"});
    ASSERT_FALSE(set.has_value());
    EXPECT_EQ(set.error().code, Errc::kUnavailable) << set.error().message;
    EXPECT_THAT(set.error().message, ::testing::HasSubstr("READONLY"));
  }
  // The first SET used the connection PING opened; each READONLY closed the one it came on.
  EXPECT_EQ(connections_received() - before, 2);
  // A read on a replica is no reason to leave it: the connection stays.
  ASSERT_TRUE(writer.command({"GET", "readonly:probe"}).has_value());
  long long after_read = connections_received();
  ASSERT_TRUE(writer.command({"GET", "readonly:probe"}).has_value());
  EXPECT_EQ(connections_received(), after_read);
}

}  // namespace
}  // namespace lexroute
