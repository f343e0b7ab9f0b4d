#pragma once

#include <chrono>
#include <string>

#include "router/error.h"
#include "services/redis/credential_store.h"
#include "services/redis/redis_client.h"

namespace lexroute {

// A signed-in worker-app browser: who it is and the CSRF token its state-changing requests
// must carry.
struct WebSession {
  StaffIdentity staff;
  std::string csrf_sha256;
};

// Worker-app sessions in Redis. Like staff tokens, only the SHA-256 of a session id (and of its
// CSRF token) is stored, so a copy of Redis cannot be used to sign in. A session lives while it
// is used (sliding `idle_ttl`) and ends at sign-out, or as soon as the staff token it was opened
// with is revoked or replaced.
class SessionStore {
 public:
  explicit SessionStore(RedisClient& redis, std::chrono::seconds idle_ttl = std::chrono::hours(12))
      : redis_(redis), idle_ttl_(idle_ttl) {}

  struct Opened {
    std::string session_id;  // for the cookie; never stored
    std::string csrf_token;  // for the page to send back in X-CSRF-Token; never stored
  };
  // A new session for the staff member who owns `staff_token` (already authenticated).
  Result<Opened> open(const StaffIdentity& staff, const std::string& staff_token);
  // The live session with this id; UNAUTHENTICATED for a missing, unknown or ended one.
  Result<WebSession> find(const std::string& session_id);
  Result<void> close(const std::string& session_id);

 private:
  RedisClient& redis_;
  std::chrono::seconds idle_ttl_;
};

}  // namespace lexroute
