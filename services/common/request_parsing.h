#pragma once

#include <google/protobuf/descriptor.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/server_interceptor.h>

#include <memory>

#include "router/error.h"

namespace lexroute {

// A request that is not a valid encoding of its message (truncated, random bytes, invalid UTF-8
// in a string field) is answered the same way on every method: INVALID_ARGUMENT, "request could
// not be parsed as lexroute.v1.X". gRPC parses before the handler runs, so most of these are
// answered before the caller's key is checked: the answer must stay cheap and quiet, and
// libprotobuf's own complaint goes through the throttled log (protobuf_log.h).
Error unparsable_request(const google::protobuf::Descriptor& type);

// Parses a request that arrived as bytes: the methods gRPC cannot answer with the code above by
// itself (a client stream's messages, async calls) take their requests this way.
Result<void> parse_request(grpc::ByteBuffer& bytes, google::protobuf::Message& request);

template <typename Request>
Result<Request> parse_request(grpc::ByteBuffer& bytes) {
  Request request;
  if (auto parsed = parse_request(bytes, request); !parsed) return std::unexpected(parsed.error());
  return request;
}

// For every other method (unary and server-streaming, synchronous or callback), gRPC parses the
// request itself and answers a failure with INTERNAL or UNIMPLEMENTED and no message. This
// interceptor sees that no request came out of the parse and rewrites the answer to the one above.
// Register it before any interceptor that records statuses, so they record the rewritten one.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
unparsable_request_interceptor();

// The index of `method` among the methods of `service` ("lexroute.v1.TaskIntake"), as the
// generated code numbers them (grpc::Service::MarkMethod*, RequestAsync*).
int method_index(const char* service, const char* method);

}  // namespace lexroute
