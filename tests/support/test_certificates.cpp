#include "tests/support/test_certificates.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/command_run.h"

namespace lexroute::testing {

TestCertificateAuthority::TestCertificateAuthority(std::string dir, std::string name)
    : dir_(std::move(dir)),
      name_(std::move(name)),
      ca_{dir_ + "/" + name_ + "-ca.crt", dir_ + "/" + name_ + "-ca.key"} {
  openssl("req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj '/CN=" +
          name_ + " test CA' -addext basicConstraints=critical,CA:TRUE -addext " +
          "keyUsage=critical,keyCertSign,cRLSign -keyout " + ca_.key + " -out " + ca_.cert);
}

CertFiles TestCertificateAuthority::issue_server(const std::string& common_name,
                                                 const std::string& extra_dns) {
  std::string names = "IP:127.0.0.1,DNS:localhost";
  if (!extra_dns.empty()) names += ",DNS:" + extra_dns;
  return issue(common_name, "subjectAltName=" + names + "\nextendedKeyUsage=serverAuth\n");
}

CertFiles TestCertificateAuthority::issue_client(const std::string& common_name) {
  return issue(common_name, "extendedKeyUsage=clientAuth\n");
}

CertFiles TestCertificateAuthority::issue(const std::string& common_name,
                                          const std::string& extensions) {
  CertFiles out{dir_ + "/" + common_name + ".crt", dir_ + "/" + common_name + ".key"};
  std::string csr = dir_ + "/" + common_name + ".csr";
  std::string ext = dir_ + "/" + common_name + ".ext";
  std::ofstream(ext) << "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                     << extensions;
  // A serial of its own, so a reissued certificate is told apart from the one it replaces.
  openssl("req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj '/CN=" +
          common_name + "' -keyout " + out.key + " -out " + csr) &&
      openssl("x509 -req -in " + csr + " -CA " + ca_.cert + " -CAkey " + ca_.key + " -set_serial " +
              std::to_string(++serial_) + " -days 2 -extfile " + ext + " -out " + out.cert);
  return out;
}

bool TestCertificateAuthority::openssl(const std::string& args) {
  auto run = run_command("openssl " + args);
  if (run.exit_code != 0) {
    ADD_FAILURE() << "openssl " << args << " failed:\n" << run.out;
    ok_ = false;
  }
  return run.exit_code == 0;
}

}  // namespace lexroute::testing
