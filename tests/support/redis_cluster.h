#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "router/error.h"
#include "services/redis/redis_process.h"

namespace lexroute::testing {

// A Redis Cluster as deployments run one, on free loopback ports: three masters with a replica
// each (`redis-cli --cluster create --cluster-replicas 1`), all with one password, and a short
// node timeout so that a killed master's replica takes over within a few seconds.
class RedisCluster {
 public:
  static Result<std::unique_ptr<RedisCluster>> start(const std::string& dir,
                                                     const std::string& password);
  // SIGKILL for all, as SentinelGroup does: the data is the test's to throw away.
  ~RedisCluster();
  RedisCluster(const RedisCluster&) = delete;
  RedisCluster& operator=(const RedisCluster&) = delete;

  // Cluster mode, every node a seed.
  RedisEndpoint endpoint() const;
  // One node alone (standalone mode), for asking it what it thinks.
  RedisEndpoint node_endpoint(int port) const;
  // Ports of the masters serving slots now, as the first node that answers says.
  std::vector<int> master_ports() const;
  // The master serving `slot` now; 0 when none does (or no node answers).
  int master_of_slot(int slot) const;
  // A replica of the master on `master_port`; 0 when it has none.
  int replica_of(int master_port) const;
  // Every live node says cluster_state:ok and names `master_port` the owner of `slot`.
  bool agrees(int slot, int master_port) const;
  RedisProcess& process_on(int port);

  // Moves `slot` to the master on `to_port` by hand, as `redis-cli --cluster reshard` does:
  // IMPORTING on the target, MIGRATING on the source, MIGRATE of its keys `batch` at a time
  // (`between_batches` runs after each, so writes meet a half-moved slot: ASK and TRYAGAIN),
  // then the slot given to the target on every master.
  Result<void> migrate_slot(int slot, int to_port, size_t batch,
                            const std::function<void()>& between_batches);
  // CLUSTER FAILOVER on the replica: it takes over from its live master (a switchover), until
  // every node agrees it owns `slot`. A manual failover gives up after 5 s when the replica
  // cannot catch up (a loaded machine), so it is asked again until `within` has passed.
  Result<void> switch_over(int replica_port, int slot, std::chrono::seconds within);

 private:
  RedisCluster() = default;
  Result<std::string> node_id(int port) const;

  std::string password_;
  std::vector<std::unique_ptr<RedisProcess>> nodes_;
};

}  // namespace lexroute::testing
