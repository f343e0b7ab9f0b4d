#include "services/redis/cluster_slots.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "router/text.h"
#include "services/redis/redis_client.h"

namespace lexroute {
namespace {

// CRC16-CCITT (XMODEM), as the Redis Cluster specification defines the key hash.
uint16_t crc16(std::string_view text) {
  uint16_t crc = 0;
  for (unsigned char byte : text) {
    crc ^= static_cast<uint16_t>(byte << 8);
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 0x8000) != 0 ? static_cast<uint16_t>((crc << 1) ^ 0x1021)
                                : static_cast<uint16_t>(crc << 1);
    }
  }
  return crc;
}

bool same_node_address(const HostPort& a, const HostPort& b) {
  return a.port == b.port && a.host == b.host;
}

// Masters in address order, and each slot range given to the right one.
SlotMap build_slot_map(
    const std::vector<std::pair<HostPort, std::vector<std::pair<int, int>>>>& shards) {
  SlotMap map;
  map.owner.fill(-1);
  for (const auto& [node, ranges] : shards) {
    if (map.index_of(node) < 0) map.masters.push_back(node);
  }
  std::sort(map.masters.begin(), map.masters.end(), [](const HostPort& a, const HostPort& b) {
    return a.host != b.host ? a.host < b.host : a.port < b.port;
  });
  for (const auto& [node, ranges] : shards) {
    auto index = static_cast<int16_t>(map.index_of(node));
    for (auto [first, last] : ranges) {
      for (int slot = std::max(first, 0); slot <= std::min(last, kClusterSlots - 1); ++slot) {
        map.owner[static_cast<size_t>(slot)] = index;
      }
    }
  }
  return map;
}

Result<SlotMap> unexpected_map_reply(std::string_view command) {
  return fail(Errc::kUnavailable, cat("redis cluster: unexpected ", command, " reply"));
}

}  // namespace

std::string command_name(const std::vector<std::string>& command) {
  std::string out = command.empty() ? std::string() : command[0];
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

int key_slot(std::string_view key) {
  size_t open = key.find('{');
  if (open != std::string_view::npos) {
    size_t close = key.find('}', open + 1);
    if (close != std::string_view::npos && close > open + 1) {
      key = key.substr(open + 1, close - open - 1);
    }
  }
  return crc16(key) & (kClusterSlots - 1);
}

std::optional<std::string_view> routing_key(const std::vector<std::string>& command) {
  if (command.empty()) return std::nullopt;
  std::string name = command_name(command);
  if (name == "EVAL" || name == "EVALSHA" || name == "EVAL_RO" || name == "EVALSHA_RO") {
    // Scripts without keys run anywhere; lexroute's always have some.
    if (command.size() > 3 && command[2] != "0") return command[3];
    return std::nullopt;
  }
  if (name == "XREADGROUP" || name == "XREAD") {
    for (size_t i = 1; i + 1 < command.size(); ++i) {
      if (command_name({command[i]}) == "STREAMS") return command[i + 1];
    }
    return std::nullopt;
  }
  if (name == "XGROUP" || name == "XINFO" || name == "OBJECT" || name == "MEMORY") {
    if (command.size() > 2) return command[2];
    return std::nullopt;
  }
  static const char* const kKeyless[] = {
      "PING",   "WAIT",    "SCAN",   "MULTI",    "EXEC",      "DISCARD",  "INFO",   "ROLE",
      "CLIENT", "CLUSTER", "ASKING", "SCRIPT",   "CONFIG",    "FLUSHALL", "DBSIZE", "TIME",
      "ACL",    "AUTH",    "SELECT", "READONLY", "READWRITE", "DEBUG",    "SAVE",   "BGSAVE"};
  if (std::find(std::begin(kKeyless), std::end(kKeyless), name) != std::end(kKeyless)) {
    return std::nullopt;
  }
  if (command.size() < 2) return std::nullopt;
  return command[1];
}

const HostPort* SlotMap::master_of(int slot) const {
  int16_t index = owner[static_cast<size_t>(slot)];
  return index < 0 ? nullptr : &masters[static_cast<size_t>(index)];
}

int SlotMap::index_of(const HostPort& node) const {
  for (size_t i = 0; i < masters.size(); ++i) {
    if (same_node_address(masters[i], node)) return static_cast<int>(i);
  }
  return -1;
}

bool SlotMap::covers_every_slot() const {
  return std::none_of(owner.begin(), owner.end(), [](int16_t o) { return o < 0; });
}

Result<SlotMap> slot_map_from_shards(const RedisReply& reply, const HostPort& asked) {
  // [ ["slots", [first, last, ...], "nodes", [ [field, value, ...], ... ]], ... ]
  std::vector<std::pair<HostPort, std::vector<std::pair<int, int>>>> shards;
  if (reply.type != RedisReply::Type::kArray) return unexpected_map_reply("CLUSTER SHARDS");
  for (const auto& shard : reply.elements) {
    std::vector<std::pair<int, int>> ranges;
    std::optional<HostPort> master;
    for (size_t i = 0; i + 1 < shard.elements.size(); i += 2) {
      const std::string& field = shard.elements[i].str;
      const RedisReply& value = shard.elements[i + 1];
      if (field == "slots") {
        for (size_t s = 0; s + 1 < value.elements.size(); s += 2) {
          ranges.emplace_back(static_cast<int>(value.elements[s].integer),
                              static_cast<int>(value.elements[s + 1].integer));
        }
      } else if (field == "nodes") {
        for (const auto& node : value.elements) {
          std::map<std::string, const RedisReply*> f;
          for (size_t n = 0; n + 1 < node.elements.size(); n += 2) {
            f[node.elements[n].str] = &node.elements[n + 1];
          }
          bool is_master = f.contains("role") && f["role"]->str == "master";
          bool healthy = !f.contains("health") || f["health"]->str != "failed";
          if (!is_master || !healthy || !f.contains("port")) continue;
          HostPort address{f.contains("ip") ? f["ip"]->str : "",
                           static_cast<int>(f["port"]->integer)};
          if (address.host.empty() || address.host == "?") address.host = asked.host;
          master = address;
        }
      }
    }
    if (master && !ranges.empty()) shards.emplace_back(*master, std::move(ranges));
  }
  return build_slot_map(shards);
}

Result<SlotMap> slot_map_from_slots(const RedisReply& reply, const HostPort& asked) {
  // [ [first, last, [ip, port, id, ...] (the master), [replica]..., ], ... ]
  std::vector<std::pair<HostPort, std::vector<std::pair<int, int>>>> shards;
  if (reply.type != RedisReply::Type::kArray) return unexpected_map_reply("CLUSTER SLOTS");
  for (const auto& range : reply.elements) {
    if (range.elements.size() < 3 || range.elements[2].elements.size() < 2) {
      return unexpected_map_reply("CLUSTER SLOTS");
    }
    const auto& node = range.elements[2];
    HostPort address{node.elements[0].str, static_cast<int>(node.elements[1].integer)};
    if (address.host.empty() || address.host == "?") address.host = asked.host;
    shards.push_back({address,
                      {{static_cast<int>(range.elements[0].integer),
                        static_cast<int>(range.elements[1].integer)}}});
  }
  return build_slot_map(shards);
}

}  // namespace lexroute
