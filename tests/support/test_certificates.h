#pragma once

#include <string>

namespace lexroute::testing {

// A certificate and its key, as files.
struct CertFiles {
  std::string cert;
  std::string key;
};

// A throwaway certificate authority for TLS tests, made with the `openssl` command line in `dir`
// (P-256 keys, valid two days). Failures are recorded as test failures; `ok()` says whether every
// certificate so far was made.
class TestCertificateAuthority {
 public:
  // A self-signed CA named `name`; its certificate is `dir/<name>-ca.crt`.
  TestCertificateAuthority(std::string dir, std::string name);

  const std::string& ca_file() const { return ca_.cert; }
  bool ok() const { return ok_; }

  // A server certificate for 127.0.0.1, localhost and `extra_dns` (when not empty), with common
  // name `common_name`, written to `<dir>/<common_name>.crt` and `.key`.
  CertFiles issue_server(const std::string& common_name, const std::string& extra_dns = {});
  // A client certificate (clientAuth) with common name `common_name`.
  CertFiles issue_client(const std::string& common_name);

 private:
  CertFiles issue(const std::string& common_name, const std::string& extensions);
  bool openssl(const std::string& args);

  std::string dir_;
  std::string name_;
  CertFiles ca_;
  int serial_ = 1000;
  bool ok_ = true;
};

}  // namespace lexroute::testing
