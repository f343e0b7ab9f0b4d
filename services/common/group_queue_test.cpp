#include "services/common/group_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <memory>
#include <set>

namespace lexroute {
namespace {

// A call as the queue sees it: the caller waits on `answer`.
struct Call {
  int question = 0;
  std::shared_ptr<std::promise<int>> answer;
};

TEST(GroupQueue, ManyCallersFromManyThreadsEachGetTheirOwnAnswerInGroups) {
  std::atomic<int> groups{0};
  std::atomic<size_t> largest{0};
  GroupQueue<Call> queue(
      [&](std::vector<Call>& group) {
        ++groups;
        size_t seen = largest.load();
        while (group.size() > seen && !largest.compare_exchange_weak(seen, group.size())) {
        }
        for (auto& c : group) c.answer->set_value(c.question * 2);
      },
      /*threads=*/3, /*max_group=*/16);

  constexpr int kCallers = 8;
  constexpr int kCallsEach = 500;
  std::vector<std::thread> callers;
  std::atomic<int> wrong{0};
  for (int t = 0; t < kCallers; ++t) {
    callers.emplace_back([&, t] {
      for (int i = 0; i < kCallsEach; ++i) {
        int question = t * kCallsEach + i;
        auto answer = std::make_shared<std::promise<int>>();
        auto future = answer->get_future();
        queue.add({question, answer});
        if (future.get() != question * 2) ++wrong;
      }
    });
  }
  for (auto& c : callers) c.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_LE(groups.load(), kCallers * kCallsEach);
  EXPECT_LE(largest.load(), 16u) << "no group is larger than max_group";
}

TEST(GroupQueue, CallsStillWaitingAreAnsweredBeforeTheQueueGoes) {
  std::vector<std::future<int>> futures;
  std::mutex answered_mutex;
  std::set<int> answered;
  {
    GroupQueue<Call> queue(
        [&](std::vector<Call>& group) {
          for (auto& c : group) {
            {
              std::lock_guard lock(answered_mutex);
              answered.insert(c.question);
            }
            c.answer->set_value(c.question);
          }
        },
        /*threads=*/2, /*max_group=*/4);
    for (int i = 0; i < 100; ++i) {
      auto answer = std::make_shared<std::promise<int>>();
      futures.push_back(answer->get_future());
      queue.add({i, answer});
    }
  }
  for (int i = 0; i < 100; ++i) EXPECT_EQ(futures[i].get(), i);
  EXPECT_EQ(answered.size(), 100u);
}

}  // namespace
}  // namespace lexroute
