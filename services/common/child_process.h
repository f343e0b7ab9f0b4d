#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "router/error.h"

namespace lexroute {

// A server lexroute or its tests run as a child (redis-server, Prometheus). It starts with a clean
// signal mask and default dispositions (the parent may block SIGTERM for sigwait or ignore
// SIGPIPE, and both survive exec), is stopped with SIGTERM when its parent dies, however it dies
// (PR_SET_PDEATHSIG), and writes its stderr to `stderr_path` when given. stop() on destruction.
// SIGTERM rather than SIGKILL: a parent killed with SIGKILL still leaves Redis the time to write
// what it acknowledged to its append-only file (with appendfsync everysec and a busy disk, Redis
// may hold up to two seconds of acknowledged writes in memory).
class ChildProcess {
 public:
  ChildProcess() = default;
  ChildProcess(ChildProcess&& other) noexcept : pid_(other.pid_) { other.pid_ = -1; }
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess() { stop(); }

  // argv[0] is looked up on PATH.
  static Result<ChildProcess> spawn(const std::vector<std::string>& argv,
                                    const std::string& stderr_path = {});

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  // True once the child has exited (it is reaped then); never waits.
  bool exited();
  // SIGTERM and wait: the child shuts down cleanly (Redis writes its append-only file).
  void stop();
  // SIGKILL and wait.
  void kill();

 private:
  void signal_and_wait(int signal);
  pid_t pid_ = -1;
};

// A TCP port on 127.0.0.1 that was free a moment ago.
int pick_free_port();

}  // namespace lexroute
