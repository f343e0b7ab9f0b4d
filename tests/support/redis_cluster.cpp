#include "tests/support/redis_cluster.h"

#include <algorithm>
#include <map>

#include "router/text.h"
#include "services/common/child_process.h"
#include "services/redis/cluster_slots.h"
#include "tests/support/command_run.h"
#include "tests/support/eventually.h"

namespace lexroute::testing {
namespace {

using namespace std::chrono_literals;

constexpr int kNodes = 6;  // three masters, a replica each

// A CLUSTER SHARDS reply's shards: each one's slot ranges and its healthy master's port (0: none).
struct Shard {
  std::vector<std::pair<long long, long long>> ranges;
  int master_port = 0;
};

std::vector<Shard> shards_of(const RedisReply& reply) {
  std::vector<Shard> out;
  for (const auto& shard : reply.elements) {
    Shard s;
    for (size_t i = 0; i + 1 < shard.elements.size(); i += 2) {
      const RedisReply& value = shard.elements[i + 1];
      if (shard.elements[i].str == "slots") {
        for (size_t r = 0; r + 1 < value.elements.size(); r += 2) {
          s.ranges.emplace_back(value.elements[r].integer, value.elements[r + 1].integer);
        }
      }
      if (shard.elements[i].str != "nodes") continue;
      for (const auto& node : value.elements) {
        std::map<std::string, const RedisReply*> f;
        for (size_t n = 0; n + 1 < node.elements.size(); n += 2) {
          f[node.elements[n].str] = &node.elements[n + 1];
        }
        if (f.contains("role") && f["role"]->str == "master" && f.contains("health") &&
            f["health"]->str == "online") {
          s.master_port = static_cast<int>(f["port"]->integer);
        }
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

int owner_in(const RedisReply& reply, int slot) {
  for (const auto& shard : shards_of(reply)) {
    for (auto [first, last] : shard.ranges) {
      if (first <= slot && slot <= last) return shard.master_port;
    }
  }
  return 0;
}

}  // namespace

Result<std::unique_ptr<RedisCluster>> RedisCluster::start(const std::string& dir,
                                                          const std::string& password) {
  std::unique_ptr<RedisCluster> cluster(new RedisCluster());
  cluster->password_ = password;
  std::string addresses;
  for (int i = 0; i < kNodes; ++i) {
    // The bus port is given: port + 10000, the default, may be taken or out of range.
    auto started = RedisProcess::start(
        {.data_dir = cat(dir, "/node-", i),
         .password = password,
         .extra_args = {"--cluster-enabled", "yes", "--cluster-port",
                        std::to_string(pick_free_port()), "--cluster-node-timeout", "1000",
                        "--cluster-replica-validity-factor", "0", "--appendonly", "no",
                        "--repl-diskless-sync-delay", "0"}});
    if (!started) return std::unexpected(started.error());
    addresses += cat(" 127.0.0.1:", (*started)->port());
    cluster->nodes_.push_back(std::move(*started));
  }
  auto created = run_command(cat("redis-cli --no-auth-warning -a ", password, " --cluster create",
                                 addresses, " --cluster-replicas 1 --cluster-yes"));
  if (created.exit_code != 0) {
    return fail(Errc::kUnavailable, cat("redis-cli --cluster create: ", created.out));
  }
  bool ok = eventually(
      [&] {
        for (const auto& node : cluster->nodes_) {
          RedisClient probe({cluster->node_endpoint(node->port()), 1, 500ms});
          auto info = probe.command({"CLUSTER", "INFO"});
          if (!info || info->str.find("cluster_state:ok") == std::string::npos) return false;
        }
        return cluster->master_ports().size() == 3;
      },
      30s, 100ms);
  if (!ok) return fail(Errc::kUnavailable, "the cluster did not reach cluster_state:ok");
  return cluster;
}

RedisCluster::~RedisCluster() {
  for (auto& node : nodes_) node->kill();
}

RedisEndpoint RedisCluster::endpoint() const {
  RedisEndpoint e;
  e.host.clear();
  e.port = 0;
  e.password = password_;
  for (const auto& node : nodes_) e.cluster_seeds.push_back({"127.0.0.1", node->port()});
  return e;
}

RedisEndpoint RedisCluster::node_endpoint(int port) const {
  return RedisEndpoint{.host = "127.0.0.1", .port = port, .password = password_};
}

RedisProcess& RedisCluster::process_on(int port) {
  for (auto& node : nodes_) {
    if (node->port() == port) return *node;
  }
  return *nodes_.front();
}

std::vector<int> RedisCluster::master_ports() const {
  for (const auto& node : nodes_) {
    RedisClient probe({node_endpoint(node->port()), 1, 500ms});
    auto shards = probe.command({"CLUSTER", "SHARDS"});
    if (!shards) continue;
    std::vector<int> out;
    for (const auto& shard : shards_of(*shards)) {
      if (shard.master_port != 0 && !shard.ranges.empty()) out.push_back(shard.master_port);
    }
    return out;
  }
  return {};
}

int RedisCluster::master_of_slot(int slot) const {
  for (const auto& node : nodes_) {
    RedisClient probe({node_endpoint(node->port()), 1, 500ms});
    auto shards = probe.command({"CLUSTER", "SHARDS"});
    if (shards) return owner_in(*shards, slot);
  }
  return 0;
}

int RedisCluster::replica_of(int master_port) const {
  RedisClient master({node_endpoint(master_port), 1, 500ms});
  auto role = master.command({"ROLE"});
  // ["master", offset, [[ip, port, offset], ...]]
  if (!role || role->elements.size() < 3 || role->elements[2].elements.empty()) return 0;
  int port = 0;
  parse_int(role->elements[2].elements[0].elements[1].str, &port);
  return port;
}

bool RedisCluster::agrees(int slot, int master_port) const {
  int answered = 0;
  for (const auto& node : nodes_) {
    RedisClient probe({node_endpoint(node->port()), 1, 300ms});
    auto info = probe.command({"CLUSTER", "INFO"});
    if (!info) continue;  // a killed node
    auto shards = probe.command({"CLUSTER", "SHARDS"});
    if (info->str.find("cluster_state:ok") == std::string::npos || !shards ||
        owner_in(*shards, slot) != master_port) {
      return false;
    }
    ++answered;
  }
  return answered > 0;
}

Result<std::string> RedisCluster::node_id(int port) const {
  RedisClient node({node_endpoint(port), 1, 1000ms});
  auto id = node.command({"CLUSTER", "MYID"});
  if (!id) return std::unexpected(id.error());
  return id->str;
}

Result<void> RedisCluster::migrate_slot(int slot, int to_port, size_t batch,
                                        const std::function<void()>& between_batches) {
  int from_port = master_of_slot(slot);
  if (from_port == 0 || from_port == to_port) {
    return fail(Errc::kFailedPrecondition, cat("slot ", slot, " is on ", from_port));
  }
  auto from_id = node_id(from_port);
  auto to_id = node_id(to_port);
  if (!from_id || !to_id) return fail(Errc::kUnavailable, "CLUSTER MYID failed");
  RedisClient from({node_endpoint(from_port), 1, 5000ms});
  RedisClient to({node_endpoint(to_port), 1, 5000ms});
  std::string s = std::to_string(slot);
  if (auto r = to.command({"CLUSTER", "SETSLOT", s, "IMPORTING", *from_id}); !r) {
    return std::unexpected(r.error());
  }
  if (auto r = from.command({"CLUSTER", "SETSLOT", s, "MIGRATING", *to_id}); !r) {
    return std::unexpected(r.error());
  }
  while (true) {
    auto keys = from.command({"CLUSTER", "GETKEYSINSLOT", s, std::to_string(batch)});
    if (!keys) return std::unexpected(keys.error());
    if (keys->elements.empty()) break;
    std::vector<std::string> migrate{"MIGRATE", "127.0.0.1", std::to_string(to_port),
                                     "",        "0",         "5000",
                                     "AUTH",    password_,   "KEYS"};
    for (const auto& k : keys->elements) migrate.push_back(k.str);
    if (auto r = from.command(migrate); !r) return std::unexpected(r.error());
    between_batches();
  }
  // The target first, so that it serves the slot before the source starts answering MOVED.
  for (int port : {to_port, from_port}) {
    RedisClient node({node_endpoint(port), 1, 2000ms});
    if (auto r = node.command({"CLUSTER", "SETSLOT", s, "NODE", *to_id}); !r) {
      return std::unexpected(r.error());
    }
  }
  for (int port : master_ports()) {
    if (port == to_port || port == from_port) continue;
    RedisClient node({node_endpoint(port), 1, 2000ms});
    if (auto r = node.command({"CLUSTER", "SETSLOT", s, "NODE", *to_id}); !r) {
      return std::unexpected(r.error());
    }
  }
  return {};
}

Result<void> RedisCluster::switch_over(int replica_port, int slot, std::chrono::seconds within) {
  auto deadline = std::chrono::steady_clock::now() + within;
  RedisClient replica({node_endpoint(replica_port), 1, 2000ms});
  while (std::chrono::steady_clock::now() < deadline) {
    auto started = replica.command({"CLUSTER", "FAILOVER"});
    if (!started) return std::unexpected(started.error());
    if (eventually([&] { return agrees(slot, replica_port); }, 6s, 50ms)) return {};
  }
  return fail(Errc::kUnavailable, cat("node ", replica_port, " did not take over slot ", slot,
                                      " within ", within.count(), " s"));
}

}  // namespace lexroute::testing
