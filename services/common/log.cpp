#include "services/common/log.h"

#include <absl/time/clock.h>
#include <absl/time/time.h>

#include <atomic>
#include <cstdio>
#include <mutex>

namespace lexroute {
namespace {

std::atomic<LogLevel> g_level{LogLevel::kInfo};
std::mutex g_mutex;

const char* level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "DEBUG";
    case LogLevel::kInfo:
      return "INFO";
    case LogLevel::kWarn:
      return "WARN";
    case LogLevel::kError:
      return "ERROR";
  }
  return "?";
}

// The macros escape each field; a message that still breaks a line came another way (libprotobuf's
// and librdkafka's own lines) and is escaped whole.
constexpr size_t kMaxMessage = 64 * 1024;

std::string one_line(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes && is_valid_utf8(text) && !has_control_characters(text)) {
    return std::string(text);
  }
  return escaped_line(text, max_bytes);
}

}  // namespace

void set_log_level(LogLevel level) { g_level = level; }

bool log_enabled(LogLevel level) { return level >= g_level.load(std::memory_order_relaxed); }

void log_line(LogLevel level, std::string_view component, std::string_view message) {
  std::string line = cat(absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()),
                         " ", level_name(level), " ", one_line(component, limits::kName), " ",
                         one_line(message, kMaxMessage), "\n");
  std::lock_guard lock(g_mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace lexroute
