#pragma once

#include <memory>
#include <string>

#include "router/error.h"
#include "services/common/server_tls.h"
#include "services/gateway/live_feeds.h"
#include "services/gateway/web_door_limits.h"
#include "services/gateway/worker_desk.h"
#include "services/redis/session_store.h"

namespace lexroute {

// The worker app's door: an HTTP/1.1 server for people in a browser, beside the gRPC one for
// programs, answering with WorkerAppRoutes. It is event-driven (Boost.Beast on Asio): an open
// page costs a connection's memory, not a thread, and its offer feed is one of the gateway's
// LiveFeeds. Requests that wait on Redis run on a few handler threads. Every connection has
// deadlines (TLS handshake, each whole request, each write), and WebDoorLimits decides who may
// hold it open (docs/security.md, "The worker app").
class WorkerAppServer {
 public:
  // Listens on `listen` (host:port; port 0 picks a free one) and serves on its own threads:
  // HTTPS with `tls`'s certificate and key (read again when they change) when it is enabled
  // (checked with check_server_tls), plain HTTP otherwise. `limits.connections` is lowered to
  // what the process's open-file limit allows.
  static Result<std::unique_ptr<WorkerAppServer>> start(const std::string& listen, WorkerDesk& desk,
                                                        SessionStore& sessions, LiveFeeds& feeds,
                                                        const ServerTls& tls = {},
                                                        WebDoorLimits::Settings limits = {});
  ~WorkerAppServer();
  WorkerAppServer(const WorkerAppServer&) = delete;
  WorkerAppServer& operator=(const WorkerAppServer&) = delete;

  // host:port actually bound.
  const std::string& address() const { return address_; }
  // Stops accepting, closes every connection and waits for the requests in flight.
  void stop();

  struct Door;

 private:
  WorkerAppServer() = default;

  std::unique_ptr<Door> door_;
  std::string address_;
};

}  // namespace lexroute
