#pragma once

#include <grpcpp/server_context.h>

#include <string>

namespace lexroute {

// The secret in `authorization: Bearer <secret>`, or empty.
std::string bearer_token(const grpc::ServerContextBase& context);

// Compares without leaking through timing how many leading characters matched.
bool constant_time_equal(const std::string& a, const std::string& b);

}  // namespace lexroute
