#include "services/kafka/embedded_kafka.h"

#include <absl/strings/str_format.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <random>
#include <vector>

#include "router/text.h"
#include "services/kafka/topics.h"

namespace lexroute {

Result<std::unique_ptr<EmbeddedKafka>> EmbeddedKafka::start(int brokers) {
  std::unique_ptr<EmbeddedKafka> k(new EmbeddedKafka());
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // The host handle never talks to anyone; it only owns the mock cluster's threads.
  rd_kafka_conf_set(conf, "log_level", "3", err, sizeof(err));
  k->host_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
  if (k->host_ == nullptr) {
    rd_kafka_conf_destroy(conf);
    return fail(Errc::kUnavailable, cat("embedded kafka: ", err));
  }
  k->mock_ = rd_kafka_mock_cluster_new(k->host_, brokers);
  if (k->mock_ == nullptr) return fail(Errc::kUnavailable, "embedded kafka: no mock cluster");
  k->bootstrap_ = rd_kafka_mock_cluster_bootstraps(k->mock_);
  std::random_device random;
  k->cluster_id_ = cat("embedded-", absl::StrFormat("%08x%08x", random(), random()));
  return k;
}

Result<void> EmbeddedKafka::create_topic(const std::string& name, int partitions) {
  rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(mock_, name.c_str(), partitions, 1);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return fail(Errc::kUnavailable, cat("create topic ", name, ": ", rd_kafka_err2str(err)));
  }
  return {};
}

Result<void> EmbeddedKafka::create_lexroute_topics(int task_partitions) {
  for (auto [topic, partitions] :
       {std::pair{topics::kTasks, task_partitions}, std::pair{topics::kTaskEvents, task_partitions},
        std::pair{topics::kStaffEvents, 1}}) {
    auto made = create_topic(std::string(topic), partitions);
    if (!made) return made;
  }
  return {};
}

void EmbeddedKafka::set_broker_down(int32_t broker_id) {
  rd_kafka_mock_broker_set_down(mock_, broker_id);
}

void EmbeddedKafka::set_broker_up(int32_t broker_id) {
  rd_kafka_mock_broker_set_up(mock_, broker_id);
}

namespace {
// Kafka's API key for Produce; the mock's fault injection is keyed by API.
constexpr int16_t kProduceApi = 0;
}  // namespace

void EmbeddedKafka::fail_produce_requests(size_t count, bool fatal) {
  std::vector<rd_kafka_resp_err_t> errors(count, fatal
                                                     ? RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED
                                                     : RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS);
  rd_kafka_mock_push_request_errors_array(mock_, kProduceApi, errors.size(), errors.data());
}

void EmbeddedKafka::clear_produce_failures() {
  rd_kafka_mock_clear_request_errors(mock_, kProduceApi);
}

void EmbeddedKafka::set_broker_delay(int32_t broker_id, std::chrono::milliseconds rtt) {
  rd_kafka_mock_broker_set_rtt(mock_, broker_id, static_cast<int>(rtt.count()));
}

EmbeddedKafka::~EmbeddedKafka() {
  if (mock_ != nullptr) rd_kafka_mock_cluster_destroy(mock_);
  if (host_ != nullptr) rd_kafka_destroy(host_);
}

}  // namespace lexroute
