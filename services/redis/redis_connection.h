#pragma once

#include <chrono>
#include <string_view>

#include "router/error.h"
#include "services/redis/redis_endpoint.h"

struct redisContext;

namespace lexroute {

// A new hiredis connection, ready for commands: to the one address, or to the master the
// sentinels name now (each asked in turn until one names a reachable master), logged in (AUTH)
// and on the chosen database (SELECT) before anyone uses it. Every connection of every pool, and
// each reconnection, comes from here. In Sentinel mode, ROLE must say master: during a failover the
// sentinels may still name a node that has just become a replica. Failures that can pass
// (unreachable, a failover under way) are Errc::kUnavailable; a refused password or database is not
// retriable. Errors name the address, never the password. The caller owns the context (redisFree).
Result<redisContext*> open_redis_connection(const RedisEndpoint& endpoint,
                                            std::chrono::milliseconds timeout);

// The master's address as the first sentinel that answers names it now.
Result<HostPort> ask_sentinels_for_master(const RedisEndpoint& endpoint,
                                          std::chrono::milliseconds timeout);

// Where `ctx` is connected.
HostPort connected_address(const redisContext* ctx);

// Whether a Redis error word (READONLY, MASTERDOWN, ...) means this connection no longer reaches
// a writable master, as after a failover: the connection is dropped, so the next one asks the
// sentinels again instead of writing into a replica forever.
bool ends_connection(std::string_view error_word);

}  // namespace lexroute
