#include "services/intake/submit_queue.h"

#include <utility>

namespace lexroute {

SubmitQueue::SubmitQueue(AnswerGroup answer, size_t threads, size_t max_group)
    : answer_(std::move(answer)), max_group_(max_group) {
  for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
}

SubmitQueue::~SubmitQueue() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  arrived_.notify_all();
  for (auto& t : threads_) t.join();
}

void SubmitQueue::add(Call call) {
  {
    std::lock_guard lock(mutex_);
    waiting_.push_back(call);
  }
  arrived_.notify_one();
}

void SubmitQueue::work() {
  std::vector<Call> group;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      arrived_.wait(lock, [&] { return stopping_ || !waiting_.empty(); });
      if (waiting_.empty()) return;  // stopping, and nothing is left to answer
      if (waiting_.size() <= max_group_) {
        group.swap(waiting_);
      } else {
        group.assign(waiting_.begin(), waiting_.begin() + static_cast<long>(max_group_));
        waiting_.erase(waiting_.begin(), waiting_.begin() + static_cast<long>(max_group_));
        arrived_.notify_one();  // the rest is another thread's group
      }
    }
    answer_(group);
    group.clear();
  }
}

}  // namespace lexroute
