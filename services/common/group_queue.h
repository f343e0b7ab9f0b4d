#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace lexroute {

// Calls on gRPC's callback API, answered in groups. Each call waits here, holding no thread,
// until one of a few threads takes every call waiting and answers them together, with one
// Redis round trip (and, for submits, one Kafka wait) for the lot. While one group is being
// answered the next gathers, so the group size follows the load and a lone call is not held
// back. A gRPC thread per call, held through the call's own waits, leaves the machine creating,
// switching between and ending threads (docs/performance.md, "Measured choices").
template <typename CallT>
class GroupQueue {
 public:
  using Call = CallT;
  // Answers every call of a group (each call's reactor is finished by it).
  using AnswerGroup = std::function<void(std::vector<Call>& group)>;

  GroupQueue(AnswerGroup answer, size_t threads, size_t max_group)
      : answer_(std::move(answer)), max_group_(max_group) {
    for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
  }
  // Answers what is still queued, then stops the threads.
  ~GroupQueue() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    arrived_.notify_all();
    for (auto& t : threads_) t.join();
  }
  GroupQueue(const GroupQueue&) = delete;
  GroupQueue& operator=(const GroupQueue&) = delete;

  void add(Call call) {
    {
      std::lock_guard lock(mutex_);
      waiting_.push_back(std::move(call));
    }
    arrived_.notify_one();
  }

 private:
  void work() {
    std::vector<Call> group;
    for (;;) {
      {
        std::unique_lock lock(mutex_);
        arrived_.wait(lock, [&] { return stopping_ || !waiting_.empty(); });
        if (waiting_.empty()) return;  // stopping, and nothing is left to answer
        if (waiting_.size() <= max_group_) {
          group.swap(waiting_);
        } else {
          auto end = waiting_.begin() + static_cast<long>(max_group_);
          group.assign(std::make_move_iterator(waiting_.begin()), std::make_move_iterator(end));
          waiting_.erase(waiting_.begin(), end);
          arrived_.notify_one();  // the rest is another thread's group
        }
      }
      answer_(group);
      group.clear();
    }
  }

  AnswerGroup answer_;
  size_t max_group_;
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<Call> waiting_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace lexroute
