#include "services/kafka/kafka_config.h"

#include <librdkafka/rdkafkacpp.h>

#include "services/common/log.h"
#include "services/kafka/kafka_properties.h"

namespace lexroute {
namespace {

// librdkafka's own log lines and client-level errors, through our one-line logger. Runs on
// librdkafka's threads or inside poll(); it must not throw.
class KafkaLogBridge final : public RdKafka::EventCb {
 public:
  void event_cb(RdKafka::Event& event) override {
    switch (event.type()) {
      case RdKafka::Event::EVENT_ERROR:
        LOG_WARN("kafka", RdKafka::err2str(event.err()), ": ", event.str());
        break;
      case RdKafka::Event::EVENT_LOG:
        if (event.severity() <= RdKafka::Event::EVENT_SEVERITY_WARNING) {
          LOG_WARN("kafka", event.fac(), ": ", event.str());
        } else {
          LOG_DEBUG("kafka", event.fac(), ": ", event.str());
        }
        break;
      default:
        break;
    }
  }
};

KafkaLogBridge g_log_bridge;

}  // namespace

Result<std::unique_ptr<RdKafka::Conf>> make_kafka_conf(const KafkaSettings& settings) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  if (conf->set("event_cb", &g_log_bridge, err) != RdKafka::Conf::CONF_OK) {
    return fail(Errc::kInternal, "kafka event_cb: " + err);
  }
  for (const auto& [key, value] : settings) {
    if (conf->set(key, value, err) != RdKafka::Conf::CONF_OK) {
      return fail(Errc::kInvalidArgument,
                  "kafka setting " + key + ": " + without_secret(err, key, value), "kafka");
    }
  }
  return conf;
}

}  // namespace lexroute
