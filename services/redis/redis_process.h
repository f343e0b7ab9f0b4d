#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "router/error.h"
#include "services/common/child_process.h"
#include "services/redis/redis_client.h"

namespace lexroute {

// A redis-server child process on a free loopback port with an append-only file in `data_dir`
// (appendfsync everysec, the production default). Used by `lexrouted dev` and by the tests.
// The child is told to die with its parent, so a killed lexrouted leaves no Redis behind.
class RedisProcess {
 public:
  struct Options {
    std::string data_dir;
    std::string executable = "redis-server";
    int port = 0;  // 0: pick a free one
    // When set: --requirepass (and --masterauth, for a replica of a server with the same one).
    // For tests of authentication; `lexrouted dev`'s child listens on loopback without one.
    std::string password{};
    std::vector<std::string> extra_args{};  // appended to the command line (e.g. --replicaof)
  };

  static Result<std::unique_ptr<RedisProcess>> start(Options options);
  ~RedisProcess();
  RedisProcess(const RedisProcess&) = delete;
  RedisProcess& operator=(const RedisProcess&) = delete;

  // With the password, when there is one.
  RedisEndpoint endpoint() const;
  int port() const { return port_; }
  pid_t pid() const { return child_.pid(); }
  // SIGTERM and wait: Redis flushes its append-only file.
  void stop();
  // SIGKILL: whatever Redis had not yet written to disk is lost.
  void kill();
  // After stop() or kill(): starts it again on the same port and data, as a supervisor would,
  // and returns once it has loaded its append-only file.
  Result<void> restart();

 private:
  explicit RedisProcess(Options options) : options_(std::move(options)) {}
  Result<void> spawn();

  Options options_;
  int port_ = 0;
  ChildProcess child_;
};

}  // namespace lexroute
