#include "services/common/protobuf_log.h"

#include <google/protobuf/stubs/logging.h>

#include <mutex>
#include <string>

#include "services/common/log.h"

namespace lexroute {
namespace {

struct Throttle {
  std::mutex mutex;
  ProtobufLogLimit limit;
  std::chrono::steady_clock::time_point window_start{};
  int in_window = 0;
  uint64_t held_back_since_last = 0;
  ProtobufLogCounts counts;
};

Throttle& throttle() {
  static Throttle t;
  return t;
}

LogLevel level_of(google::protobuf::LogLevel level) {
  switch (level) {
    case google::protobuf::LOGLEVEL_INFO:
      return LogLevel::kInfo;
    case google::protobuf::LOGLEVEL_WARNING:
      return LogLevel::kWarn;
    default:
      return LogLevel::kError;
  }
}

void handle(google::protobuf::LogLevel level, const char* filename, int line,
            const std::string& message) {
  Throttle& t = throttle();
  uint64_t held_back = 0;
  {
    std::lock_guard lock(t.mutex);
    auto now = std::chrono::steady_clock::now();
    if (now - t.window_start >= t.limit.window) {
      t.window_start = now;
      t.in_window = 0;
    }
    // A fatal line is followed by the process ending: it always gets through.
    if (level != google::protobuf::LOGLEVEL_FATAL && t.in_window >= t.limit.lines_per_window) {
      ++t.held_back_since_last;
      ++t.counts.held_back;
      return;
    }
    ++t.in_window;
    ++t.counts.written;
    held_back = t.held_back_since_last;
    t.held_back_since_last = 0;
  }
  if (held_back > 0) {
    log_line(LogLevel::kWarn, "libprotobuf", cat(held_back, " earlier lines held back (limit)"));
  }
  log_line(level_of(level), "libprotobuf", cat(filename, ":", line, " ", message));
}

}  // namespace

void route_protobuf_log(ProtobufLogLimit limit) {
  {
    std::lock_guard lock(throttle().mutex);
    throttle().limit = limit;
  }
  // libprotobuf's setter is not thread-safe: it is set once, before the first server starts.
  static std::once_flag once;
  std::call_once(once, [] { google::protobuf::SetLogHandler(&handle); });
}

ProtobufLogCounts protobuf_log_counts() {
  std::lock_guard lock(throttle().mutex);
  return throttle().counts;
}

}  // namespace lexroute
