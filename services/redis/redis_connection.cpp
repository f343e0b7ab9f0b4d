#include "services/redis/redis_connection.h"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "router/text.h"

namespace lexroute {
namespace {

struct FreeReply {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using OwnedReply = std::unique_ptr<redisReply, FreeReply>;

timeval timeval_of(std::chrono::milliseconds ms) {
  return timeval{static_cast<time_t>(ms.count() / 1000),
                 static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

std::string reply_text(const redisReply* r) { return std::string(r->str, r->len); }

Result<redisContext*> connect_to(const HostPort& address, std::chrono::milliseconds timeout) {
  timeval tv = timeval_of(timeout);
  redisContext* ctx = redisConnectWithTimeout(address.host.c_str(), address.port, tv);
  if (ctx == nullptr || ctx->err != 0) {
    std::string why = ctx ? ctx->errstr : "out of memory";
    if (ctx) redisFree(ctx);
    return fail(Errc::kUnavailable, cat("redis at ", address.to_string(), " unreachable: ", why));
  }
  redisSetTimeout(ctx, tv);
  redisEnableKeepAlive(ctx);
  return ctx;
}

void append_argv(redisContext* ctx, const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const auto& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  redisAppendCommandArgv(ctx, static_cast<int>(args.size()), argv.data(), lens.data());
}

// Replies to `commands` sent in one round trip, or the I/O failure.
Result<std::vector<OwnedReply>> handshake_round_trip(
    redisContext* ctx, const std::vector<std::vector<std::string>>& commands,
    const std::string& where) {
  for (const auto& c : commands) append_argv(ctx, c);
  std::vector<OwnedReply> replies;
  for (size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(ctx, &raw) != REDIS_OK || raw == nullptr) {
      return fail(Errc::kUnavailable, cat("redis at ", where, ": ", ctx->errstr));
    }
    replies.emplace_back(static_cast<redisReply*>(raw));
  }
  return replies;
}

// The master's address as `sentinel` names it now.
Result<HostPort> ask_sentinel(const HostPort& sentinel, const std::string& master_name,
                              std::chrono::milliseconds timeout) {
  auto ctx = connect_to(sentinel, timeout);
  if (!ctx) return std::unexpected(ctx.error());
  std::unique_ptr<redisContext, decltype(&redisFree)> owned(*ctx, &redisFree);
  auto replies = handshake_round_trip(*ctx, {{"SENTINEL", "get-master-addr-by-name", master_name}},
                                      sentinel.to_string());
  if (!replies) return std::unexpected(replies.error());
  const redisReply* r = replies->front().get();
  HostPort master;
  if (r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
      r->element[0]->type == REDIS_REPLY_STRING && r->element[1]->type == REDIS_REPLY_STRING &&
      parse_int(reply_text(r->element[1]), &master.port)) {
    master.host = reply_text(r->element[0]);
    return master;
  }
  return fail(Errc::kUnavailable,
              r->type == REDIS_REPLY_ERROR
                  ? cat("sentinel ", sentinel.to_string(), ": ", reply_text(r))
                  : cat("sentinel ", sentinel.to_string(), " knows no master ", master_name));
}

// AUTH, SELECT and a last check, in one round trip; the context stays the caller's.
Result<void> prepare(redisContext* ctx, const RedisEndpoint& endpoint, const std::string& where) {
  std::vector<std::vector<std::string>> commands;
  if (!endpoint.password.empty()) {
    if (endpoint.user.empty()) {
      commands.push_back({"AUTH", endpoint.password});
    } else {
      commands.push_back({"AUTH", endpoint.user, endpoint.password});
    }
  }
  if (endpoint.db != 0) commands.push_back({"SELECT", std::to_string(endpoint.db)});
  // PING surfaces NOAUTH now, with the address, rather than in the first command of a service.
  commands.push_back({endpoint.uses_sentinels() ? "ROLE" : "PING"});
  auto replies = handshake_round_trip(ctx, commands, where);
  if (!replies) return std::unexpected(replies.error());
  size_t next = 0;
  if (!endpoint.password.empty()) {
    const redisReply* auth = (*replies)[next++].get();
    if (auth->type == REDIS_REPLY_ERROR) {
      return fail(Errc::kInternal,
                  cat("redis at ", where, ": authentication failed (", reply_text(auth), ")"));
    }
  }
  if (endpoint.db != 0) {
    const redisReply* select = (*replies)[next++].get();
    if (select->type == REDIS_REPLY_ERROR) {
      return fail(Errc::kInvalidArgument,
                  cat("redis at ", where, ": cannot use database ", endpoint.db, " (",
                      reply_text(select), ")"),
                  "redis");
    }
  }
  const redisReply* check = (*replies)[next].get();
  if (check->type == REDIS_REPLY_ERROR) {
    std::string text = reply_text(check);
    if (text.starts_with("NOAUTH")) {
      return fail(Errc::kInternal, cat("redis at ", where, ": authentication failed (", text,
                                       "); give a password in --redis or --redis-password-file"));
    }
    // A user not granted ROLE (an @admin command) cannot be checked here; a replica then
    // answers writes with READONLY, which drops the connection all the same.
    if (text.starts_with("NOPERM")) return {};
    return fail(Errc::kUnavailable, cat("redis at ", where, ": ", text));
  }
  if (endpoint.uses_sentinels()) {
    bool master = check->type == REDIS_REPLY_ARRAY && check->elements > 0 &&
                  check->element[0]->type == REDIS_REPLY_STRING &&
                  reply_text(check->element[0]) == "master";
    if (!master) {
      return fail(Errc::kUnavailable, cat("redis at ", where, " is not the master of ",
                                          endpoint.master_name, " (failover under way?)"));
    }
  }
  return {};
}

// A connection to `target`, ready for commands.
Result<redisContext*> open_at(const HostPort& target, const RedisEndpoint& endpoint,
                              std::chrono::milliseconds timeout) {
  auto ctx = connect_to(target, timeout);
  if (!ctx) return ctx;
  if (auto ready = prepare(*ctx, endpoint, target.to_string()); !ready) {
    redisFree(*ctx);
    return std::unexpected(ready.error());
  }
  return ctx;
}

}  // namespace

Result<redisContext*> open_redis_connection(const RedisEndpoint& endpoint,
                                            std::chrono::milliseconds timeout) {
  if (!endpoint.uses_sentinels()) return open_at({endpoint.host, endpoint.port}, endpoint, timeout);
  // Each sentinel in turn, until one names a master that is one: a sentinel cut off from the
  // others may still name the old master. An address already tried is not tried again, so a
  // dead master costs one connect timeout, not one per sentinel.
  std::vector<HostPort> tried;
  std::string why;
  for (const auto& sentinel : endpoint.sentinels) {
    auto master = ask_sentinel(sentinel, endpoint.master_name, timeout);
    if (!master) {
      why = master.error().message;
      continue;
    }
    bool seen = std::any_of(tried.begin(), tried.end(), [&](const HostPort& t) {
      return t.host == master->host && t.port == master->port;
    });
    if (seen) continue;
    tried.push_back(*master);
    auto ctx = open_at(*master, endpoint, timeout);
    // A refused password or database is the same on every node: no use asking further.
    if (ctx || ctx.error().code != Errc::kUnavailable) return ctx;
    why = ctx.error().message;
  }
  return fail(Errc::kUnavailable,
              cat("redis master ", endpoint.master_name, " (", endpoint.address(), "): ", why));
}

Result<HostPort> ask_sentinels_for_master(const RedisEndpoint& endpoint,
                                          std::chrono::milliseconds timeout) {
  std::string why;
  for (const auto& sentinel : endpoint.sentinels) {
    auto master = ask_sentinel(sentinel, endpoint.master_name, timeout);
    if (master) return master;
    why = master.error().message;
  }
  return fail(Errc::kUnavailable,
              cat("redis master ", endpoint.master_name, " (", endpoint.address(), "): ", why));
}

HostPort connected_address(const redisContext* ctx) {
  return HostPort{ctx->tcp.host != nullptr ? ctx->tcp.host : "", ctx->tcp.port};
}

bool ends_connection(std::string_view error_word) {
  return error_word == "READONLY" || error_word == "MASTERDOWN" || error_word == "UNBLOCKED" ||
         error_word == "NOAUTH";
}

}  // namespace lexroute
