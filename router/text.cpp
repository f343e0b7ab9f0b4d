#include "router/text.h"

#include <algorithm>

#include "router/limits.h"

namespace lexroute {
namespace {

// The length of the well-formed UTF-8 sequence at the start of `text`, or 0.
size_t utf8_sequence(std::string_view text) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  auto continuation = [&](size_t i) { return i < text.size() && (byte(i) & 0xc0) == 0x80; };
  unsigned char b = byte(0);
  if (b < 0x80) return 1;
  if (b >= 0xc2 && b <= 0xdf) return continuation(1) ? 2 : 0;
  if (b >= 0xe0 && b <= 0xef) {
    if (!continuation(1) || !continuation(2)) return 0;
    if (b == 0xe0 && byte(1) < 0xa0) return 0;   // overlong
    if (b == 0xed && byte(1) >= 0xa0) return 0;  // a surrogate
    return 3;
  }
  if (b >= 0xf0 && b <= 0xf4) {
    if (!continuation(1) || !continuation(2) || !continuation(3)) return 0;
    if (b == 0xf0 && byte(1) < 0x90) return 0;   // overlong
    if (b == 0xf4 && byte(1) >= 0x90) return 0;  // past U+10FFFF
    return 4;
  }
  return 0;
}

// The code point of the well-formed `n`-byte sequence at the start of `text`.
uint32_t code_point(std::string_view text, size_t n) {
  auto byte = [&](size_t i) { return static_cast<uint32_t>(static_cast<unsigned char>(text[i])); };
  if (n == 1) return byte(0);
  if (n == 2) return ((byte(0) & 0x1f) << 6) | (byte(1) & 0x3f);
  if (n == 3) return ((byte(0) & 0x0f) << 12) | ((byte(1) & 0x3f) << 6) | (byte(2) & 0x3f);
  return ((byte(0) & 0x07) << 18) | ((byte(1) & 0x3f) << 12) | ((byte(2) & 0x3f) << 6) |
         (byte(3) & 0x3f);
}

bool is_control(uint32_t c) {
  return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029 ||
         (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

}  // namespace

std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    size_t n = utf8_sequence(text);
    if (n == 0) {
      out += "\xef\xbf\xbd";  // U+FFFD
      n = 1;
    } else {
      out.append(text.substr(0, n));
    }
    text.remove_prefix(n);
  }
  return out;
}

bool has_control_characters(std::string_view text) {
  while (!text.empty()) {
    size_t n = std::max<size_t>(utf8_sequence(text), 1);
    if (is_control(code_point(text, n))) return true;
    text.remove_prefix(n);
  }
  return false;
}

std::string escaped_line(std::string_view text, size_t max_bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  size_t taken = 0;
  while (taken < text.size()) {
    std::string_view rest = text.substr(taken);
    size_t n = utf8_sequence(rest);
    if (taken + std::max<size_t>(n, 1) > max_bytes) break;
    unsigned char c = static_cast<unsigned char>(rest[0]);
    uint32_t point = n == 0 ? 0 : code_point(rest, n);
    if (n == 0) {
      out += cat("\\x", kHex[c >> 4], kHex[c & 0xf]);
      n = 1;
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (point < 0x80 && is_control(point)) {
      out += cat("\\x", kHex[c >> 4], kHex[c & 0xf]);
    } else if (is_control(point)) {
      out += cat("\\u{", absl::StrCat(absl::Hex(point, absl::kZeroPad4)), "}");
    } else {
      out.append(rest.substr(0, n));
    }
    taken += n;
  }
  if (taken < text.size()) out += "...";
  return out;
}

bool is_valid_utf8(std::string_view text) {
  while (!text.empty()) {
    size_t n = utf8_sequence(text);
    if (n == 0) return false;
    text.remove_prefix(n);
  }
  return true;
}

std::string escaped(std::string_view text, size_t max_bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  size_t taken = 0;
  while (taken < text.size()) {
    std::string_view rest = text.substr(taken);
    size_t n = utf8_sequence(rest);
    if (taken + std::max<size_t>(n, 1) > max_bytes) break;
    unsigned char c = static_cast<unsigned char>(rest[0]);
    if (n == 0) {
      out += cat("\\x", kHex[c >> 4], kHex[c & 0xf]);
      n = 1;
    } else if (n > 1) {
      out.append(rest.substr(0, n));
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '"' || c == '\'' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      out += cat("\\x", kHex[c >> 4], kHex[c & 0xf]);
    } else {
      out += static_cast<char>(c);
    }
    taken += n;
  }
  if (taken < text.size()) out += "...";
  return out;
}

std::string bounded_quote(std::string_view text) {
  return cat("'", escaped(text, limits::kQuoted), "'");
}

std::string format_utc(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

}  // namespace lexroute
