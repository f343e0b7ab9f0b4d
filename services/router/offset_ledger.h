#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "router/error.h"
#include "services/ports/roster_source.h"
#include "services/ports/routing_records.h"

namespace lexroute {

// The consumed positions the router stores with its results (`lx:{pool}:offsets`, one field per
// "<kafka cluster>/<topic>/<partition>"): where a partition starts when it is assigned, and what
// this router stored, to notice when Redis forgot writes (a restart with appendfsync everysec).
// Positions of another Kafka cluster mean nothing here and are never read.
class OffsetLedger {
 public:
  OffsetLedger(RoutingRecords& tasks, RosterSource& staff) : tasks_(tasks), staff_(staff) {}

  // Whose positions these are; drops those stored against any other cluster.
  void set_cluster(std::string cluster_id);
  const std::string& cluster() const { return cluster_; }
  std::string field(const std::string& topic, int32_t partition) const;

  // Where to start reading a partition: the lowest position stored for it in any pool, so that
  // nothing any pool still needs is skipped; nullopt when none is stored.
  std::optional<int64_t> start(const std::string& topic, int32_t partition);

  // What this router last stored in `pool` for `field`, and a new store it made.
  std::optional<int64_t> last_stored(const std::string& pool, const std::string& field) const;
  void stored(const std::string& pool, const std::string& field, int64_t next_offset);
  // True when Redis holds an older position than this router stored anywhere: it lost writes.
  Result<bool> redis_lost_writes();
  // After a rewind: what Redis holds is the truth again.
  void forget_what_we_stored() { ours_.clear(); }

 private:
  RoutingRecords& tasks_;
  RosterSource& staff_;
  std::string cluster_;
  // pool -> field -> the next offset this router stored there.
  std::map<std::string, std::map<std::string, int64_t>> ours_;
};

}  // namespace lexroute
