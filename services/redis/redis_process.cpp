#include "services/redis/redis_process.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "router/text.h"
#include "services/common/log.h"

namespace lexroute {

int pick_free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

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
  pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) return fail(Errc::kUnavailable, "fork failed");
  if (pid_ == 0) {
    // The parent may block or ignore signals (lexrouted waits for SIGTERM with sigwait); the
    // mask and ignored dispositions survive exec, so give Redis a clean slate.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(1);
    // The append-only file is rewritten once it grows to five times its last rewrite (Redis's
    // default is twice). Each rewrite serializes the whole dataset on a core of its own, and
    // lexroute's dataset only grows, so frequent rewrites hold the routers back
    // (docs/performance.md, "What limits throughput now"). The price is a larger file and a
    // longer replay after a restart.
    ::execlp(options_.executable.c_str(), options_.executable.c_str(), "--port", port.c_str(),
             "--bind", "127.0.0.1", "--dir", dir.c_str(), "--appendonly", "yes", "--appendfsync",
             "everysec", "--auto-aof-rewrite-percentage", "400", "--save", "", "--daemonize", "no",
             "--logfile", "redis.log", "--protected-mode", "yes", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  RedisClient probe({RedisEndpoint{"127.0.0.1", port_}, 1, std::chrono::milliseconds(500)});
  for (int i = 0; i < 200; ++i) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return fail(Errc::kUnavailable,
                  cat("redis-server exited at start (port ", port_, "); see ", dir, "/redis.log"));
    }
    auto pong = probe.command({"PING"});
    if (pong && pong->str == "PONG") {
      LOG_INFO("redis", "redis-server pid ", pid_, " on 127.0.0.1:", port_, " data ", dir);
      return {};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  kill();
  return fail(Errc::kUnavailable, "redis-server did not answer PING within 5 s");
}

void RedisProcess::wait_exit() {
  if (pid_ <= 0) return;
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

void RedisProcess::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  wait_exit();
}

void RedisProcess::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  wait_exit();
}

Result<void> RedisProcess::restart() {
  if (pid_ > 0) return {};
  return spawn();
}

RedisProcess::~RedisProcess() { stop(); }

}  // namespace lexroute
