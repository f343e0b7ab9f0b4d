#include "services/gateway/json_mapping.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include "router/text.h"
#include "router/validation.h"

namespace lexroute::json {

std::string from_message(const google::protobuf::Message& message) {
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(message, &out);
  return out;
}

Result<void> to_message(std::string_view body, google::protobuf::Message& message) {
  if (body.empty()) body = "{}";
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(std::string(body), &message, options);
  if (!status.ok()) {
    // The parser's message may quote the body: bounded and escaped like any echo.
    return fail(Errc::kInvalidArgument,
                cat("request body is not a ", message.GetDescriptor()->name(),
                    " in JSON: ", escaped(std::string(status.message()), 200)),
                "body");
  }
  return validate_utf8(message, "");
}

std::string error_body(const Error& error) {
  google::protobuf::Struct body;
  auto& fields = *body.mutable_fields();
  // A message may echo what a caller sent; JSON strings must be UTF-8, so nothing else goes in.
  fields["error"].set_string_value(valid_utf8(error.message));
  if (!error.field.empty()) fields["field"].set_string_value(valid_utf8(error.field));
  return from_message(body);
}

int http_status(Errc code) {
  switch (code) {
    case Errc::kInvalidArgument:
      return 400;
    case Errc::kUnauthenticated:
      return 401;
    case Errc::kNotFound:
      return 404;
    case Errc::kFailedPrecondition:
    case Errc::kAlreadyExists:
      return 409;
    case Errc::kResourceExhausted:
      return 429;
    case Errc::kUnavailable:
      return 503;
    case Errc::kInternal:
      break;
  }
  return 500;
}

}  // namespace lexroute::json
