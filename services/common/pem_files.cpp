#include "services/common/pem_files.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>
#include <vector>

#include "router/text.h"
#include "services/common/flag_file.h"

namespace lexroute {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using Bio = std::unique_ptr<BIO, BioFree>;
using Certificate = std::unique_ptr<X509, X509Free>;
using PrivateKey = std::unique_ptr<EVP_PKEY, PkeyFree>;

Bio memory_bio(const std::string& pem) {
  return Bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

std::unexpected<Error> bad_file(std::string_view flag, const std::string& path,
                                std::string_view why) {
  ERR_clear_error();  // what OpenSSL queued is said by `why`, and must not leak into gRPC's use
  return fail(Errc::kInvalidArgument, cat("--", flag, " ", path, ": ", why), std::string(flag));
}

// Every certificate in `pem`, in order; none when it holds no PEM certificate.
std::vector<Certificate> parse_certificates(const std::string& pem) {
  std::vector<Certificate> certs;
  Bio bio = memory_bio(pem);
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    certs.emplace_back(cert);
  }
  ERR_clear_error();  // the loop ends on "no start line", which is no error
  return certs;
}

}  // namespace

Result<std::string> read_certificates(const std::string& path, std::string_view flag) {
  auto pem = read_flag_file(path, flag);
  if (!pem) return pem;
  if (parse_certificates(*pem).empty()) {
    return bad_file(flag, path, "holds no PEM certificate");
  }
  return pem;
}

Result<PemKeyPair> read_key_pair(const std::string& cert_path, std::string_view cert_flag,
                                 const std::string& key_path, std::string_view key_flag) {
  auto cert_pem = read_flag_file(cert_path, cert_flag);
  if (!cert_pem) return std::unexpected(cert_pem.error());
  auto certs = parse_certificates(*cert_pem);
  if (certs.empty()) return bad_file(cert_flag, cert_path, "holds no PEM certificate");
  auto key_pem = read_flag_file(key_path, key_flag);
  if (!key_pem) return std::unexpected(key_pem.error());
  Bio bio = memory_bio(*key_pem);
  // No passphrase callback: OpenSSL's default would prompt on the terminal for an encrypted key.
  auto no_passphrase = [](char*, int, int, void*) { return 0; };
  PrivateKey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
  if (!key) return bad_file(key_flag, key_path, "holds no unencrypted PEM private key");
  if (X509_check_private_key(certs.front().get(), key.get()) != 1) {
    return bad_file(key_flag, key_path,
                    cat("is not the key of the certificate in --", cert_flag, " ", cert_path));
  }
  return PemKeyPair{std::move(*cert_pem), std::move(*key_pem)};
}

}  // namespace lexroute
