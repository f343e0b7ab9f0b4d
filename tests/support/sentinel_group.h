#pragma once

#include <memory>
#include <string>
#include <vector>

#include "router/error.h"
#include "services/common/child_process.h"
#include "services/redis/redis_process.h"

namespace lexroute::testing {

// Redis as a Sentinel deployment runs it, on free loopback ports: a master, one replica of it,
// and three sentinels watching the master (quorum 2) with short timeouts, so a killed master is
// replaced within a few seconds. The data nodes share one password; the sentinels have none.
class SentinelGroup {
 public:
  static constexpr const char* kMasterName = "lexroute";

  static Result<std::unique_ptr<SentinelGroup>> start(const std::string& dir,
                                                      const std::string& password);
  // SIGKILL for all: the data is the test's to throw away, and a node that has just become a
  // replica ignores SIGTERM while it writes its first append-only file ("Writing initial AOF,
  // can't exit"), which would leave a SIGTERM-and-wait hanging.
  ~SentinelGroup();
  SentinelGroup(const SentinelGroup&) = delete;
  SentinelGroup& operator=(const SentinelGroup&) = delete;

  // Sentinel mode: the client asks the sentinels for the master.
  RedisEndpoint endpoint() const;
  RedisProcess& master() { return *master_; }
  RedisProcess& replica() { return *replica_; }
  // Whether every sentinel knows the replica and both other sentinels, so that a failover can
  // be agreed on.
  bool ready_for_failover() const;
  // The master's port as the first sentinel that answers names it; 0 when none answers.
  int named_master_port() const;
  // SENTINEL FAILOVER: the replica is promoted and the live master demoted, as an operator's
  // switchover does.
  Result<void> switch_over() const;
  // Stops the replica (SIGSTOP) and has the master drop its link to it: from here on the master
  // acknowledges writes the replica will never receive, as when a network stall between them
  // ends with the master's crash. resume_replica() lets it run again (it then asks the master,
  // dead or alive, to take it back).
  Result<void> stall_replica();
  void resume_replica();

 private:
  SentinelGroup() = default;
  Result<void> start_sentinel(const std::string& dir, const std::string& password);

  std::unique_ptr<RedisProcess> master_;
  std::unique_ptr<RedisProcess> replica_;
  std::vector<HostPort> sentinel_addresses_;
  std::vector<ChildProcess> sentinels_;
};

}  // namespace lexroute::testing
