#pragma once

#include <string>

namespace lexroute::cli {

// How a channel is secured: plaintext unless `tls`. PEM contents, read and checked once at start
// (load_channel_security in cli/tls_flags.h), so opening a channel cannot fail on a file. No gRPC
// here, so headers that only pass it on stay light.
struct ChannelSecurity {
  bool tls = false;
  std::string root_certs;   // CAs the server's certificate must chain to; empty: system roots
  std::string client_cert;  // mutual TLS: this chain and key, when both are set
  std::string client_key;
  std::string server_name;  // the name the server's certificate must carry, when not the address
};

}  // namespace lexroute::cli
