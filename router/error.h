#pragma once

#include <expected>
#include <string>
#include <utility>

namespace lexroute {

// The failure kinds lexroute reports. Each maps onto one gRPC status code at the API edge.
enum class Errc {
  kInvalidArgument,     // the caller sent something wrong; `field` names it
  kNotFound,            // unknown id, or an id the caller may not see
  kUnauthenticated,     // missing or unknown key or token
  kFailedPrecondition,  // valid request, wrong state (offer not yours or no longer open)
  kAlreadyExists,
  kUnavailable,        // Kafka or Redis could not be reached in time; retry later
  kResourceExhausted,  // held back on purpose (back-pressure); retry later
  kInternal,           // a bug or a corrupt record
};

struct Error {
  Errc code;
  std::string message;
  std::string field;  // the offending request field, for kInvalidArgument
};

// Whether sending the same request again can succeed without the caller changing it.
constexpr bool is_retriable(Errc code) {
  return code == Errc::kUnavailable || code == Errc::kResourceExhausted;
}

template <typename T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(Errc code, std::string message, std::string field = {}) {
  return std::unexpected(Error{code, std::move(message), std::move(field)});
}

const char* errc_name(Errc code);

}  // namespace lexroute
