#include "services/common/server_tls.h"

#include "services/common/pem_files.h"

namespace lexroute {

Result<void> check_server_tls(const ServerTls& tls) {
  if (!tls.enabled()) {
    if (!tls.client_ca_file.empty()) {
      return fail(Errc::kInvalidArgument,
                  "--tls-client-ca " + tls.client_ca_file + " needs --tls-cert and --tls-key",
                  "tls-client-ca");
    }
    if (tls.client_auth != ClientAuth::kNone) {
      return fail(Errc::kInvalidArgument, "--tls-client-auth needs --tls-cert and --tls-key",
                  "tls-client-auth");
    }
    return {};
  }
  if (tls.cert_file.empty()) {
    return fail(Errc::kInvalidArgument, "--tls-key " + tls.key_file + " needs --tls-cert",
                "tls-cert");
  }
  if (tls.key_file.empty()) {
    return fail(Errc::kInvalidArgument, "--tls-cert " + tls.cert_file + " needs --tls-key",
                "tls-key");
  }
  if (auto pair = read_key_pair(tls.cert_file, "tls-cert", tls.key_file, "tls-key"); !pair) {
    return std::unexpected(pair.error());
  }
  if (tls.client_ca_file.empty()) {
    if (tls.client_auth != ClientAuth::kNone) {
      return fail(Errc::kInvalidArgument,
                  "--tls-client-auth needs --tls-client-ca (the CAs that sign client certificates)",
                  "tls-client-auth");
    }
    return {};
  }
  if (auto ca = read_certificates(tls.client_ca_file, "tls-client-ca"); !ca) {
    return std::unexpected(ca.error());
  }
  return {};
}

Result<ClientAuth> parse_client_auth(const std::string& text) {
  if (text.empty()) return ClientAuth::kNone;
  if (text == "require") return ClientAuth::kRequire;
  if (text == "optional") return ClientAuth::kOptional;
  return fail(Errc::kInvalidArgument,
              "--tls-client-auth must be require or optional, not '" + text + "'",
              "tls-client-auth");
}

}  // namespace lexroute
