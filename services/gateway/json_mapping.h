#pragma once

#include <google/protobuf/message.h>

#include <string>
#include <string_view>

#include "router/error.h"

// The worker app's JSON is protobuf's own JSON mapping of the WorkerGateway messages (camelCase
// fields, enum names), so the HTTP API and the gRPC API cannot drift apart.
namespace lexroute::json {

// The message as JSON, enums by name, fields at their default left out.
std::string from_message(const google::protobuf::Message& message);

// Fills `message` from a request body; an empty body is an empty message. Unknown fields are
// refused, so a misspelt field is an error rather than silently ignored.
Result<void> to_message(std::string_view body, google::protobuf::Message& message);

// `{"error": ..., "field": ...}` (field left out when empty): always valid UTF-8 JSON, bytes of
// the error that are not UTF-8 written as U+FFFD.
std::string error_body(const Error& error);

// The HTTP status that says the same as `code`.
int http_status(Errc code);

}  // namespace lexroute::json
