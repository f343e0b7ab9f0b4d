#include "services/kafka/broker_check.h"

#include <librdkafka/rdkafkacpp.h>

#include "router/text.h"

namespace lexroute {

Result<std::unique_ptr<BrokerCheck>> BrokerCheck::create(const std::string& brokers,
                                                         const KafkaSettings& extra) {
  KafkaSettings settings = extra;
  settings["bootstrap.servers"] = brokers;
  // Connected to every broker, reconnecting soon after one returns, even though nothing is sent.
  settings["enable.sparse.connections"] = "false";
  settings["reconnect.backoff.max.ms"] = "1000";
  // A request a silent broker never answers ends the connection after this, so a later check
  // goes out on a new one.
  settings["socket.timeout.ms"] = "2000";
  auto conf = make_kafka_conf(settings);
  if (!conf) return std::unexpected(conf.error());
  std::unique_ptr<BrokerCheck> check(new BrokerCheck());
  std::string err;
  check->handle_.reset(RdKafka::Producer::create(conf->get(), err));
  if (!check->handle_) return fail(Errc::kUnavailable, "kafka health check: " + err);
  return check;
}

BrokerCheck::~BrokerCheck() = default;

Result<void> BrokerCheck::reachable(std::chrono::milliseconds timeout) {
  handle_->poll(0);  // its errors and logs, which nothing else serves
  RdKafka::Metadata* metadata = nullptr;
  // No topic named: only the brokers, small on a cluster with many topics.
  RdKafka::ErrorCode err =
      handle_->metadata(false, nullptr, &metadata, static_cast<int>(timeout.count()));
  std::unique_ptr<RdKafka::Metadata> owned(metadata);
  if (err != RdKafka::ERR_NO_ERROR) {
    return fail(Errc::kUnavailable, cat("no Kafka broker answered within ", timeout.count(),
                                        " ms: ", RdKafka::err2str(err)));
  }
  return {};
}

}  // namespace lexroute
