#include "tests/support/sentinel_group.h"

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "router/text.h"
#include "tests/support/eventually.h"

namespace lexroute::testing {
namespace {

using namespace std::chrono_literals;

// SENTINEL MASTER's answer (field, value, field, value, ...) as a map.
std::map<std::string, std::string> fields_of(const RedisReply& reply) {
  std::map<std::string, std::string> out;
  for (size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
    out[reply.elements[i].str] = reply.elements[i + 1].str;
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<SentinelGroup>> SentinelGroup::start(const std::string& dir,
                                                            const std::string& password) {
  std::unique_ptr<SentinelGroup> group(new SentinelGroup());
  auto master_started = RedisProcess::start({.data_dir = dir + "/master", .password = password});
  if (!master_started) return std::unexpected(master_started.error());
  group->master_ = std::move(*master_started);
  auto replica_started = RedisProcess::start(
      {.data_dir = dir + "/replica",
       .password = password,
       .extra_args = {"--replicaof", "127.0.0.1", std::to_string(group->master_->port())}});
  if (!replica_started) return std::unexpected(replica_started.error());
  group->replica_ = std::move(*replica_started);
  // Sentinels learn of replicas from the master's INFO: the replica is attached first.
  RedisClient replica_client({group->replica_->endpoint(), 1});
  bool synced = eventually([&] {
    auto role = replica_client.command({"ROLE"});
    return role && role->elements.size() > 3 && role->elements[3].str == "connected";
  });
  if (!synced) return fail(Errc::kUnavailable, "the replica did not sync with its master");
  for (int i = 0; i < 3; ++i) {
    if (auto s = group->start_sentinel(cat(dir, "/sentinel-", i), password); !s) {
      return std::unexpected(s.error());
    }
  }
  return group;
}

SentinelGroup::~SentinelGroup() {
  for (auto& s : sentinels_) s.kill();
  if (replica_) replica_->kill();
  if (master_) master_->kill();
}

Result<void> SentinelGroup::start_sentinel(const std::string& dir, const std::string& password) {
  std::filesystem::create_directories(dir);
  std::string path = std::filesystem::absolute(dir).string();
  int port = pick_free_port();
  {
    std::ofstream conf(path + "/sentinel.conf");
    conf << "port " << port << "\nbind 127.0.0.1\ndaemonize no\n"
         << "dir " << path << "\nlogfile " << path << "/sentinel.log\n"
         << "sentinel monitor " << kMasterName << " 127.0.0.1 " << master_->port() << " 2\n"
         << "sentinel auth-pass " << kMasterName << " " << password << "\n"
         << "sentinel down-after-milliseconds " << kMasterName << " 1000\n"
         << "sentinel failover-timeout " << kMasterName << " 3000\n"
         << "sentinel parallel-syncs " << kMasterName << " 1\n";
  }
  // redis-server in Sentinel mode: the same binary as the redis-sentinel package's.
  auto child = ChildProcess::spawn({"redis-server", path + "/sentinel.conf", "--sentinel"},
                                   path + "/stderr.log");
  if (!child) return std::unexpected(child.error());
  sentinels_.push_back(std::move(*child));
  HostPort address{"127.0.0.1", port};
  RedisClient probe({RedisEndpoint{.host = address.host, .port = port}, 1, 500ms});
  if (!eventually([&] { return probe.ping().has_value(); }, 5s)) {
    return fail(Errc::kUnavailable, cat("sentinel on ", address.to_string(), " did not answer"));
  }
  sentinel_addresses_.push_back(address);
  return {};
}

RedisEndpoint SentinelGroup::endpoint() const {
  RedisEndpoint e = master_->endpoint();
  e.host.clear();
  e.port = 0;
  e.sentinels = sentinel_addresses_;
  e.master_name = kMasterName;
  return e;
}

bool SentinelGroup::ready_for_failover() const {
  for (const auto& s : sentinel_addresses_) {
    RedisClient sentinel({RedisEndpoint{.host = s.host, .port = s.port}, 1, 500ms});
    auto master = sentinel.command({"SENTINEL", "MASTER", kMasterName});
    if (!master) return false;
    auto f = fields_of(*master);
    if (f["num-slaves"] != "1" || f["num-other-sentinels"] != "2") return false;
  }
  return true;
}

int SentinelGroup::named_master_port() const {
  for (const auto& s : sentinel_addresses_) {
    RedisClient sentinel({RedisEndpoint{.host = s.host, .port = s.port}, 1, 500ms});
    auto named = sentinel.command({"SENTINEL", "get-master-addr-by-name", kMasterName});
    int port = 0;
    if (named && named->elements.size() == 2 && parse_int(named->elements[1].str, &port)) {
      return port;
    }
  }
  return 0;
}

Result<void> SentinelGroup::switch_over() const {
  const HostPort& s = sentinel_addresses_.front();
  RedisClient sentinel({RedisEndpoint{.host = s.host, .port = s.port}, 1, 2000ms});
  auto started = sentinel.command({"SENTINEL", "FAILOVER", kMasterName});
  if (!started) return std::unexpected(started.error());
  return {};
}

Result<void> SentinelGroup::stall_replica() {
  if (::kill(replica_->pid(), SIGSTOP) != 0)
    return fail(Errc::kInternal, "cannot stop the replica");
  // While it is stopped, what the master sends still lands in its socket buffer; a dropped link
  // is what makes the writes after this point the master's alone.
  RedisClient master(RedisClient::Options{master_->endpoint(), 1, 2000ms});
  auto dropped = master.command({"CLIENT", "KILL", "TYPE", "replica"});
  if (!dropped) return std::unexpected(dropped.error());
  if (dropped->integer != 1) {
    return fail(Errc::kInternal, cat("the master dropped ", dropped->integer, " replica links"));
  }
  return {};
}

void SentinelGroup::resume_replica() { ::kill(replica_->pid(), SIGCONT); }

}  // namespace lexroute::testing
