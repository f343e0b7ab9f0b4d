#include "services/common/completion_queues.h"

#include <grpcpp/server_builder.h>

#include <cassert>

namespace lexroute {

CompletionQueues::CompletionQueues(grpc::ServerBuilder& builder, size_t count) : for_server_(true) {
  for (size_t i = 0; i < count; ++i) queues_.push_back(builder.AddCompletionQueue());
}

CompletionQueues::CompletionQueues(size_t count) {
  for (size_t i = 0; i < count; ++i) queues_.push_back(std::make_unique<grpc::CompletionQueue>());
}

grpc::ServerCompletionQueue* CompletionQueues::server_at(size_t i) const {
  assert(for_server_);
  return static_cast<grpc::ServerCompletionQueue*>(queues_[i].get());
}

CompletionQueues::~CompletionQueues() { shutdown(); }

void CompletionQueues::start() {
  for (auto& queue : queues_) {
    threads_.emplace_back([cq = queue.get()] {
      void* tag = nullptr;
      bool ok = false;
      while (cq->Next(&tag, &ok)) static_cast<Tag*>(tag)->complete(ok);
    });
  }
}

void CompletionQueues::shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  for (auto& queue : queues_) queue->Shutdown();
  for (auto& thread : threads_) thread.join();
  // A queue whose thread never started still holds its end-of-queue event.
  if (threads_.empty()) {
    void* tag = nullptr;
    bool ok = false;
    for (auto& queue : queues_) {
      while (queue->Next(&tag, &ok)) static_cast<Tag*>(tag)->complete(ok);
    }
  }
}

}  // namespace lexroute
