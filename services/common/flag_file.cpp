#include "services/common/flag_file.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "router/text.h"

namespace lexroute {
namespace {

std::unexpected<Error> bad_flag_file(std::string_view flag, const std::string& path,
                                     std::string_view why) {
  return fail(Errc::kInvalidArgument, cat("--", flag, " ", path, ": ", why), std::string(flag));
}

}  // namespace

Result<std::string> read_flag_file(const std::string& path, std::string_view flag) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return bad_flag_file(flag, path, "is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) return bad_flag_file(flag, path, "cannot be read");
  std::ostringstream content;
  content << in.rdbuf();
  if (content.str().empty()) return bad_flag_file(flag, path, "is empty");
  return content.str();
}

}  // namespace lexroute
