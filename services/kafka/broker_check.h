#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "router/error.h"
#include "services/kafka/kafka_config.h"

namespace RdKafka {
class Producer;
}

namespace lexroute {

// Whether a Kafka broker answers, for health checks: a client handle of its own (the producer's
// settings, so the same brokers, credentials and TLS) that sends nothing and asks for metadata.
// Its own, because a request lost to a broker that went away stays in flight for the socket
// timeout and holds up the connection's later requests: the sending producer's timeouts are its
// own business, while this one gives up on a silent broker in seconds, reconnects, and so sees it
// come back.
class BrokerCheck {
 public:
  static Result<std::unique_ptr<BrokerCheck>> create(const std::string& brokers,
                                                     const KafkaSettings& extra);
  ~BrokerCheck();
  BrokerCheck(const BrokerCheck&) = delete;
  BrokerCheck& operator=(const BrokerCheck&) = delete;

  // kUnavailable, with librdkafka's reason, when no broker answers a metadata request within
  // `timeout`.
  Result<void> reachable(std::chrono::milliseconds timeout);

 private:
  BrokerCheck() = default;
  std::unique_ptr<RdKafka::Producer> handle_;
};

}  // namespace lexroute
