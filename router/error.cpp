#include "router/error.h"

namespace lexroute {

const char* errc_name(Errc code) {
  switch (code) {
    case Errc::kInvalidArgument:
      return "INVALID_ARGUMENT";
    case Errc::kNotFound:
      return "NOT_FOUND";
    case Errc::kUnauthenticated:
      return "UNAUTHENTICATED";
    case Errc::kFailedPrecondition:
      return "FAILED_PRECONDITION";
    case Errc::kAlreadyExists:
      return "ALREADY_EXISTS";
    case Errc::kUnavailable:
      return "UNAVAILABLE";
    case Errc::kResourceExhausted:
      return "RESOURCE_EXHAUSTED";
    case Errc::kInternal:
      return "INTERNAL";
  }
  return "UNKNOWN";
}

}  // namespace lexroute
