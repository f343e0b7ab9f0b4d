#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "services/redis/keys.h"
#include "services/redis/notifier.h"
#include "tests/support/eventually.h"
#include "tests/support/redis_fixture.h"

namespace lexroute {
namespace {

using namespace std::chrono_literals;

class NotifierTest : public testing::RedisTest {
 protected:
  void publish(const std::string& channel, const std::string& message) {
    auto sent = redis().command({"SPUBLISH", channel, message});
    ASSERT_TRUE(sent.has_value()) << sent.error().message;
  }

  // Until the notifier's subscription is up: a published wake then reaches it.
  void until_subscribed(Notifier& notifier) {
    const std::string wake = keys::wake_channel("probe");
    uint64_t before = notifier.generation(wake);
    ASSERT_TRUE(testing::eventually([&] {
      publish(wake, "probe");
      return notifier.generation(wake) != before;
    }));
  }
};

TEST_F(NotifierTest, WaitersAndWatchersOnManyThreadsEachLearnOfTheirOwnChannel) {
  Notifier notifier(endpoint());
  ASSERT_NO_FATAL_FAILURE(until_subscribed(notifier));

  constexpr int kStaff = 16;
  std::atomic<int> woken{0};
  std::atomic<int> watched{0};
  std::vector<std::thread> waiters;
  std::vector<Notifier::WatchId> watches;
  std::vector<uint64_t> seen;
  for (int i = 0; i < kStaff; ++i) {
    std::string channel = keys::staff_channel("p", "s" + std::to_string(i));
    seen.push_back(notifier.generation(channel));
    watches.push_back(notifier.watch(channel, [&] { ++watched; }));
  }
  for (int i = 0; i < kStaff; ++i) {
    waiters.emplace_back([&, i] {
      std::string channel = keys::staff_channel("p", "s" + std::to_string(i));
      notifier.wait(channel, seen[i], 10s);
      if (notifier.generation(channel) != seen[i]) ++woken;
    });
  }
  for (int i = 0; i < kStaff; ++i) publish(keys::staff_channel("p", "s" + std::to_string(i)), "x");
  for (auto& w : waiters) w.join();
  EXPECT_EQ(woken.load(), kStaff);
  EXPECT_TRUE(testing::eventually([&] { return watched.load() >= kStaff; }));
  for (int i = 0; i < kStaff; ++i) {
    notifier.unwatch(keys::staff_channel("p", "s" + std::to_string(i)), watches[i]);
  }
  int after_unwatch = watched.load();
  for (int i = 0; i < kStaff; ++i) publish(keys::staff_channel("p", "s" + std::to_string(i)), "y");
  ASSERT_NO_FATAL_FAILURE(until_subscribed(notifier));  // the messages above were read by now
  EXPECT_EQ(watched.load(), after_unwatch) << "no call after unwatch() returned";
}

TEST_F(NotifierTest, WatchDoesNotWaitAndCallsTheWatcherOnceSubscribed) {
  Notifier notifier(endpoint());
  ASSERT_NO_FATAL_FAILURE(until_subscribed(notifier));
  std::atomic<int> watched{0};
  std::string channel = keys::staff_channel("p", "fresh");
  auto id = notifier.watch(channel, [&] { ++watched; });
  // No message yet: the call says the subscription now stands, so a look made before it (when a
  // message could still be missed) is made again.
  EXPECT_TRUE(testing::eventually([&] { return watched.load() == 1; }));
  publish(channel, "x");
  EXPECT_TRUE(testing::eventually([&] { return watched.load() == 2; }));
  notifier.unwatch(channel, id);
}

TEST_F(NotifierTest, WakeMessagesAreKeptInOrderUntilTaken) {
  Notifier notifier(endpoint());
  const std::string wake = keys::wake_channel("p");
  bool complete = false;
  notifier.take_wake_messages(wake, &complete);
  ASSERT_NO_FATAL_FAILURE(until_subscribed(notifier));
  uint64_t before = notifier.generation(wake);
  std::thread publisher([&] {
    for (int i = 0; i < 50; ++i) publish(wake, "free s" + std::to_string(i));
  });
  publisher.join();
  ASSERT_TRUE(testing::eventually([&] { return notifier.generation(wake) != before; }));
  std::vector<std::string> got;
  ASSERT_TRUE(testing::eventually([&] {
    for (auto& m : notifier.take_wake_messages(wake, &complete)) got.push_back(m);
    return got.size() >= 50;
  }));
  ASSERT_EQ(got.size(), 50u);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(got[i], "free s" + std::to_string(i));
}

TEST_F(NotifierTest, StopWakesEveryWaiter) {
  Notifier notifier(endpoint());
  std::vector<std::thread> waiters;
  std::atomic<int> returned{0};
  for (int i = 0; i < 8; ++i) {
    waiters.emplace_back([&, i] {
      std::string channel = keys::staff_channel("p", "s" + std::to_string(i));
      notifier.wait(channel, notifier.generation(channel), 30s);
      ++returned;
    });
  }
  auto start = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(50ms);  // let some of them wait first; any order must work
  notifier.stop();
  for (auto& w : waiters) w.join();
  EXPECT_EQ(returned.load(), 8);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s) << "waiters wait out no timeout";
}

}  // namespace
}  // namespace lexroute
