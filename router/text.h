#pragma once

#include <absl/strings/str_cat.h>
#include <absl/time/time.h>

#include <string>
#include <string_view>
#include <type_traits>

namespace lexroute {

namespace text_detail {
inline void append(std::string& out, std::string_view s) { out.append(s); }
inline void append(std::string& out, const char* s) { out.append(s); }
inline void append(std::string& out, char c) { out.push_back(c); }
template <typename T>
requires std::is_arithmetic_v<T>
void append(std::string& out, T value) {
  absl::AlphaNum a(value);
  out.append(a.data(), a.size());
}
}  // namespace text_detail

// Concatenates strings, string_views and numbers. (Debian's abseil has its own string_view,
// which absl::StrCat will not take from std::string_view.)
template <typename... Args>
std::string cat(const Args&... args) {
  std::string out;
  (text_detail::append(out, args), ...);
  return out;
}

}  // namespace lexroute

#include <charconv>

namespace lexroute {

// Parses a whole decimal integer; false (and *out untouched) on anything else.
template <typename T>
requires std::is_integral_v<T>
bool parse_int(std::string_view text, T* out) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return false;
  *out = value;
  return true;
}

}  // namespace lexroute

namespace lexroute {

// Whether `text` is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
bool is_valid_utf8(std::string_view text);

// A caller's text made safe for a reply or a log line: at most `max_bytes` of it, control
// characters, quotes, backslashes and bytes that are not UTF-8 written as escapes (\n, \", \\,
// \x9f), and "..." where it was cut. Never longer than 4 * max_bytes + 3.
std::string escaped(std::string_view text, size_t max_bytes);

// `text` with every byte that is not part of well-formed UTF-8 replaced by U+FFFD, so that any
// text can go into JSON or protobuf strings.
std::string valid_utf8(std::string_view text);

// Whether `text` holds a character that moves or hides what follows it on a screen or in a log:
// C0 and C1 controls, DEL, the Unicode line and paragraph separators, and the bidirectional
// embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069).
bool has_control_characters(std::string_view text);

// Text made safe for one line of a log: at most `max_bytes` of it, backslashes doubled, those
// characters and bytes that are not UTF-8 written as escapes (\n, \r, \t, \x1b, \u{2028}), and
// "..." where it was cut. Quotes are left as they are. Never longer than 4 * max_bytes + 3.
std::string escaped_line(std::string_view text, size_t max_bytes);

// `t` as "2026-12-04T18:30:00Z", for reasons and log lines.
std::string format_utc(absl::Time t);

// escaped() in single quotes, at most limits::kQuoted (64) bytes of the text: for error messages.
// (Not `quoted`: argument-dependent lookup would pick std::quoted for a std::string.)
std::string bounded_quote(std::string_view text);

}  // namespace lexroute
