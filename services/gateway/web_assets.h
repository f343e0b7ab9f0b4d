#pragma once

#include <optional>
#include <string_view>

namespace lexroute {

// A file of the worker app's page (web/), built into the binary so a gateway needs nothing
// beside it on disk.
struct WebAsset {
  std::string_view content;
  const char* content_type;
};

// The file served at `path` ("/" is the page itself), or nullopt.
std::optional<WebAsset> web_asset(std::string_view path);

}  // namespace lexroute
