#include "services/gateway/completion_queues.h"

#include <grpcpp/server_builder.h>

namespace lexroute {

CompletionQueues::CompletionQueues(grpc::ServerBuilder& builder, size_t count) {
  for (size_t i = 0; i < count; ++i) queues_.push_back(builder.AddCompletionQueue());
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
