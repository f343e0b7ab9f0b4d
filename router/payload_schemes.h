#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "router/error.h"

namespace lexroute {

// Which URI schemes a task's payload_ref may use. `https` always; other schemes only for a firm
// whose admin added them (Admin.SetPayloadSchemes), and never one a browser or the system would
// run or read locally instead of opening a document in the firm's store: javascript, vbscript,
// data, file, blob, about, view-source, search-ms, any ms-* and the like. Checked at intake and
// again when an offer is shown to staff (docs/security.md).
inline constexpr std::string_view kDefaultPayloadScheme = "https";

// The scheme of `ref`, lowercased, when `ref` starts with a plain URI scheme (a letter, then
// letters, digits, '+', '-' or '.') and ':'; "" otherwise.
std::string payload_scheme(std::string_view ref);

// Whether an admin may add `scheme`: lowercase, plain, at most limits::kPayloadScheme bytes, and
// not one of the dangerous ones. The error names `field` and says why.
Result<void> validate_added_scheme(std::string_view scheme, std::string_view field);

// A firm's list as its admin sends it (Admin.SetPayloadSchemes): at most limits::kPayloadSchemes,
// each one validate_added_scheme takes (the error names `schemes[i]`). The list to store: each
// scheme once, in the order sent, without https (always allowed).
Result<std::vector<std::string>> validate_added_schemes(std::span<const std::string> schemes);

// `ref`'s scheme is https or one of `added`; otherwise INVALID_ARGUMENT naming spec.payload_ref
// and the scheme.
Result<void> check_payload_scheme(std::string_view ref, std::span<const std::string> added);

// Whether staff may be shown `ref` as a link: its scheme is https or one an admin could add.
// Tasks stored before a firm's list shrank, or before the list existed, are shown by this rule.
bool is_renderable_payload_ref(std::string_view ref);

}  // namespace lexroute
