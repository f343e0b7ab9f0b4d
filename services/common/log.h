#pragma once

#include <string>
#include <string_view>
#include <type_traits>

#include "router/limits.h"
#include "router/text.h"

namespace lexroute {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

// One line per call: time, level, component, message. Safe from any thread. Whatever the message
// holds, the line stays one line: control characters that are left are written as escapes.
void log_line(LogLevel level, std::string_view component, std::string_view message);
void set_log_level(LogLevel level);
bool log_enabled(LogLevel level);

namespace log_detail {

// A field of a log message. String literals are the program's own words and go in as they are;
// any other text (ids, reasons, notes, error messages: anything a caller may have sent) is
// escaped and cut at limits::kLogField bytes (escaped_line), so no input can end the line early,
// forge a line of its own or hide what follows. Numbers go in as they are.
template <typename T>
auto field(const T& value) {
  if constexpr (std::is_array_v<T>) {
    return std::string_view(value);
  } else if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, char>) {
    return value;
  } else if constexpr (std::is_same_v<T, char>) {
    return escaped_line(std::string_view(&value, 1), 1);
  } else {
    return escaped_line(std::string_view(value), limits::kLogField);
  }
}

template <typename... Args>
std::string message(const Args&... args) {
  return cat(field(args)...);
}

}  // namespace log_detail
}  // namespace lexroute

#define LEXROUTE_LOG(level, component, ...)                                                 \
  do {                                                                                      \
    if (::lexroute::log_enabled(level))                                                     \
      ::lexroute::log_line(level, component, ::lexroute::log_detail::message(__VA_ARGS__)); \
  } while (0)
#define LOG_DEBUG(component, ...) LEXROUTE_LOG(::lexroute::LogLevel::kDebug, component, __VA_ARGS__)
#define LOG_INFO(component, ...) LEXROUTE_LOG(::lexroute::LogLevel::kInfo, component, __VA_ARGS__)
#define LOG_WARN(component, ...) LEXROUTE_LOG(::lexroute::LogLevel::kWarn, component, __VA_ARGS__)
#define LOG_ERROR(component, ...) LEXROUTE_LOG(::lexroute::LogLevel::kError, component, __VA_ARGS__)
