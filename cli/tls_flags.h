#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "cli/channel_security.h"
#include "router/error.h"

namespace lexroute::cli {

// The client side's TLS flags as given: file names, read by load_channel_security.
// Every member has a default, so tests can name only the flags they give.
struct TlsFlags {
  bool tls = false;
  std::string ca_file = {};
  std::string client_cert = {};
  std::string client_key = {};
  std::string server_name = {};
};

// --tls, --ca-file, --client-cert, --client-key, --tls-server-name (and their LEXROUTE_*
// variables), the same for the lexroute CLI and the load tester.
void add_tls_flags(CLI::App& app, TlsFlags& flags);

// Reads and checks the files the flags name (the error names the flag and the file). --ca-file,
// a client certificate or --tls-server-name imply --tls.
Result<ChannelSecurity> load_channel_security(const TlsFlags& flags);

}  // namespace lexroute::cli
