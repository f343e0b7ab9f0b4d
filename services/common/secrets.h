#pragma once

#include <string>
#include <string_view>

namespace lexroute {

// A new random secret for a firm key, staff token or admin key: `prefix` + 43 base64url chars
// (256 bits from the OS's random source).
std::string new_secret(std::string_view prefix);

// Keys and tokens are stored only as their SHA-256, hex-encoded. They are 256-bit random
// values, so a plain hash (no salt, no stretching) cannot be reversed by guessing.
std::string sha256_hex(std::string_view data);

std::string sha1_hex(std::string_view data);

// Random hex characters for ids.
std::string random_hex(size_t chars);

}  // namespace lexroute
