#pragma once

#include <grpcpp/support/server_callback.h>

#include <chrono>

#include "lexroute/v1/intake.pb.h"
#include "services/common/group_queue.h"

namespace grpc {
class CallbackServerContext;
}

namespace lexroute {

// A unary SubmitTask call waiting to be answered with its group.
struct SubmitCall {
  grpc::CallbackServerContext* context;
  const v1::SubmitTaskRequest* request;
  v1::SubmitTaskResponse* response;
  grpc::ServerUnaryReactor* reactor;
  std::chrono::steady_clock::time_point started;
};
using SubmitQueue = GroupQueue<SubmitCall>;

}  // namespace lexroute
