#include "router/payload_schemes.h"

#include <absl/strings/ascii.h>

#include <algorithm>
#include <array>

#include "router/limits.h"
#include "router/text.h"

namespace lexroute {
namespace {

// Schemes that run code, read local files or hand the link to an application with a history of
// being abused through links; the ms-* family as a whole.
constexpr std::array<std::string_view, 16> kDangerous{
    "javascript", "vbscript",  "livescript",  "data",  "file",  "blob",
    "filesystem", "about",     "view-source", "jar",   "mhtml", "shell",
    "search",     "search-ms", "res",         "intent"};

bool is_plain_scheme(std::string_view scheme) {
  if (scheme.empty()) return false;
  for (size_t i = 0; i < scheme.size(); ++i) {
    char c = scheme[i];
    bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    bool other = (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
    if (!letter && (i == 0 || !other)) return false;
  }
  return true;
}

bool is_dangerous(std::string_view lowercase) {
  return lowercase.starts_with("ms-") ||
         std::find(kDangerous.begin(), kDangerous.end(), lowercase) != kDangerous.end();
}

}  // namespace

std::string payload_scheme(std::string_view ref) {
  auto colon = ref.find(':');
  if (colon == std::string_view::npos || !is_plain_scheme(ref.substr(0, colon))) return "";
  return absl::AsciiStrToLower(std::string(ref.substr(0, colon)));
}

Result<void> validate_added_scheme(std::string_view scheme, std::string_view field) {
  if (scheme.size() > limits::kPayloadScheme || !is_plain_scheme(scheme) ||
      absl::AsciiStrToLower(std::string(scheme)) != scheme) {
    return fail(Errc::kInvalidArgument,
                cat("a scheme is 1-", limits::kPayloadScheme,
                    " lowercase letters, digits, '+', '-' or '.', starting with a letter; got ",
                    bounded_quote(scheme)),
                std::string(field));
  }
  if (is_dangerous(scheme)) {
    return fail(Errc::kInvalidArgument,
                cat("scheme ", bounded_quote(scheme),
                    " can never be allowed: a browser or the system would run or open it "
                    "locally instead of the firm's document store"),
                std::string(field));
  }
  return {};
}

Result<std::vector<std::string>> validate_added_schemes(std::span<const std::string> schemes) {
  if (schemes.size() > static_cast<size_t>(limits::kPayloadSchemes)) {
    return fail(Errc::kInvalidArgument,
                cat("at most ", limits::kPayloadSchemes, " schemes, got ", schemes.size()),
                "schemes");
  }
  std::vector<std::string> added;
  for (size_t i = 0; i < schemes.size(); ++i) {
    if (auto valid = validate_added_scheme(schemes[i], cat("schemes[", i, "]")); !valid) {
      return std::unexpected(valid.error());
    }
    if (schemes[i] != kDefaultPayloadScheme &&
        std::find(added.begin(), added.end(), schemes[i]) == added.end()) {
      added.push_back(schemes[i]);
    }
  }
  return added;
}

Result<void> check_payload_scheme(std::string_view ref, std::span<const std::string> added) {
  std::string scheme = payload_scheme(ref);
  if (scheme == kDefaultPayloadScheme) return {};
  if (!scheme.empty() && !is_dangerous(scheme) &&
      std::find(added.begin(), added.end(), scheme) != added.end()) {
    return {};
  }
  std::string allowed(kDefaultPayloadScheme);
  for (const auto& s : added) allowed += cat(", ", s);
  return fail(
      Errc::kInvalidArgument,
      cat("payload_ref scheme ", scheme.empty() ? std::string("(none)") : bounded_quote(scheme),
          " is not allowed for this firm; allowed: ", allowed,
          " (a firm's admin adds schemes with SetPayloadSchemes)"),
      "spec.payload_ref");
}

bool is_renderable_payload_ref(std::string_view ref) {
  for (char c : ref) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
  }
  std::string scheme = payload_scheme(ref);
  if (scheme == kDefaultPayloadScheme) return true;
  return validate_added_scheme(scheme, "").has_value();
}

}  // namespace lexroute
