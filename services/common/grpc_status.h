#pragma once

#include <grpcpp/server_context.h>
#include <grpcpp/support/status.h>

#include "router/error.h"

namespace lexroute {

// The gRPC status for an error. Retriable errors also carry a `grpc-retry-pushback-ms` trailer
// (the hint gRPC clients' retry policy reads); invalid arguments carry `lexroute-field`.
grpc::Status to_grpc_status(const Error& error, grpc::ServerContextBase* context);

// How long a caller should wait before sending a request that failed with `error` again; 0 when
// a retry cannot help. The trailer above carries it, and so does each failed item of a stream.
int retry_pushback_ms(const Error& error);

}  // namespace lexroute
