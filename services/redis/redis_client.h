#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "router/error.h"
#include "services/common/host_port.h"
#include "services/redis/redis_endpoint.h"

struct redisContext;

namespace lexroute {
class ClusterRouter;
class RedisMetrics;
}  // namespace lexroute

namespace lexroute {

// A Redis reply copied out of hiredis, so callers never see hiredis types.
struct RedisReply {
  // kError only reaches callers of run_each, whose runs fail one by one; `str` holds the text.
  enum class Type { kNil, kInteger, kString, kStatus, kArray, kError };
  Type type = Type::kNil;
  long long integer = 0;
  std::string str;
  std::vector<RedisReply> elements;

  bool is_nil() const { return type == Type::kNil; }
};

// A Lua script carried by the binary. Its SHA-1 is computed locally, so EVALSHA needs no
// SCRIPT LOAD round trip; on NOSCRIPT (a restarted or new Redis) the body is sent once with EVAL.
class RedisScript {
 public:
  RedisScript(std::string_view name, std::string_view body);
  std::string_view name() const { return name_; }
  std::string_view body() const { return body_; }
  const std::string& sha() const { return sha_; }

 private:
  std::string_view name_;
  std::string_view body_;
  std::string sha_;
};

// How many replicas must hold a write before it is acknowledged, and how long to wait for them
// (Redis WAIT). Replication is asynchronous: a master that dies takes the writes it had not yet
// sent with it, and a replica promoted then forgets them. `replicas` 0: acknowledged after the
// master alone. `timeout` must stay below the client's own I/O timeout, or a slow replica reads
// as a dead connection.
struct ReplicaWait {
  int replicas = 0;
  std::chrono::milliseconds timeout{1000};
  bool wanted() const { return replicas > 0; }
};

// A small pool of hiredis connections. A hiredis context is not thread-safe and is dead after an
// I/O error, so each command borrows one context, and a failed one is dropped and reconnected on
// next use (open_redis_connection: AUTH, SELECT, and in Sentinel mode the master asked anew). A
// connection that answers READONLY or MASTERDOWN is dropped too, and in Sentinel mode so is one
// to an address the sentinels no longer name (asked at most once a second), so the client
// follows a failover. Redis replies of type error come back as Errc::kInternal with Redis's text,
// network failures and failover errors as Errc::kUnavailable. In Redis Cluster mode
// (endpoint.uses_cluster()) a ClusterRouter sends each command to its slot's master, with a pool
// like this one per master; batches are split by master and answered in order.
class RedisClient {
 public:
  struct Options {
    RedisEndpoint endpoint;
    size_t connections = 4;
    std::chrono::milliseconds timeout{2000};
    RedisMetrics* metrics = nullptr;  // round trips and errors, when given
  };

  explicit RedisClient(Options options);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  Result<RedisReply> command(const std::vector<std::string>& args);
  // Several commands in one round trip; one reply per command, in order.
  Result<std::vector<RedisReply>> pipeline(const std::vector<std::vector<std::string>>& commands);
  Result<RedisReply> eval(const RedisScript& script, const std::vector<std::string>& keys,
                          const std::vector<std::string>& args, const ReplicaWait& wait = {});
  // Many script runs, each followed by reads of what it left, in one round trip. One result per
  // run, in order: the script's reply, then one per read. A Redis error fails only its own run,
  // so callers answering many people at once can tell each their own outcome. Runs refused with
  // NOSCRIPT (a restarted or new Redis; they did not run) are sent once more with their bodies,
  // and only those, so no script runs twice.
  // With `wait` wanted, each round trip ends in WAIT on the same connection, which counts the
  // replicas that hold everything that connection wrote; when fewer than asked confirm in time,
  // every run that did run fails with Errc::kUnavailable (its writes stay on the master, so the
  // scripts must make a retry find them done and write again: see restate() in
  // scripts/lib/prelude.lua).
  struct ScriptRun {
    const RedisScript* script = nullptr;
    std::vector<std::string> keys, args;
    std::vector<std::vector<std::string>> reads;
  };
  Result<std::vector<Result<std::vector<RedisReply>>>> run_each(const std::vector<ScriptRun>& runs,
                                                                const ReplicaWait& wait = {});
  // The same, for callers that need every run to succeed: the replies of all runs in one list,
  // or the first failure.
  Result<std::vector<RedisReply>> eval_each(const std::vector<ScriptRun>& runs,
                                            const ReplicaWait& wait = {});

  // Whether Redis answers at all (start-up checks); in a cluster, whether every master does.
  Result<void> ping();

  const RedisEndpoint& endpoint() const { return options_.endpoint; }

 private:
  friend class ClusterRouter;  // its per-master pools are standalone clients it sends through

  // One timed round trip (in a cluster, one per master concerned); error replies stay in the
  // result, only I/O failures fail it.
  Result<std::vector<RedisReply>> exchange(const std::vector<std::vector<std::string>>& commands);
  // The failure an error reply means, counted in the metrics.
  Error error_from_reply(const std::string& text);
  // The failure WAIT's reply means when fewer replicas than asked confirmed; none otherwise.
  std::optional<Error> replicas_short(const RedisReply& waited, const ReplicaWait& wait);
  Result<redisContext*> connect() const;
  Result<std::vector<RedisReply>> round_trip(const std::vector<std::vector<std::string>>& commands);
  // round_trip in two halves, so that a cluster batch is written to every master before any
  // reply is read: `commands` written on a connection of the pool, then their `count` replies
  // read from it (and the connection given back).
  Result<redisContext*> send(const std::vector<std::vector<std::string>>& commands);
  Result<std::vector<RedisReply>> receive(redisContext* ctx, size_t count);
  redisContext* acquire();
  void release(redisContext* ctx, bool healthy);
  // In Sentinel mode: whether `ctx` still reaches the address the sentinels name. A switchover
  // promotes a replica while the old master, still up, takes writes on the connections it has
  // until the sentinels demote it (up to their 10 s INFO period), and those writes are lost then.
  bool at_named_master(const redisContext* ctx);
  // A new connection went where the sentinels named just now: that is the master to check by.
  void remember_master(const redisContext* ctx);

  Options options_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<redisContext*> idle_;
  size_t open_ = 0;

  std::mutex master_mutex_;  // Sentinel mode: the master as last named
  HostPort named_master_;
  std::chrono::steady_clock::time_point master_asked_{};
  bool asking_ = false;

  std::unique_ptr<ClusterRouter> cluster_;  // Redis Cluster mode only
};

}  // namespace lexroute
