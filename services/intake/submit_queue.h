#pragma once

#include <grpcpp/support/server_callback.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "lexroute/v1/intake.pb.h"

namespace grpc {
class CallbackServerContext;
}

namespace lexroute {

// Unary SubmitTask calls, answered in groups. Each call waits here, holding no thread, until one
// of a few threads takes every call waiting and answers them together: one wait for Kafka's
// delivery reports and one Redis round trip for the lot. While one group waits for Kafka the
// next gathers, so the group size follows the load and a lone call is not held back. Before,
// each call held a gRPC thread through its own Kafka wait and Redis write, and two cores spent
// their time switching between those threads.
class SubmitQueue {
 public:
  struct Call {
    grpc::CallbackServerContext* context;
    const v1::SubmitTaskRequest* request;
    v1::SubmitTaskResponse* response;
    grpc::ServerUnaryReactor* reactor;
    std::chrono::steady_clock::time_point started;
  };
  // Answers every call of a group: fills its response and calls its reactor's Finish.
  using AnswerGroup = std::function<void(std::vector<Call>& group)>;

  SubmitQueue(AnswerGroup answer, size_t threads, size_t max_group);
  // Answers what is still queued, then stops the threads.
  ~SubmitQueue();
  SubmitQueue(const SubmitQueue&) = delete;
  SubmitQueue& operator=(const SubmitQueue&) = delete;

  void add(Call call);

 private:
  void work();

  AnswerGroup answer_;
  size_t max_group_;
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<Call> waiting_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace lexroute
