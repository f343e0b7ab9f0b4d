#pragma once

#include <string>
#include <string_view>

#include "router/error.h"

namespace lexroute {

// A certificate chain and its private key, read from the files two flags name.
struct PemKeyPair {
  std::string cert_chain;
  std::string private_key;
};

// The files a TLS flag names, read and checked with OpenSSL at start: gRPC would only log a bad
// file later, at the first handshake, and serve nothing. Every error names the flag and the file.

// One or more PEM certificates (a chain, or a bundle of trusted CAs).
Result<std::string> read_certificates(const std::string& path, std::string_view flag);

// A certificate chain and the private key of its first certificate.
Result<PemKeyPair> read_key_pair(const std::string& cert_path, std::string_view cert_flag,
                                 const std::string& key_path, std::string_view key_flag);

}  // namespace lexroute
