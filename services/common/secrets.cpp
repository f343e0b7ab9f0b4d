#include "services/common/secrets.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <cstdlib>

namespace lexroute {
namespace {

std::string digest_hex(const EVP_MD* md, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &len, md, nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    hex.push_back(kHex[out[i] >> 4]);
    hex.push_back(kHex[out[i] & 0xf]);
  }
  return hex;
}

void random_bytes(unsigned char* out, size_t n) {
  // Without randomness no secret can be issued safely; this is not a recoverable state.
  if (RAND_bytes(out, static_cast<int>(n)) != 1) std::abort();
}

}  // namespace

std::string sha256_hex(std::string_view data) { return digest_hex(EVP_sha256(), data); }

std::string sha1_hex(std::string_view data) { return digest_hex(EVP_sha1(), data); }

std::string new_secret(std::string_view prefix) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::array<unsigned char, 43> bytes{};
  random_bytes(bytes.data(), bytes.size());
  std::string out(prefix);
  for (unsigned char b : bytes) out.push_back(kAlphabet[b & 63]);
  return out;
}

std::string random_hex(size_t chars) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string bytes(chars, '\0');
  random_bytes(reinterpret_cast<unsigned char*>(bytes.data()), chars);
  for (auto& c : bytes) c = kHex[static_cast<unsigned char>(c) & 0xf];
  return bytes;
}

}  // namespace lexroute
