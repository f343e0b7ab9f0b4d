#include "services/gateway/https_certificate.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <vector>

#include "services/common/log.h"
#include "services/common/pem_files.h"

namespace lexroute {

// One certificate chain (leaf first) and its key, as OpenSSL objects. Handshakes in flight keep
// the pair they took alive while a reload swaps in the next.
struct HttpsCertificate::Pair {
  std::vector<X509*> chain;
  EVP_PKEY* key = nullptr;

  ~Pair() {
    for (X509* cert : chain) X509_free(cert);
    EVP_PKEY_free(key);
  }
};

HttpsCertificate::HttpsCertificate(ServerTls tls) : tls_(std::move(tls)) {
  std::lock_guard lock(mutex_);
  read_files();
}

HttpsCertificate::~HttpsCertificate() = default;

bool HttpsCertificate::install(SSL_CTX& ctx) {
  if (!current()) return false;
  // httplib's callback constructor leaves the context as OpenSSL made it: no older protocols.
  SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(&ctx, SSL_OP_NO_COMPRESSION);
  SSL_CTX_set_cert_cb(&ctx, &HttpsCertificate::on_handshake, this);
  return true;
}

int HttpsCertificate::on_handshake(SSL* ssl, void* self) {
  auto pair = static_cast<HttpsCertificate*>(self)->current();
  if (!pair || pair->chain.empty()) return 0;
  if (SSL_use_certificate(ssl, pair->chain.front()) != 1 ||
      SSL_use_PrivateKey(ssl, pair->key) != 1) {
    return 0;
  }
  SSL_clear_chain_certs(ssl);
  for (size_t i = 1; i < pair->chain.size(); ++i) SSL_add1_chain_cert(ssl, pair->chain[i]);
  return 1;
}

std::shared_ptr<const HttpsCertificate::Pair> HttpsCertificate::current() {
  std::lock_guard lock(mutex_);
  if (std::chrono::steady_clock::now() >= next_look_) read_files();
  return pair_;
}

void HttpsCertificate::read_files() {
  next_look_ = std::chrono::steady_clock::now() + tls_.reload_every;
  auto pem = read_key_pair(tls_.cert_file, "tls-cert", tls_.key_file, "tls-key");
  if (!pem) {
    // A rotation caught half way, or a file gone: keep serving the last good pair.
    LOG_WARN("gateway", "worker app HTTPS keeps its certificate: ", pem.error().message);
    return;
  }
  std::string both = pem->cert_chain + pem->private_key;
  if (both == pem_) return;
  auto parsed = parse(*pem);
  if (!parsed) return;
  if (pair_) LOG_INFO("gateway", "worker app HTTPS serves the new certificate in ", tls_.cert_file);
  pair_ = std::move(parsed);
  pem_ = std::move(both);
}

std::shared_ptr<const HttpsCertificate::Pair> HttpsCertificate::parse(const PemKeyPair& pem) {
  auto pair = std::make_shared<Pair>();
  BIO* certs = BIO_new_mem_buf(pem.cert_chain.data(), static_cast<int>(pem.cert_chain.size()));
  while (X509* cert = PEM_read_bio_X509(certs, nullptr, nullptr, nullptr)) {
    pair->chain.push_back(cert);
  }
  BIO_free(certs);
  BIO* key = BIO_new_mem_buf(pem.private_key.data(), static_cast<int>(pem.private_key.size()));
  auto no_passphrase = [](char*, int, int, void*) { return 0; };
  pair->key = PEM_read_bio_PrivateKey(key, nullptr, no_passphrase, nullptr);
  BIO_free(key);
  ERR_clear_error();  // the chain's loop ends on "no start line"
  if (pair->chain.empty() || pair->key == nullptr) return nullptr;
  return pair;
}

}  // namespace lexroute
