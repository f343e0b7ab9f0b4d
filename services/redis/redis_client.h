#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "router/error.h"

struct redisContext;

namespace lexroute {
class RedisMetrics;
}

namespace lexroute {

// A Redis reply copied out of hiredis, so callers never see hiredis types.
struct RedisReply {
  enum class Type { kNil, kInteger, kString, kStatus, kArray };
  Type type = Type::kNil;
  long long integer = 0;
  std::string str;
  std::vector<RedisReply> elements;

  bool is_nil() const { return type == Type::kNil; }
};

struct RedisEndpoint {
  std::string host = "127.0.0.1";
  int port = 6379;

  // Accepts "host:port" or "redis://host:port".
  static Result<RedisEndpoint> parse(std::string_view text);
  std::string to_string() const;
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

// A small pool of hiredis connections. A hiredis context is not thread-safe and is dead after an
// I/O error, so each command borrows one context, and a failed one is dropped and reconnected on
// next use. Redis replies of type error come back as Errc::kInternal with Redis's text, network
// failures as Errc::kUnavailable.
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
                          const std::vector<std::string>& args);
  // Many runs of one script in one round trip, one reply each. On NOSCRIPT the whole batch is
  // sent again with the body, so only for scripts that are safe to run twice.
  struct ScriptCall {
    std::vector<std::string> keys, args;
  };
  Result<std::vector<RedisReply>> eval_each(const RedisScript& script,
                                            const std::vector<ScriptCall>& calls);

  // A script, then reads of what it left, in one round trip: the script's reply first, then one
  // per read. On NOSCRIPT the whole is sent again with the body (the script had not run).
  Result<std::vector<RedisReply>> eval_then_read(
      const RedisScript& script, const std::vector<std::string>& keys,
      const std::vector<std::string>& args, const std::vector<std::vector<std::string>>& reads);

  const RedisEndpoint& endpoint() const { return options_.endpoint; }

 private:
  struct Lease;
  // Runs `commands(false)` (EVALSHA), or `commands(true)` (with the body) after NOSCRIPT, which
  // means none of them ran; an error names the script.
  Result<std::vector<RedisReply>> run_script(
      const RedisScript& script,
      const std::function<std::vector<std::vector<std::string>>(bool with_body)>& commands);
  Result<redisContext*> connect() const;
  Result<std::vector<RedisReply>> round_trip(const std::vector<std::vector<std::string>>& commands);
  redisContext* acquire();
  void release(redisContext* ctx, bool healthy);

  Options options_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<redisContext*> idle_;
  size_t open_ = 0;
};

}  // namespace lexroute
