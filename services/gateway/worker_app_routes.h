#pragma once

#include <optional>
#include <string>

#include "services/gateway/web_message.h"
#include "services/gateway/worker_desk.h"
#include "services/redis/session_store.h"

namespace lexroute {

// What the worker app's door answers to one request.
struct WebAnswer {
  WebResponse response;
  bool signed_in = false;  // the request proved a live session (or signed in)
  // Set when the request opened the staff member's offer feed (`response` is then only its
  // header): the door streams the feed on the connection.
  std::optional<StaffIdentity> feed_for;
  std::string session;  // the feed's session
};

// The worker app's requests, door-independent: the page (web/, built into the binary), a JSON API
// onto the same WorkerDesk operations as the gRPC door, and the offer feed's opening. Browsers
// sign in once with their staff token and then carry an HttpOnly session cookie; every
// state-changing request also carries the session's CSRF token (docs/security.md, "The worker
// app"). Calls block on Redis: the door runs them on its handler threads.
class WorkerAppRoutes {
 public:
  WorkerAppRoutes(WorkerDesk& desk, SessionStore& sessions, bool https)
      : desk_(desk), sessions_(sessions), https_(https) {}

  WebAnswer answer(const WebRequest& req);
  // False once the session ended (signed out, or the staff token revoked); true while the store
  // is away, so an outage does not drop every page.
  bool session_stands(const std::string& session);

 private:
  // The signed-in staff member, or the error to answer. State-changing requests
  // (`changes_state`) must also carry the session's CSRF token.
  Result<StaffIdentity> signed_in(const WebRequest& req, bool changes_state);
  WebAnswer sign_in(const WebRequest& req);
  WebAnswer sign_out(const WebRequest& req);
  WebAnswer feed(const WebRequest& req);
  WebAnswer action(const WebRequest& req, std::string_view path);

  WorkerDesk& desk_;
  SessionStore& sessions_;
  bool https_;  // the session cookie is then Secure
};

}  // namespace lexroute
