#pragma once

#include <map>
#include <memory>
#include <string>

#include "router/error.h"

namespace RdKafka {
class Conf;
}

namespace lexroute {

// librdkafka settings as key/value pairs, validated by librdkafka itself when applied.
using KafkaSettings = std::map<std::string, std::string>;

// A global Conf with `settings` applied and librdkafka's logs routed to our logger.
Result<std::unique_ptr<RdKafka::Conf>> make_kafka_conf(const KafkaSettings& settings);

}  // namespace lexroute
