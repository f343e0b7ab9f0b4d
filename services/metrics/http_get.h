#pragma once

#include <chrono>
#include <string>

#include "router/error.h"

namespace lexroute {

// GET `url` (http only) and return the body of a 200 answer. kUnavailable when the server cannot
// be reached or answers anything else. For reading /metrics pages and Prometheus's HTTP API.
Result<std::string> http_get(const std::string& url, std::chrono::milliseconds timeout);

// `text` escaped for a URL query parameter.
std::string url_encode(const std::string& text);

}  // namespace lexroute
