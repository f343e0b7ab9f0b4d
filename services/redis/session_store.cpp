#include "services/redis/session_store.h"

#include "services/common/secrets.h"
#include "services/redis/keys.h"

namespace lexroute {

Result<SessionStore::Opened> SessionStore::open(const StaffIdentity& staff,
                                                const std::string& staff_token) {
  Opened opened{new_secret("lxw_"), new_secret("")};
  auto key = keys::web_session(sha256_hex(opened.session_id));
  auto replies =
      redis_.pipeline({{"HSET", key, "pool", staff.pool, "staff", staff.staff_id, "csrf_sha256",
                        sha256_hex(opened.csrf_token), "token_sha256", sha256_hex(staff_token)},
                       {"EXPIRE", key, std::to_string(idle_ttl_.count())}});
  if (!replies) return std::unexpected(replies.error());
  return opened;
}

Result<WebSession> SessionStore::find(const std::string& session_id) {
  if (session_id.empty()) return fail(Errc::kUnauthenticated, "not signed in");
  auto key = keys::web_session(sha256_hex(session_id));
  auto replies = redis_.pipeline({{"HMGET", key, "pool", "staff", "csrf_sha256", "token_sha256"},
                                  {"EXPIRE", key, std::to_string(idle_ttl_.count())}});
  if (!replies) return std::unexpected(replies.error());
  const auto& fields = (*replies)[0].elements;
  if (fields.size() != 4 || fields[0].is_nil() || fields[3].is_nil()) {
    return fail(Errc::kUnauthenticated, "session ended: sign in again");
  }
  // A replaced or revoked staff token ends every session it opened.
  auto token = redis_.command({"EXISTS", keys::staff_token(fields[3].str)});
  if (!token) return std::unexpected(token.error());
  if (token->integer == 0) {
    (void)close(session_id);
    return fail(Errc::kUnauthenticated, "staff token revoked: sign in again");
  }
  return WebSession{{fields[0].str, fields[1].str}, fields[2].str};
}

Result<void> SessionStore::close(const std::string& session_id) {
  if (session_id.empty()) return {};
  auto deleted = redis_.command({"DEL", keys::web_session(sha256_hex(session_id))});
  if (!deleted) return std::unexpected(deleted.error());
  return {};
}

}  // namespace lexroute
