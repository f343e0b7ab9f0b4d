#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "router/error.h"
#include "services/common/host_port.h"

namespace lexroute {

// Where lexroute's Redis is and how to log in: one address, or the master a group of Sentinels
// names. The password is held here for AUTH only: to_string() and every error leave it out.
struct RedisEndpoint {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string user{};      // ACL user; empty: Redis's `default` user
  std::string password{};  // empty: no AUTH
  int db = 0;              // SELECTed on every connection when not 0
  // Sentinel mode when not empty: the master is whatever these name for `master_name`, and
  // host/port are unused. The sentinels themselves are asked without AUTH.
  std::vector<HostPort> sentinels{};
  std::string master_name{};
  // Redis Cluster mode when not empty: these seed nodes are asked for the slot map, each key goes
  // to its slot's master, and host/port are unused. Every node takes the same user and password;
  // a cluster has only database 0.
  std::vector<HostPort> cluster_seeds{};

  bool uses_sentinels() const { return !sentinels.empty(); }
  bool uses_cluster() const { return !cluster_seeds.empty(); }
  // "host:port" (or "sentinels a:1,b:2", "cluster a:1,b:2") for errors that name the address.
  std::string address() const;
  // For logs and ready files: "host:port" when there is nothing else to say, otherwise
  // "redis://user:***@host:port/db"; in Sentinel mode "master NAME via sentinels a:1,b:2", in
  // Cluster mode "cluster a:1,b:2".
  // Never the password.
  std::string to_string() const;

  // "host:port" or "redis://[user[:password]@]host:port[/db]", user and password
  // percent-decoded. In the URL form the host may be left out ("redis://:password@/2"): only
  // Sentinel mode accepts that (from_flags checks). Errors name the flag `redis` and never
  // repeat the user or password.
  static Result<RedisEndpoint> parse(std::string_view text);
};

// What the Redis flags say, before any of it is checked.
struct RedisFlags {
  std::string url;            // --redis
  std::string password_file;  // --redis-password-file
  std::string sentinels;      // --redis-sentinels: host:port,host:port,...
  std::string master_name;    // --redis-master-name
  std::string cluster{};      // --redis-cluster: seed nodes host:port,host:port,...
};

// The endpoint the flags describe, or an error naming the flag at fault: a password both in the
// URL and in a file, Sentinels without a master name (or with a host in --redis), Sentinels and
// a cluster together, a cluster with a host or a database in --redis, an unreadable
// or empty password file. Reads the password file (one trailing newline is dropped, as
// Kubernetes secrets and `echo` leave one).
Result<RedisEndpoint> redis_endpoint_from_flags(const RedisFlags& flags);

}  // namespace lexroute
