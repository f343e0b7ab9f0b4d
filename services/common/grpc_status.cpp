#include "services/common/grpc_status.h"

namespace lexroute {

int retry_pushback_ms(const Error& error) { return is_retriable(error.code) ? 1000 : 0; }

grpc::Status to_grpc_status(const Error& error, grpc::ServerContextBase* context) {
  grpc::StatusCode code = grpc::StatusCode::INTERNAL;
  switch (error.code) {
    case Errc::kInvalidArgument:
      code = grpc::StatusCode::INVALID_ARGUMENT;
      break;
    case Errc::kNotFound:
      code = grpc::StatusCode::NOT_FOUND;
      break;
    case Errc::kUnauthenticated:
      code = grpc::StatusCode::UNAUTHENTICATED;
      break;
    case Errc::kFailedPrecondition:
      code = grpc::StatusCode::FAILED_PRECONDITION;
      break;
    case Errc::kAlreadyExists:
      code = grpc::StatusCode::ALREADY_EXISTS;
      break;
    case Errc::kUnavailable:
      code = grpc::StatusCode::UNAVAILABLE;
      break;
    case Errc::kResourceExhausted:
      code = grpc::StatusCode::RESOURCE_EXHAUSTED;
      break;
    case Errc::kInternal:
      code = grpc::StatusCode::INTERNAL;
      break;
  }
  if (context != nullptr) {
    if (int ms = retry_pushback_ms(error); ms > 0) {
      context->AddTrailingMetadata("grpc-retry-pushback-ms", std::to_string(ms));
    }
    if (!error.field.empty()) context->AddTrailingMetadata("lexroute-field", error.field);
  }
  std::string message = error.field.empty() ? error.message : error.field + ": " + error.message;
  return grpc::Status(code, message);
}

}  // namespace lexroute
