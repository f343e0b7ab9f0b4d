#pragma once

#include <chrono>
#include <string>

#include "router/error.h"

namespace lexroute {

// Whether a TLS server asks its clients for a certificate (mutual TLS), and what it does without.
enum class ClientAuth {
  kNone,      // no client certificate asked for
  kOptional,  // asked for and verified against the client CA when sent; clients without pass
  kRequire,   // a client without a certificate the client CA signed is refused at the handshake
};

// What a gRPC server's --tls-* flags say. No certificate: plaintext.
struct ServerTls {
  std::string cert_file;       // PEM chain, leaf first
  std::string key_file;        // PEM private key of the leaf, unencrypted
  std::string client_ca_file;  // PEM CAs that sign client certificates; empty: no mutual TLS
  // With a client CA and no --tls-client-auth: kRequire, the safe reading of "mutual TLS".
  ClientAuth client_auth = ClientAuth::kNone;
  // How often the files are looked at again, so a rotated certificate is served without a
  // restart (cert-manager renews them in place).
  std::chrono::seconds reload_every{60};

  bool enabled() const { return !cert_file.empty() || !key_file.empty(); }
};

// Checks that the flags belong together and that the files are what they claim (readable PEM, the
// key the certificate's), with an error naming the flag and the file. Run once at start.
Result<void> check_server_tls(const ServerTls& tls);

// "require" or "optional" as the flag spells it; an error naming --tls-client-auth otherwise.
Result<ClientAuth> parse_client_auth(const std::string& text);

}  // namespace lexroute
