#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "router/error.h"
#include "services/redis/cluster_slots.h"
#include "services/redis/redis_endpoint.h"

namespace lexroute {

class RedisClient;
struct RedisReply;

// RedisClient's Redis Cluster mode: sends each command to the master serving its key's slot,
// with a connection pool per master (a standalone RedisClient each). A batch is split by master,
// written to every one before any reply is read, and its replies put back in the caller's order.
// The slot map comes from CLUSTER SHARDS (CLUSTER SLOTS before Redis 7). MOVED is followed and
// refreshes the map; ASK is followed with ASKING and leaves the map as it is; TRYAGAIN and
// CLUSTERDOWN are retried for a short while. A connection failure refreshes the map (a failover)
// and fails the batch with Errc::kUnavailable, as a lost standalone connection does: the command
// may have run, and only the caller knows whether sending it again is safe (lexroute's scripts make
// it so).
//
// Commands without keys: a SCAN walks every master in turn (its cursor names the master too, so
// callers loop until "0" as on one server); a trailing WAIT follows the writes of the batch, so
// it is sent to every master the batch wrote to and answers the fewest replicas any of them
// confirmed; PING (ping_every_master) asks every master; any other goes to one master.
// Commands stay in the order given on each master; across masters nothing orders them, as
// nothing can in a cluster. A MULTI ... EXEC block goes to one master whole, so its keys must
// share a slot (Redis answers CROSSSLOT otherwise).
class ClusterRouter {
 public:
  struct Options {
    RedisEndpoint endpoint;  // cluster_seeds, user and password
    size_t connections_per_node = 4;
    std::chrono::milliseconds timeout{2000};
  };

  explicit ClusterRouter(Options options);
  ~ClusterRouter();
  ClusterRouter(const ClusterRouter&) = delete;
  ClusterRouter& operator=(const ClusterRouter&) = delete;

  // Replies in the commands' order; error replies stay in place, I/O failures fail the batch.
  Result<std::vector<RedisReply>> exchange(const std::vector<std::vector<std::string>>& commands);
  Result<void> ping_every_master();
  // The master serving `key`'s slot now (the Notifier subscribes there to a channel).
  Result<HostPort> master_of(std::string_view key);
  // The map as last read (read now when there is none or it is known stale).
  Result<std::shared_ptr<const SlotMap>> slot_map();
  // Marks the map stale: the next call reads it again (at most every kRefreshPause).
  void map_changed();
  // A standalone endpoint for `node`, with the cluster's user and password.
  RedisEndpoint node_endpoint(const HostPort& node) const;

 private:
  struct Unit;
  // The first `end` commands as units sent whole to one master: a MULTI ... EXEC block, a script
  // with the reads of its slot that follow it, or one command.
  static std::vector<Unit> units_of(const std::vector<std::vector<std::string>>& commands,
                                    size_t end);
  RedisClient& node(const HostPort& address);
  Result<std::shared_ptr<const SlotMap>> refresh();
  Result<SlotMap> ask_for_map(const HostPort& node_address);
  Result<RedisReply> scan(const std::vector<std::string>& command);
  // A slot's owner learnt from MOVED, before the whole map is read again.
  void learn(int slot, const HostPort& master);

  Options options_;
  std::mutex nodes_mutex_;
  std::map<std::string, std::unique_ptr<RedisClient>> nodes_;  // by "host:port"

  std::mutex map_mutex_;
  std::shared_ptr<const SlotMap> map_;
  bool stale_ = true;
  std::chrono::steady_clock::time_point refreshed_{};
  std::mutex refresh_mutex_;  // one thread reads the map at a time
};

}  // namespace lexroute
