#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "services/common/server_tls.h"

namespace lexroute {

struct PemKeyPair;

// The worker app's certificate and key for HTTPS, read again from their files when they change,
// so the web door follows a rotation (cert-manager) as the gRPC door does. gRPC's own file
// watcher serves only gRPC; this does the same for an OpenSSL server: every handshake asks for
// the newest pair, which is looked for on disk at most once per `reload_every`.
class HttpsCertificate {
 public:
  // `tls` must have passed check_server_tls (so the first read succeeds).
  explicit HttpsCertificate(ServerTls tls);
  ~HttpsCertificate();
  HttpsCertificate(const HttpsCertificate&) = delete;
  HttpsCertificate& operator=(const HttpsCertificate&) = delete;

  // Makes `ctx` take its certificate from this object at every handshake; false when the files
  // could not be read. This object must outlive `ctx`.
  bool install(SSL_CTX& ctx);

 private:
  struct Pair;
  // Called by OpenSSL on each handshake (SSL_CTX_set_cert_cb): 1 when a pair was set.
  static int on_handshake(SSL* ssl, void* self);
  std::shared_ptr<const Pair> current();
  void read_files();
  // Null when OpenSSL cannot parse what read_key_pair accepted.
  static std::shared_ptr<const Pair> parse(const PemKeyPair& pem);

  ServerTls tls_;
  std::mutex mutex_;
  std::shared_ptr<const Pair> pair_;  // guarded by mutex_
  std::string pem_;                   // cert + key as last read, to see a change; mutex_
  std::chrono::steady_clock::time_point next_look_;  // mutex_
};

}  // namespace lexroute
