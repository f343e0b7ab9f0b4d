#include "services/redis/redis_client.h"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <iterator>
#include <optional>

#include "router/text.h"
#include "services/common/secrets.h"
#include "services/metrics/redis_metrics.h"
#include "services/redis/cluster_router.h"
#include "services/redis/redis_connection.h"

namespace lexroute {
namespace {

RedisReply copy_reply(const redisReply* r) {
  RedisReply out;
  switch (r->type) {
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::kString;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::kStatus;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      out.elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(copy_reply(r->element[i]));
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::kError;
      out.str.assign(r->str, r->len);
      break;
    default:
      out.type = RedisReply::Type::kNil;
  }
  return out;
}

void append(redisContext* ctx, const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  argv.reserve(args.size());
  lens.reserve(args.size());
  for (const auto& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  redisAppendCommandArgv(ctx, static_cast<int>(args.size()), argv.data(), lens.data());
}

}  // namespace

RedisScript::RedisScript(std::string_view name, std::string_view body)
    : name_(name), body_(body), sha_(sha1_hex(body)) {}

RedisClient::RedisClient(Options options) : options_(std::move(options)) {
  if (options_.endpoint.uses_cluster()) {
    cluster_ = std::make_unique<ClusterRouter>(
        ClusterRouter::Options{options_.endpoint, options_.connections, options_.timeout});
  }
}

RedisClient::~RedisClient() {
  for (auto* ctx : idle_) redisFree(ctx);
}

Result<redisContext*> RedisClient::connect() const {
  return open_redis_connection(options_.endpoint, options_.timeout);
}

// Returns an idle context, or nullptr when the caller may open a new one.
redisContext* RedisClient::acquire() {
  std::unique_lock lock(mutex_);
  available_.wait(lock, [&] { return !idle_.empty() || open_ < options_.connections; });
  if (!idle_.empty()) {
    redisContext* ctx = idle_.back();
    idle_.pop_back();
    return ctx;
  }
  ++open_;
  return nullptr;
}

void RedisClient::release(redisContext* ctx, bool healthy) {
  {
    std::lock_guard lock(mutex_);
    if (healthy && ctx != nullptr) {
      idle_.push_back(ctx);
    } else {
      if (ctx != nullptr) redisFree(ctx);
      --open_;
    }
  }
  available_.notify_one();
}

Result<std::vector<RedisReply>> RedisClient::exchange(
    const std::vector<std::vector<std::string>>& commands) {
  auto send = [&] { return cluster_ ? cluster_->exchange(commands) : round_trip(commands); };
  if (options_.metrics == nullptr) return send();
  auto started = std::chrono::steady_clock::now();
  auto replies = send();
  options_.metrics->round_trip(std::chrono::steady_clock::now() - started);
  if (!replies) options_.metrics->failed("unavailable");
  return replies;
}

Error RedisClient::error_from_reply(const std::string& text) {
  std::string_view word = RedisMetrics::error_word(text);
  // Answers the callers expect and act on (load the script; the group exists) are not errors.
  if (options_.metrics && word != "NOSCRIPT" && word != "BUSYGROUP") {
    options_.metrics->failed(word);
  }
  // A replica that is loading or read-only will accept the same command later; so will a
  // cluster that redirected a command more often than the client follows (a slot on the move)
  // or is failing over.
  bool transient = word == "LOADING" || word == "BUSY" || ends_connection(word) ||
                   word == "MOVED" || word == "ASK" || word == "TRYAGAIN" || word == "CLUSTERDOWN";
  return Error{transient ? Errc::kUnavailable : Errc::kInternal, text, {}};
}

Result<std::vector<RedisReply>> RedisClient::pipeline(
    const std::vector<std::vector<std::string>>& commands) {
  auto replies = exchange(commands);
  if (!replies) return replies;
  for (const auto& reply : *replies) {
    if (reply.type == RedisReply::Type::kError) return std::unexpected(error_from_reply(reply.str));
  }
  return replies;
}

namespace {
// How stale the sentinels' answer may be before a pooled connection is checked against it again,
// and how long that check may wait for each sentinel: it delays the command that makes it.
constexpr auto kMasterRecheck = std::chrono::seconds(1);
constexpr auto kSentinelAskTimeout = std::chrono::milliseconds(250);

bool connected_to(const redisContext* ctx, const HostPort& address) {
  // Nothing named yet: the connection was opened at what the sentinels named.
  if (address.port == 0) return true;
  HostPort at = connected_address(ctx);
  return at.port == address.port && at.host == address.host;
}
}  // namespace

bool RedisClient::at_named_master(const redisContext* ctx) {
  if (!options_.endpoint.uses_sentinels()) return true;
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(master_mutex_);
    // One thread asks; the others go by the last answer meanwhile.
    if (asking_ || now - master_asked_ < kMasterRecheck) return connected_to(ctx, named_master_);
    asking_ = true;
  }
  auto master = ask_sentinels_for_master(
      options_.endpoint,
      std::min<std::chrono::milliseconds>(options_.timeout, kSentinelAskTimeout));
  std::lock_guard lock(master_mutex_);
  asking_ = false;
  master_asked_ = now;
  // Sentinels that do not answer are no reason to leave a master that does.
  if (master) named_master_ = *master;
  return connected_to(ctx, named_master_);
}

void RedisClient::remember_master(const redisContext* ctx) {
  if (!options_.endpoint.uses_sentinels()) return;
  std::lock_guard lock(master_mutex_);
  named_master_ = connected_address(ctx);
  master_asked_ = std::chrono::steady_clock::now();
}

Result<std::vector<RedisReply>> RedisClient::round_trip(
    const std::vector<std::vector<std::string>>& commands) {
  auto ctx = send(commands);
  if (!ctx) return std::unexpected(ctx.error());
  return receive(*ctx, commands.size());
}

Result<redisContext*> RedisClient::send(const std::vector<std::vector<std::string>>& commands) {
  redisContext* ctx = acquire();
  if (ctx != nullptr && !at_named_master(ctx)) {
    // Its slot in the pool stays taken, by the connection opened in its place.
    redisFree(ctx);
    ctx = nullptr;
  }
  if (ctx == nullptr) {
    auto fresh = connect();
    if (!fresh) {
      release(nullptr, false);
      return std::unexpected(fresh.error());
    }
    ctx = *fresh;
    remember_master(ctx);
  }
  for (const auto& c : commands) append(ctx, c);
  int done = 0;
  while (done == 0) {
    if (redisBufferWrite(ctx, &done) != REDIS_OK) {
      std::string why = ctx->errstr;
      release(ctx, false);
      return fail(Errc::kUnavailable, cat("redis ", options_.endpoint.to_string(), ": ", why));
    }
  }
  return ctx;
}

Result<std::vector<RedisReply>> RedisClient::receive(redisContext* ctx, size_t count) {
  std::vector<RedisReply> replies;
  replies.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    void* raw = nullptr;
    if (redisGetReply(ctx, &raw) != REDIS_OK || raw == nullptr) {
      std::string why = ctx->errstr;
      release(ctx, false);
      return fail(Errc::kUnavailable, cat("redis ", options_.endpoint.to_string(), ": ", why));
    }
    auto* reply = static_cast<redisReply*>(raw);
    replies.push_back(copy_reply(reply));
    freeReplyObject(reply);
  }
  bool still_master = std::none_of(replies.begin(), replies.end(), [](const RedisReply& r) {
    return r.type == RedisReply::Type::kError && ends_connection(RedisMetrics::error_word(r.str));
  });
  release(ctx, still_master);
  return replies;
}

Result<RedisReply> RedisClient::command(const std::vector<std::string>& args) {
  auto replies = pipeline({args});
  if (!replies) return std::unexpected(replies.error());
  return std::move(replies->front());
}

namespace {
// EVALSHA (or, with the body, EVAL) of one script run.
std::vector<std::string> script_command(const RedisScript& script, bool with_body,
                                        const std::vector<std::string>& keys,
                                        const std::vector<std::string>& args) {
  std::vector<std::string> cmd{with_body ? "EVAL" : "EVALSHA",
                               with_body ? std::string(script.body()) : script.sha(),
                               std::to_string(keys.size())};
  cmd.insert(cmd.end(), keys.begin(), keys.end());
  cmd.insert(cmd.end(), args.begin(), args.end());
  return cmd;
}
std::vector<std::string> wait_command(const ReplicaWait& wait) {
  return {"WAIT", std::to_string(wait.replicas), std::to_string(wait.timeout.count())};
}
}  // namespace

std::optional<Error> RedisClient::replicas_short(const RedisReply& waited,
                                                 const ReplicaWait& wait) {
  // An error (WAIT refused by a node that has just become a replica) confirms nothing either.
  long long confirmed = waited.type == RedisReply::Type::kInteger ? waited.integer : 0;
  if (confirmed >= wait.replicas) return std::nullopt;
  if (options_.metrics) options_.metrics->failed("replicas_behind");
  return Error{Errc::kUnavailable,
               cat("redis ", options_.endpoint.to_string(), ": written on the master, but ",
                   confirmed, " of ", wait.replicas, " replicas confirmed it within ",
                   wait.timeout.count(), " ms; retry (the retry is idempotent)"),
               {}};
}

Result<std::vector<Result<std::vector<RedisReply>>>> RedisClient::run_each(
    const std::vector<ScriptRun>& runs, const ReplicaWait& wait) {
  std::vector<Result<std::vector<RedisReply>>> results(runs.size());
  if (runs.empty()) return results;  // nothing to ask: no round trip
  std::vector<size_t> to_send(runs.size());
  for (size_t i = 0; i < runs.size(); ++i) to_send[i] = i;
  for (bool with_body : {false, true}) {
    std::vector<std::vector<std::string>> commands;
    commands.reserve(to_send.size() + 1);
    for (size_t i : to_send) {
      const ScriptRun& run = runs[i];
      commands.push_back(script_command(*run.script, with_body, run.keys, run.args));
      commands.insert(commands.end(), run.reads.begin(), run.reads.end());
    }
    // In the same round trip, so on the connection that wrote: WAIT counts only its own writes.
    if (wait.wanted()) commands.push_back(wait_command(wait));
    auto replies = exchange(commands);
    if (!replies) return std::unexpected(replies.error());
    std::optional<Error> short_of_replicas;
    if (wait.wanted()) {
      short_of_replicas = replicas_short(replies->back(), wait);
      replies->pop_back();
    }
    std::vector<size_t> not_loaded;
    auto reply = replies->begin();
    for (size_t i : to_send) {
      const ScriptRun& run = runs[i];
      auto end = reply + 1 + static_cast<long>(run.reads.size());
      if (!with_body && reply->type == RedisReply::Type::kError &&
          reply->str.starts_with("NOSCRIPT")) {
        not_loaded.push_back(i);
      } else if (auto bad = std::find_if(
                     reply, end, [](const auto& r) { return r.type == RedisReply::Type::kError; });
                 bad != end) {
        Error e = error_from_reply(bad->str);
        e.message = cat("script ", run.script->name(), ": ", e.message);
        results[i] = std::unexpected(std::move(e));
      } else if (short_of_replicas) {
        results[i] = std::unexpected(*short_of_replicas);
      } else {
        results[i] =
            std::vector<RedisReply>(std::make_move_iterator(reply), std::make_move_iterator(end));
      }
      reply = end;
    }
    if (not_loaded.empty()) break;
    to_send = std::move(not_loaded);
  }
  return results;
}

Result<std::vector<RedisReply>> RedisClient::eval_each(const std::vector<ScriptRun>& runs,
                                                       const ReplicaWait& wait) {
  auto results = run_each(runs, wait);
  if (!results) return std::unexpected(results.error());
  std::vector<RedisReply> all;
  all.reserve(results->size());
  for (auto& run : *results) {
    if (!run) return std::unexpected(run.error());
    std::move(run->begin(), run->end(), std::back_inserter(all));
  }
  return all;
}

Result<RedisReply> RedisClient::eval(const RedisScript& script,
                                     const std::vector<std::string>& keys,
                                     const std::vector<std::string>& args,
                                     const ReplicaWait& wait) {
  auto replies = eval_each({{&script, keys, args, {}}}, wait);
  if (!replies) return std::unexpected(replies.error());
  return std::move(replies->front());
}

Result<void> RedisClient::ping() {
  if (cluster_) return cluster_->ping_every_master();
  auto pong = command({"PING"});
  if (!pong) return std::unexpected(pong.error());
  return {};
}

}  // namespace lexroute
