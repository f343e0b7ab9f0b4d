#pragma once

#include <grpcpp/server_context.h>
#include <grpcpp/support/status.h>

#include "router/error.h"

namespace lexroute {

// The gRPC status for an error. Retriable errors also carry a `grpc-retry-pushback-ms` trailer
// (the hint gRPC clients' retry policy reads); invalid arguments carry `lexroute-field`.
grpc::Status to_grpc_status(const Error& error, grpc::ServerContextBase* context);

}  // namespace lexroute
