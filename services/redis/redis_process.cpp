#include "services/redis/redis_process.h"

#include <filesystem>
#include <thread>

#include "router/text.h"
#include "services/common/log.h"

namespace lexroute {

Result<std::unique_ptr<RedisProcess>> RedisProcess::start(Options options) {
  std::error_code ec;
  std::filesystem::create_directories(options.data_dir, ec);
  if (ec) {
    return fail(Errc::kInvalidArgument,
                cat("cannot create data folder ", options.data_dir, ": ", ec.message()),
                "data_dir");
  }
  std::unique_ptr<RedisProcess> process(new RedisProcess(std::move(options)));
  // Another process may take a port between our probe and Redis's bind; try a few.
  Error last{Errc::kUnavailable, "redis-server did not start", {}};
  for (int attempt = 0; attempt < 5; ++attempt) {
    process->port_ = process->options_.port != 0 ? process->options_.port : pick_free_port();
    auto started = process->spawn();
    if (started) return process;
    last = started.error();
    if (process->options_.port != 0) break;
  }
  return std::unexpected(last);
}

Result<void> RedisProcess::spawn() {
  std::string port = std::to_string(port_);
  std::string dir = std::filesystem::absolute(options_.data_dir).string();
  // The append-only file is rewritten once it grows to five times its last rewrite (Redis's
  // default is twice): each rewrite serializes the whole dataset, which only grows
  // (docs/performance.md). The price is a larger file and a longer replay after a restart.
  std::vector<std::string> argv{options_.executable,
                                "--port",
                                port,
                                "--bind",
                                "127.0.0.1",
                                "--dir",
                                dir,
                                "--appendonly",
                                "yes",
                                "--appendfsync",
                                "everysec",
                                "--auto-aof-rewrite-percentage",
                                "400",
                                "--save",
                                "",
                                "--daemonize",
                                "no",
                                "--logfile",
                                "redis.log",
                                "--protected-mode",
                                "yes"};
  if (!options_.password.empty()) {
    argv.insert(argv.end(),
                {"--requirepass", options_.password, "--masterauth", options_.password});
  }
  argv.insert(argv.end(), options_.extra_args.begin(), options_.extra_args.end());
  auto child = ChildProcess::spawn(argv);
  if (!child) return std::unexpected(child.error());
  child_ = std::move(*child);
  RedisClient probe({endpoint(), 1, std::chrono::milliseconds(500)});
  for (int i = 0; i < 200; ++i) {
    pid_t pid = child_.pid();
    if (child_.exited()) {
      return fail(Errc::kUnavailable,
                  cat("redis-server exited at start (port ", port_, "); see ", dir, "/redis.log"));
    }
    auto pong = probe.command({"PING"});
    if (pong && pong->str == "PONG") {
      LOG_INFO("redis", "redis-server pid ", pid, " on 127.0.0.1:", port_, " data ", dir);
      return {};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  child_.kill();
  return fail(Errc::kUnavailable, "redis-server did not answer PING within 5 s");
}

RedisEndpoint RedisProcess::endpoint() const {
  RedisEndpoint out;
  out.port = port_;
  out.password = options_.password;
  return out;
}

void RedisProcess::stop() { child_.stop(); }

void RedisProcess::kill() { child_.kill(); }

Result<void> RedisProcess::restart() {
  if (child_.running()) return {};
  return spawn();
}

RedisProcess::~RedisProcess() { stop(); }

}  // namespace lexroute
