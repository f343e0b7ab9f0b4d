#include "services/router/offset_ledger.h"

#include <algorithm>

#include "router/text.h"
#include "services/common/log.h"

namespace lexroute {

void OffsetLedger::set_cluster(std::string cluster_id) {
  cluster_ = std::move(cluster_id);
  auto pools = staff_.pools();
  if (!pools) return;  // kept until the next start; they are never read
  const std::string prefix = cluster_ + "/";
  for (const auto& name : *pools) {
    auto offsets = tasks_.stored_offsets(name);
    if (!offsets) return;
    std::vector<std::string> theirs;
    for (const auto& [field, offset] : *offsets) {
      if (!field.starts_with(prefix)) theirs.push_back(field);
    }
    if (theirs.empty()) continue;
    LOG_INFO("router", "pool=", name, " forgetting ", theirs.size(),
             " stored positions of another Kafka cluster (first: ", theirs.front(), ")");
    if (auto forgot = tasks_.forget_offsets(name, theirs); !forgot) return;
  }
}

std::string OffsetLedger::field(const std::string& topic, int32_t partition) const {
  return cat(cluster_, "/", topic, "/", partition);
}

std::optional<int64_t> OffsetLedger::start(const std::string& topic, int32_t partition) {
  auto pools = staff_.pools();
  if (!pools) {
    LOG_WARN("router", "cannot read stored offsets: ", pools.error().message);
    return std::nullopt;
  }
  std::optional<int64_t> lowest;
  const std::string wanted = field(topic, partition);
  for (const auto& name : *pools) {
    auto offsets = tasks_.stored_offsets(name);
    if (!offsets) continue;
    auto it = offsets->find(wanted);
    if (it != offsets->end()) lowest = std::min(lowest.value_or(it->second), it->second);
  }
  return lowest;
}

std::optional<int64_t> OffsetLedger::last_stored(const std::string& pool,
                                                 const std::string& field_name) const {
  auto p = ours_.find(pool);
  if (p == ours_.end()) return std::nullopt;
  auto f = p->second.find(field_name);
  if (f == p->second.end()) return std::nullopt;
  return f->second;
}

void OffsetLedger::stored(const std::string& pool, const std::string& field_name,
                          int64_t next_offset) {
  int64_t& mine = ours_[pool][field_name];
  mine = std::max(mine, next_offset);
}

Result<bool> OffsetLedger::redis_lost_writes() {
  for (const auto& [name, mine] : ours_) {
    auto stored = tasks_.stored_offsets(name);
    if (!stored) return std::unexpected(stored.error());
    for (const auto& [field_name, offset] : mine) {
      auto it = stored->find(field_name);
      if (it == stored->end() || it->second < offset) return true;
    }
  }
  return false;
}

}  // namespace lexroute
