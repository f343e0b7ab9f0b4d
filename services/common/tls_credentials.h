#pragma once

#include <grpcpp/security/server_credentials.h>

#include <memory>

#include "services/common/server_tls.h"

namespace lexroute {

// The credentials a gRPC server listens with: plaintext when `tls` is not enabled, otherwise TLS
// from gRPC's own file watcher, which reads the certificate, key and client CA again every
// `reload_every`, so new handshakes get a rotated certificate without a restart. Check the files
// with check_server_tls first: gRPC only logs what it cannot read.
std::shared_ptr<grpc::ServerCredentials> server_credentials(const ServerTls& tls);

}  // namespace lexroute
