#pragma once

#include <memory>
#include <string>

#include "router/error.h"
#include "services/common/server_tls.h"
#include "services/gateway/https_certificate.h"
#include "services/gateway/worker_desk.h"
#include "services/redis/session_store.h"

namespace lexroute {

// The worker app's door: an HTTP server for people in a browser, beside the gRPC one for
// programs. It serves the page (web/, built into the binary), a JSON API onto the same
// WorkerDesk operations, and the offer feed as Server-Sent Events. Browsers sign in once with
// their staff token and then carry an HttpOnly session cookie; every state-changing request
// also carries the session's CSRF token (docs/security.md, "The worker app").
class WorkerAppServer {
 public:
  // Listens on `listen` (host:port; port 0 picks a free one) and serves on its own threads:
  // HTTPS with `tls`'s certificate and key (read again when they change) when it is enabled
  // (checked with check_server_tls), plain HTTP otherwise.
  static Result<std::unique_ptr<WorkerAppServer>> start(const std::string& listen, WorkerDesk& desk,
                                                        SessionStore& sessions,
                                                        const ServerTls& tls = {});
  ~WorkerAppServer();
  WorkerAppServer(const WorkerAppServer&) = delete;
  WorkerAppServer& operator=(const WorkerAppServer&) = delete;

  // host:port actually bound.
  const std::string& address() const { return address_; }
  // Stops accepting and waits for the requests in flight; the desk must already be stopping,
  // so open offer feeds end.
  void stop();

 private:
  struct Routes;
  WorkerAppServer() = default;

  std::unique_ptr<HttpsCertificate> certificate_;  // over HTTPS; outlives the server in routes_
  std::unique_ptr<Routes> routes_;
  std::string address_;
};

}  // namespace lexroute
