#include "cli/tls_flags.h"

#include "services/common/pem_files.h"

namespace lexroute::cli {

void add_tls_flags(CLI::App& app, TlsFlags& flags) {
  app.add_flag("--tls", flags.tls, "Connect over TLS, trusting the system's CAs (LEXROUTE_TLS)")
      ->envname("LEXROUTE_TLS");
  app.add_option("--ca-file", flags.ca_file,
                 "Connect over TLS, trusting only the PEM CAs in this file (LEXROUTE_CA_FILE)")
      ->envname("LEXROUTE_CA_FILE");
  app.add_option("--client-cert", flags.client_cert,
                 "Mutual TLS: this PEM certificate chain (LEXROUTE_CLIENT_CERT)")
      ->envname("LEXROUTE_CLIENT_CERT");
  app.add_option("--client-key", flags.client_key,
                 "Mutual TLS: the PEM private key of --client-cert (LEXROUTE_CLIENT_KEY)")
      ->envname("LEXROUTE_CLIENT_KEY");
  app.add_option("--tls-server-name", flags.server_name,
                 "The name the server's certificate carries, when --server is another "
                 "(LEXROUTE_TLS_SERVER_NAME)")
      ->envname("LEXROUTE_TLS_SERVER_NAME");
}

Result<ChannelSecurity> load_channel_security(const TlsFlags& flags) {
  ChannelSecurity security;
  security.tls = flags.tls || !flags.ca_file.empty() || !flags.client_cert.empty() ||
                 !flags.client_key.empty() || !flags.server_name.empty();
  security.server_name = flags.server_name;
  if (!flags.ca_file.empty()) {
    auto roots = read_certificates(flags.ca_file, "ca-file");
    if (!roots) return std::unexpected(roots.error());
    security.root_certs = std::move(*roots);
  }
  if (flags.client_cert.empty() != flags.client_key.empty()) {
    return flags.client_cert.empty()
               ? fail(Errc::kInvalidArgument,
                      "--client-key " + flags.client_key + " needs --client-cert", "client-cert")
               : fail(Errc::kInvalidArgument,
                      "--client-cert " + flags.client_cert + " needs --client-key", "client-key");
  }
  if (!flags.client_cert.empty()) {
    auto pair = read_key_pair(flags.client_cert, "client-cert", flags.client_key, "client-key");
    if (!pair) return std::unexpected(pair.error());
    security.client_cert = std::move(pair->cert_chain);
    security.client_key = std::move(pair->private_key);
  }
  return security;
}

}  // namespace lexroute::cli
