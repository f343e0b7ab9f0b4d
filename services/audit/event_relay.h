#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "services/kafka/producer.h"
#include "services/metrics/audit_metrics.h"
#include "services/redis/audit_outbox.h"
#include "services/redis/staff_store.h"

namespace lexroute {

// Moves the outboxes to Kafka. Every task transition is written, in the same Lua script as
// the transition itself, to the pool's task outbox in Redis (and every call-in and release to its
// staff outbox); the relay claims them (AuditOutbox), produces each entry to
// lexroute.task-events.v1 as a TaskEvent (lexroute.staff-events.v1 as a StaffEvent), and
// acknowledges it only after Kafka did. So no transition is lost or left out of the trail,
// whatever crashes; delivery is at least once (event_id de-duplicates). When every outbox is
// empty it waits on one pool's outboxes at a time, for at most kIdleWait.
class EventRelay {
 public:
  static constexpr std::chrono::milliseconds kIdleWait{100};

  // `metrics`, when given, counts each relayed step (TaskMetrics).
  EventRelay(AuditOutbox& outbox, StaffStore& staff, Producer& producer,
             AuditMetrics* metrics = nullptr)
      : outbox_(outbox), staff_(staff), producer_(producer), metrics_(metrics) {}
  ~EventRelay() { stop(); }

  void start();
  // Sends what it already read, then stops.
  void stop();

  uint64_t relayed() const { return relayed_.load(); }

 private:
  void run();
  // Relays up to one batch of one of the pool's outboxes; returns how many entries it sent.
  Result<size_t> relay(const std::string& pool, AuditOutbox::Stream stream);

  AuditOutbox& outbox_;
  StaffStore& staff_;
  Producer& producer_;
  AuditMetrics* metrics_;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> relayed_{0};
  std::thread thread_;
};

}  // namespace lexroute
