#include "services/redis/redis_process.h"

#include <signal.h>

#include <filesystem>
#include <fstream>
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

namespace {

// A Redis of an earlier run on the same folder may still be writing its append-only file (its
// parent was killed, and it was sent SIGTERM); reading the file before it is done would lose
// what it had acknowledged. Its pid file names it, and Redis removes the file as it exits.
void wait_for_earlier_redis(const std::string& pid_file) {
  std::ifstream in(pid_file);
  pid_t pid = 0;
  if (!(in >> pid) || pid <= 0) return;
  for (int i = 0; i < 500 && ::kill(pid, 0) == 0 && std::filesystem::exists(pid_file); ++i) {
    if (i == 0) LOG_INFO("redis", "waiting for the earlier redis-server ", pid, " to finish");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace

Result<void> RedisProcess::spawn() {
  std::string port = std::to_string(port_);
  std::string dir = std::filesystem::absolute(options_.data_dir).string();
  std::string pid_file = dir + "/redis.pid";
  wait_for_earlier_redis(pid_file);
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
                                "--pidfile",
                                pid_file,
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
