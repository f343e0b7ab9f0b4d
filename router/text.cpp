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

}  // namespace

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
