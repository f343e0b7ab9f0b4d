#pragma once

#include <string>
#include <string_view>

#include "router/error.h"

namespace lexroute {

// The whole content of a file a flag names (a certificate, a password, a properties file). A
// missing, unreadable or empty file, or a directory, is INVALID_ARGUMENT on field `flag`, read as
// "--<flag> <path>: cannot be read" (or "is a directory", "is empty"): one wording for all.
Result<std::string> read_flag_file(const std::string& path, std::string_view flag);

}  // namespace lexroute
