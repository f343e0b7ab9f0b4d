#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "router/error.h"
#include "services/common/host_port.h"

namespace lexroute {

struct RedisReply;

// Redis Cluster's key space: 16384 slots, a key's slot the CRC16 of its hash tag (the text
// between the first '{' and the next '}', when not empty) or of the whole key.
inline constexpr int kClusterSlots = 16384;
int key_slot(std::string_view key);

// A command's name in capitals ("evalsha" and "EVALSHA" are the same command).
std::string command_name(const std::vector<std::string>& command);

// The key a command is routed by (its first key; a channel for SPUBLISH and SSUBSCRIBE), or none
// for commands without keys (PING, WAIT, SCAN, MULTI, ...). Only the commands lexroute sends are
// known; others are taken to have their key first.
std::optional<std::string_view> routing_key(const std::vector<std::string>& command);

// Which master serves each slot, as the cluster last said.
struct SlotMap {
  std::vector<HostPort> masters;  // sorted by address, so an index means the same node in a scan
  std::array<int16_t, kClusterSlots> owner{};  // index into masters; -1: no master serves it

  // The master serving `slot`, or none while the cluster has no master for it.
  const HostPort* master_of(int slot) const;
  int index_of(const HostPort& node) const;  // -1 when not a master
  bool covers_every_slot() const;
};

// The slot map in a CLUSTER SHARDS reply (Redis 7) or a CLUSTER SLOTS reply (older). Nodes the
// cluster reports failed are not taken as masters. `asked` replaces an empty host ("the address
// you reached me at").
Result<SlotMap> slot_map_from_shards(const RedisReply& reply, const HostPort& asked);
Result<SlotMap> slot_map_from_slots(const RedisReply& reply, const HostPort& asked);

}  // namespace lexroute
