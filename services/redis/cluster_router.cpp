#include "services/redis/cluster_router.h"

#include <algorithm>
#include <thread>

#include "router/text.h"
#include "services/redis/redis_client.h"

namespace lexroute {
namespace {

using namespace std::chrono_literals;

// Redirections a batch may follow before its errors are left for the caller (Errc::kUnavailable).
constexpr int kMaxRounds = 16;
// How soon a stale map may be read again: a failover makes every command ask.
constexpr auto kRefreshPause = 100ms;
// TRYAGAIN (a slot half migrated) and CLUSTERDOWN (a failover under way) pass in moments; a
// caller waits this long at most before it hears of them.
constexpr auto kRetryPause = 50ms;
constexpr auto kRetryFor = 2s;

bool is_script_command(const std::string& name) {
  return name == "EVAL" || name == "EVALSHA" || name == "EVAL_RO" || name == "EVALSHA_RO";
}

std::string_view cluster_error_word(const RedisReply& reply) {
  if (reply.type != RedisReply::Type::kError) return {};
  std::string_view text = reply.str;
  return text.substr(0, text.find(' '));
}

// Where "MOVED 3999 127.0.0.1:6381" or "ASK ..." sends a command.
std::optional<std::pair<int, HostPort>> redirect_of(const RedisReply& reply) {
  std::string_view text = reply.str;
  size_t first = text.find(' ');
  size_t second = first == std::string_view::npos ? first : text.find(' ', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  int slot = 0;
  if (!parse_int(text.substr(first + 1, second - first - 1), &slot)) return std::nullopt;
  std::string_view address = text.substr(second + 1);
  size_t colon = address.rfind(':');
  HostPort target;
  if (colon == std::string_view::npos || !parse_int(address.substr(colon + 1), &target.port)) {
    return std::nullopt;
  }
  target.host = std::string(address.substr(0, colon));
  return std::pair{slot, target};
}

std::string node_key(const HostPort& address) { return address.to_string(); }

}  // namespace

struct ClusterRouter::Unit {
  size_t first = 0;  // its commands: [first, first + count)
  size_t count = 0;
  std::optional<int> slot{};  // none: no key
  bool transaction = false;   // MULTI ... EXEC: sent whole, or not at all
  bool scan = false;
  size_t resume = 0;  // the command (from first) to send from in the next round
  std::optional<HostPort> redirected{};
  bool asking = false;
};

ClusterRouter::ClusterRouter(Options options) : options_(std::move(options)) {}
ClusterRouter::~ClusterRouter() = default;

RedisEndpoint ClusterRouter::node_endpoint(const HostPort& node) const {
  RedisEndpoint e = options_.endpoint;
  e.cluster_seeds.clear();
  e.host = node.host;
  e.port = node.port;
  e.db = 0;
  return e;
}

RedisClient& ClusterRouter::node(const HostPort& address) {
  std::lock_guard lock(nodes_mutex_);
  auto& client = nodes_[node_key(address)];
  if (!client) {
    client = std::make_unique<RedisClient>(RedisClient::Options{
        node_endpoint(address), options_.connections_per_node, options_.timeout});
  }
  return *client;
}

void ClusterRouter::map_changed() {
  std::lock_guard lock(map_mutex_);
  stale_ = true;
}

void ClusterRouter::learn(int slot, const HostPort& master) {
  std::lock_guard lock(map_mutex_);
  stale_ = true;
  if (!map_) return;
  auto updated = std::make_shared<SlotMap>(*map_);
  int index = updated->index_of(master);
  if (index < 0) {
    updated->masters.push_back(master);
    index = static_cast<int>(updated->masters.size()) - 1;
  }
  updated->owner[static_cast<size_t>(slot)] = static_cast<int16_t>(index);
  map_ = std::move(updated);
}

Result<std::shared_ptr<const SlotMap>> ClusterRouter::slot_map() {
  {
    std::lock_guard lock(map_mutex_);
    bool recent = std::chrono::steady_clock::now() - refreshed_ < kRefreshPause;
    if (map_ && (!stale_ || recent)) return map_;
  }
  return refresh();
}

Result<SlotMap> ClusterRouter::ask_for_map(const HostPort& address) {
  auto shards = node(address).exchange({{"CLUSTER", "SHARDS"}});
  if (!shards) return std::unexpected(shards.error());
  if (shards->front().type != RedisReply::Type::kError) {
    return slot_map_from_shards(shards->front(), address);
  }
  // Before Redis 7 there is no CLUSTER SHARDS.
  auto slots = node(address).exchange({{"CLUSTER", "SLOTS"}});
  if (!slots) return std::unexpected(slots.error());
  if (slots->front().type == RedisReply::Type::kError) {
    return fail(Errc::kUnavailable,
                cat("redis cluster node ", address.to_string(), ": ", slots->front().str));
  }
  return slot_map_from_slots(slots->front(), address);
}

Result<std::shared_ptr<const SlotMap>> ClusterRouter::refresh() {
  std::lock_guard refreshing(refresh_mutex_);
  std::vector<HostPort> candidates;
  {
    std::lock_guard lock(map_mutex_);
    // Another thread read it while this one waited.
    if (map_ && !stale_) return map_;
    if (map_) candidates = map_->masters;
    refreshed_ = std::chrono::steady_clock::now();
  }
  candidates.insert(candidates.end(), options_.endpoint.cluster_seeds.begin(),
                    options_.endpoint.cluster_seeds.end());
  std::string why = "no seed node given";
  for (const auto& candidate : candidates) {
    auto read = ask_for_map(candidate);
    if (!read) {
      why = read.error().message;
      // A refused password is the same on every node.
      if (read.error().code != Errc::kUnavailable) return std::unexpected(read.error());
      continue;
    }
    if (read->masters.empty()) {
      why = cat("node ", candidate.to_string(), " serves no slots (is the cluster created?)");
      continue;
    }
    std::lock_guard lock(map_mutex_);
    // A map with slots nobody serves (a master failed, no replica promoted yet) is used, and
    // read again soon.
    stale_ = !read->covers_every_slot();
    map_ = std::make_shared<const SlotMap>(std::move(*read));
    return map_;
  }
  std::lock_guard lock(map_mutex_);
  if (map_) return map_;  // an old map beats none: its nodes may answer MOVED
  return fail(Errc::kUnavailable, cat("redis ", options_.endpoint.address(), ": ", why));
}

Result<HostPort> ClusterRouter::master_of(std::string_view key) {
  auto map = slot_map();
  if (!map) return std::unexpected(map.error());
  int slot = key_slot(key);
  const HostPort* master = (*map)->master_of(slot);
  if (master == nullptr) {
    map_changed();
    return fail(Errc::kUnavailable,
                cat("redis cluster: no master serves slot ", slot, " (failover under way?)"));
  }
  return *master;
}

Result<void> ClusterRouter::ping_every_master() {
  auto map = slot_map();
  if (!map) return std::unexpected(map.error());
  for (const auto& master : (*map)->masters) {
    auto pong = node(master).exchange({{"PING"}});
    if (!pong) return std::unexpected(pong.error());
    if (pong->front().type == RedisReply::Type::kError) {
      return fail(Errc::kUnavailable,
                  cat("redis cluster node ", master.to_string(), ": ", pong->front().str));
    }
  }
  return {};
}

// The cursor "i:c" is cursor c on the i-th master (in address order); "0" starts at the first
// and is answered once the last is done.
Result<RedisReply> ClusterRouter::scan(const std::vector<std::string>& command) {
  auto map = slot_map();
  if (!map) return std::unexpected(map.error());
  size_t master = 0;
  std::string cursor = command.size() > 1 ? command[1] : "0";
  if (size_t colon = cursor.find(':'); colon != std::string::npos) {
    int index = 0;
    if (!parse_int(std::string_view(cursor).substr(0, colon), &index) || index < 0) {
      return fail(Errc::kInvalidArgument, cat("redis cluster: bad SCAN cursor ", cursor));
    }
    master = static_cast<size_t>(index);
    cursor = cursor.substr(colon + 1);
  }
  const auto& masters = (*map)->masters;
  if (master >= masters.size()) {
    RedisReply done{RedisReply::Type::kArray, 0, {}, {}};
    done.elements.push_back({RedisReply::Type::kString, 0, "0", {}});
    done.elements.push_back({RedisReply::Type::kArray, 0, {}, {}});
    return done;
  }
  std::vector<std::string> on_node = command;
  if (on_node.size() < 2) on_node.resize(2);
  on_node[1] = cursor;
  auto got = node(masters[master]).exchange({on_node});
  if (!got) {
    map_changed();
    return std::unexpected(got.error());
  }
  RedisReply reply = std::move(got->front());
  if (reply.type == RedisReply::Type::kArray && !reply.elements.empty()) {
    std::string& next = reply.elements[0].str;
    if (next != "0") {
      next = cat(master, ":", next);
    } else if (master + 1 < masters.size()) {
      next = cat(master + 1, ":0");
    }
  }
  return reply;
}

std::vector<ClusterRouter::Unit> ClusterRouter::units_of(
    const std::vector<std::vector<std::string>>& commands, size_t end) {
  std::vector<Unit> units;
  for (size_t i = 0; i < end;) {
    Unit u{.first = i};
    std::string name = command_name(commands[i]);
    auto slot_of = [&](size_t j) -> std::optional<int> {
      auto key = routing_key(commands[j]);
      return key ? std::optional<int>(key_slot(*key)) : std::nullopt;
    };
    size_t j = i + 1;
    if (name == "MULTI") {
      u.transaction = true;
      for (; j < end; ++j) {
        std::string inner = command_name(commands[j]);
        if (!u.slot) u.slot = slot_of(j);
        if (inner == "EXEC" || inner == "DISCARD") {
          ++j;
          break;
        }
      }
    } else if (name == "SCAN") {
      u.scan = true;
    } else {
      u.slot = slot_of(i);
      // What a script left is read right after it, on the same master, in the same round.
      if (is_script_command(name) && u.slot) {
        while (j < end && !is_script_command(command_name(commands[j])) &&
               command_name(commands[j]) != "MULTI" && slot_of(j) == u.slot) {
          ++j;
        }
      }
    }
    u.count = j - i;
    units.push_back(u);
    i = j;
  }
  return units;
}

Result<std::vector<RedisReply>> ClusterRouter::exchange(
    const std::vector<std::vector<std::string>>& commands) {
  std::vector<RedisReply> replies(commands.size());
  if (commands.empty()) return replies;
  const bool trailing_wait = command_name(commands.back()) == "WAIT";
  const size_t end = trailing_wait ? commands.size() - 1 : commands.size();

  std::vector<Unit> units = units_of(commands, end);

  std::optional<long long> fewest_confirmed;
  std::optional<RedisReply> wait_refused;
  auto started = std::chrono::steady_clock::now();
  std::vector<size_t> pending(units.size());
  for (size_t i = 0; i < units.size(); ++i) pending[i] = i;
  // A WAIT alone still needs a master to answer it.
  bool wait_sent = false;
  for (int round = 0; !pending.empty() || (trailing_wait && !wait_sent); ++round) {
    auto map = slot_map();
    if (!map) return std::unexpected(map.error());
    std::map<std::string, std::pair<HostPort, std::vector<size_t>>> by_node;
    for (size_t index : pending) {
      Unit& u = units[index];
      if (u.scan) {
        auto scanned = scan(commands[u.first]);
        if (!scanned) return std::unexpected(scanned.error());
        replies[u.first] = std::move(*scanned);
        continue;
      }
      HostPort target;
      if (u.redirected) {
        target = *u.redirected;
      } else if (u.slot) {
        const HostPort* master = (*map)->master_of(*u.slot);
        if (master == nullptr) {
          map_changed();
          return fail(Errc::kUnavailable, cat("redis cluster: no master serves slot ", *u.slot,
                                              " (failover under way?)"));
        }
        target = *master;
      } else {
        target = (*map)->masters.front();
      }
      auto& group = by_node[node_key(target)];
      group.first = target;
      group.second.push_back(index);
    }
    if (by_node.empty() && trailing_wait && !wait_sent) {
      by_node[node_key((*map)->masters.front())].first = (*map)->masters.front();
    }

    std::vector<size_t> again;
    bool pause = false;
    constexpr size_t kAsking = static_cast<size_t>(-1);
    constexpr size_t kWait = static_cast<size_t>(-2);
    struct Part {
      RedisClient* client;
      redisContext* ctx;
      std::vector<size_t> origin;  // per command sent: its index in `commands`, or a marker
      const std::vector<size_t>* units;
    };
    // Connections are taken master by master in address order (by_node's), and every batch does
    // the same, so two batches never wait for each other's connections.
    std::vector<Part> sent;
    for (auto& [address, group] : by_node) {
      std::vector<std::vector<std::string>> batch;
      std::vector<size_t> origin;
      for (size_t index : group.second) {
        const Unit& u = units[index];
        for (size_t k = u.resume; k < u.count; ++k) {
          // ASKING holds for one command, or for a whole transaction when sent before MULTI.
          if (u.asking && (!u.transaction || k == u.resume)) {
            batch.push_back({"ASKING"});
            origin.push_back(kAsking);
          }
          batch.push_back(commands[u.first + k]);
          origin.push_back(u.first + k);
        }
      }
      if (trailing_wait) {
        batch.push_back(commands.back());
        origin.push_back(kWait);
        wait_sent = true;
      }
      RedisClient& client = node(group.first);
      auto ctx = client.send(batch);
      if (!ctx) {
        // What was written to other masters has run: their replies are read and dropped, and
        // the batch fails as a lost connection does.
        for (auto& other : sent) (void)other.client->receive(other.ctx, other.origin.size());
        map_changed();  // a master gone: its replica is promoted, and the map will say so
        return std::unexpected(ctx.error());
      }
      sent.push_back({&client, *ctx, std::move(origin), &group.second});
    }
    // Every master has its part by now; the replies are read master by master.
    std::optional<Error> lost;
    for (auto& part : sent) {
      auto got = part.client->receive(part.ctx, part.origin.size());
      if (!got) {
        lost = got.error();
        continue;  // the other parts are still read, so their connections go back to the pool
      }
      const std::vector<size_t>& origin = part.origin;
      for (size_t k = 0; k < origin.size(); ++k) {
        if (origin[k] == kWait) {
          RedisReply& waited = (*got)[k];
          if (waited.type == RedisReply::Type::kInteger) {
            fewest_confirmed = std::min(fewest_confirmed.value_or(waited.integer), waited.integer);
          } else {
            wait_refused = std::move(waited);
          }
        } else if (origin[k] != kAsking) {
          replies[origin[k]] = std::move((*got)[k]);
        }
      }
      for (size_t index : *part.units) {
        Unit& u = units[index];
        size_t k = u.resume;
        std::string_view word;
        for (; k < u.count; ++k) {
          word = cluster_error_word(replies[u.first + k]);
          if (word == "MOVED" || word == "ASK" || word == "TRYAGAIN" || word == "CLUSTERDOWN")
            break;
        }
        if (k == u.count) continue;
        u.resume = u.transaction ? 0 : k;
        u.redirected.reset();
        u.asking = false;
        if (word == "MOVED" || word == "ASK") {
          auto to = redirect_of(replies[u.first + k]);
          if (!to) continue;  // unreadable: left for the caller
          u.redirected = to->second;
          u.asking = word == "ASK";
          if (word == "MOVED") learn(to->first, to->second);
        } else {
          if (word == "CLUSTERDOWN") map_changed();
          pause = true;
        }
        again.push_back(index);
      }
    }
    if (lost) {
      map_changed();
      return std::unexpected(*lost);
    }
    pending = std::move(again);
    if (pending.empty()) break;
    // Left as they are, the errors reach the caller as Errc::kUnavailable.
    if (round + 1 >= kMaxRounds || std::chrono::steady_clock::now() - started > kRetryFor) break;
    if (pause) std::this_thread::sleep_for(kRetryPause);
  }
  if (trailing_wait) {
    if (wait_refused) {
      replies.back() = std::move(*wait_refused);
    } else {
      replies.back() = RedisReply{RedisReply::Type::kInteger, fewest_confirmed.value_or(0), {}, {}};
    }
  }
  return replies;
}

}  // namespace lexroute
