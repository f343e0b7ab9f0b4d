#include "services/common/periodic_task.h"

#include <gtest/gtest.h>

#include <atomic>

namespace lexroute {
namespace {

using namespace std::chrono_literals;

// Polls `done` until it holds or 10 s passed.
bool eventually(const std::function<bool()>& done) {
  for (int i = 0; i < 1000 && !done(); ++i) std::this_thread::sleep_for(10ms);
  return done();
}

TEST(PeriodicTask, RunsAtOnceThenOnWakeAndStopsWithoutWaitingOutThePeriod) {
  std::atomic<int> runs{0};
  PeriodicTask task(std::chrono::hours(1), [&] { ++runs; });
  task.start();
  ASSERT_TRUE(eventually([&] { return runs.load() == 1; }));
  task.wake();
  ASSERT_TRUE(eventually([&] { return runs.load() == 2; }));
  task.stop();  // an hour's period: returning at all shows it did not wait
  EXPECT_EQ(runs.load(), 2);
}

TEST(PeriodicTask, AfterOnePeriodWaitsForTheFirstRun) {
  std::atomic<int> runs{0};
  PeriodicTask task(
      std::chrono::hours(1), [&] { ++runs; }, PeriodicTask::FirstRun::kAfterOnePeriod);
  task.start();
  // A task that ran at once would have run within this; the wake below shows the thread is up.
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(runs.load(), 0);
  task.wake();
  EXPECT_TRUE(eventually([&] { return runs.load() == 1; }));
}

TEST(PeriodicTask, KeepsRunningEveryPeriod) {
  std::atomic<int> runs{0};
  PeriodicTask task(1ms, [&] { ++runs; });
  task.start();
  EXPECT_TRUE(eventually([&] { return runs.load() >= 5; }));
}

}  // namespace
}  // namespace lexroute
