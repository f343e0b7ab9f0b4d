#pragma once

#include <atomic>
#include <string>
#include <thread>

#include "services/kafka/producer.h"
#include "services/redis/redis_client.h"
#include "services/redis/staff_store.h"

namespace lexroute {

// Moves the outboxes to Kafka. Every task transition is written, in the same Lua script as
// the transition itself, to the pool's `task-events` stream in Redis (and every call-in and
// release to its `staff-events` stream); the relay reads them as a member of a Redis consumer
// group, produces each entry to lexroute.task-events.v1 as a TaskEvent (lexroute.staff-events.v1
// as a StaffEvent), and deletes it only after Kafka acknowledged. So no transition is lost or left
// out of the trail, whatever crashes; delivery is at least once (event_id de-duplicates). Entries a
// crashed relay had claimed are taken over after 30 s.
class EventRelay {
 public:
  EventRelay(RedisClient& redis, StaffStore& staff, Producer& producer, std::string consumer_name)
      : redis_(redis), staff_(staff), producer_(producer), consumer_(std::move(consumer_name)) {}
  ~EventRelay() { stop(); }

  void start();
  // Sends what it already read, then stops.
  void stop();

  uint64_t relayed() const { return relayed_.load(); }

  // A pool's outbox stream and where its entries go (event_relay.cpp lists them).
  struct Outbox;

 private:
  void run();
  // Relays up to one batch of one of the pool's outboxes; returns how many entries it sent.
  Result<size_t> relay(const std::string& pool, const Outbox& outbox);

  RedisClient& redis_;
  StaffStore& staff_;
  Producer& producer_;
  std::string consumer_;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> relayed_{0};
  std::thread thread_;
};

}  // namespace lexroute
