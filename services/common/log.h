#pragma once

#include <string_view>

#include "router/text.h"

namespace lexroute {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

// One line per call: time, level, component, message. Safe from any thread.
void log_line(LogLevel level, std::string_view component, std::string_view message);
void set_log_level(LogLevel level);
bool log_enabled(LogLevel level);

}  // namespace lexroute

#define LEXROUTE_LOG(level, component, ...)                                 \
  do {                                                                      \
    if (::lexroute::log_enabled(level))                                     \
      ::lexroute::log_line(level, component, ::lexroute::cat(__VA_ARGS__)); \
  } while (0)
#define LOG_DEBUG(component, ...) LEXROUTE_LOG(::lexroute::LogLevel::kDebug, component, __VA_ARGS__)
#define LOG_INFO(component, ...) LEXROUTE_LOG(::lexroute::LogLevel::kInfo, component, __VA_ARGS__)
#define LOG_WARN(component, ...) LEXROUTE_LOG(::lexroute::LogLevel::kWarn, component, __VA_ARGS__)
#define LOG_ERROR(component, ...) LEXROUTE_LOG(::lexroute::LogLevel::kError, component, __VA_ARGS__)
