#include "services/kafka/producer.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>

#include <future>
#include <optional>

#include "router/text.h"
#include "services/common/log.h"
#include "services/metrics/kafka_metrics.h"

namespace lexroute {

namespace {
// Shared between the sender and the delivery report, so a sender that stops waiting leaves
// nothing dangling: whoever lets go last frees it.
using Delivery = std::shared_ptr<std::promise<RdKafka::ErrorCode>>;
}  // namespace

// Delivery reports arrive on the poll thread; each message carries its Delivery.
class DeliveryReports final : public RdKafka::DeliveryReportCb {
 public:
  void dr_cb(RdKafka::Message& message) override {
    auto* delivery = static_cast<Delivery*>(message.msg_opaque());
    if (delivery == nullptr) return;
    (*delivery)->set_value(message.err());
    delete delivery;
  }
};

Result<std::unique_ptr<Producer>> Producer::create(Options options) {
  KafkaSettings settings = {
      {"bootstrap.servers", options.brokers},
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"linger.ms", "2"},
      {"message.timeout.ms", std::to_string(options.delivery_timeout.count())},
      {"queue.buffering.max.messages", "200000"},
  };
  for (const auto& [k, v] : options.extra) settings[k] = v;
  auto conf = make_kafka_conf(settings);
  if (!conf) return std::unexpected(conf.error());

  std::unique_ptr<Producer> p(new Producer());
  p->reports_ = std::make_unique<DeliveryReports>();
  std::string err;
  (*conf)->set("dr_cb", p->reports_.get(), err);
  p->producer_.reset(RdKafka::Producer::create(conf->get(), err));
  if (!p->producer_) return fail(Errc::kUnavailable, "kafka producer: " + err);
  p->delivery_timeout_ = options.delivery_timeout;
  p->metrics_ = options.metrics;
  p->poller_ = std::thread([raw = p.get()] { raw->poll_loop(); });
  return p;
}

void Producer::counted(std::string_view topic, int err) {
  if (metrics_ == nullptr) return;
  if (err == RdKafka::ERR_NO_ERROR) {
    metrics_->produced(topic);
  } else {
    metrics_->produce_failed(topic, rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err)));
  }
}

void Producer::poll_loop() {
  while (!stopping_.load()) producer_->poll(50);
}

Result<void> Producer::send(std::string_view topic, std::string_view key, std::string_view value) {
  auto delivery = std::make_shared<std::promise<RdKafka::ErrorCode>>();
  auto delivered = delivery->get_future();
  auto* opaque = new Delivery(delivery);
  RdKafka::ErrorCode err = producer_->produce(
      std::string(topic), RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
      const_cast<char*>(value.data()), value.size(), key.data(), key.size(), 0, opaque);
  if (err != RdKafka::ERR_NO_ERROR) {
    delete opaque;  // never queued: no report will come
    counted(topic, err);
  }
  if (err == RdKafka::ERR__QUEUE_FULL) {
    return fail(Errc::kResourceExhausted, "kafka producer queue is full; retry shortly");
  }
  if (err != RdKafka::ERR_NO_ERROR) {
    return fail(Errc::kUnavailable, cat("kafka produce to ", topic, ": ", RdKafka::err2str(err)));
  }
  // librdkafka reports every message, but an idempotent producer does not time out a request
  // already in flight to a broker that went away; the caller is owed an answer regardless.
  if (delivered.wait_for(delivery_timeout_ + std::chrono::seconds(1)) !=
      std::future_status::ready) {
    counted(topic, RdKafka::ERR__MSG_TIMED_OUT);
    return fail(Errc::kUnavailable, cat("kafka did not acknowledge the record on ", topic,
                                        " within ", delivery_timeout_.count(),
                                        " ms; a retry with the same idempotency key is "
                                        "safe"));
  }
  err = delivered.get();
  counted(topic, err);
  if (err == RdKafka::ERR_NO_ERROR) return {};
  if (err == RdKafka::ERR__FATAL) {
    std::string reason;
    producer_->fatal_error(reason);
    LOG_ERROR("kafka", "fatal producer error: ", reason);
    return fail(Errc::kInternal, "kafka producer failed: " + reason);
  }
  return fail(Errc::kUnavailable,
              cat("kafka did not acknowledge the record on ", topic, ": ", RdKafka::err2str(err)));
}

std::vector<Result<void>> Producer::send_each(
    std::string_view topic, const std::vector<std::pair<std::string, std::string>>& records) {
  std::vector<Result<void>> results(records.size());
  std::vector<std::optional<std::future<RdKafka::ErrorCode>>> delivered(records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    const auto& [key, value] = records[i];
    auto delivery = std::make_shared<std::promise<RdKafka::ErrorCode>>();
    auto* opaque = new Delivery(delivery);
    RdKafka::ErrorCode err = producer_->produce(
        std::string(topic), RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
        const_cast<char*>(value.data()), value.size(), key.data(), key.size(), 0, opaque);
    if (err != RdKafka::ERR_NO_ERROR) {
      delete opaque;
      counted(topic, err);
      results[i] =
          fail(err == RdKafka::ERR__QUEUE_FULL ? Errc::kResourceExhausted : Errc::kUnavailable,
               cat("kafka produce to ", topic, ": ", RdKafka::err2str(err)));
      continue;
    }
    delivered[i] = delivery->get_future();
  }
  auto deadline = std::chrono::steady_clock::now() + delivery_timeout_ + std::chrono::seconds(1);
  for (size_t i = 0; i < records.size(); ++i) {
    if (!delivered[i]) continue;
    if (delivered[i]->wait_until(deadline) != std::future_status::ready) {
      counted(topic, RdKafka::ERR__MSG_TIMED_OUT);
      results[i] = fail(Errc::kUnavailable, cat("kafka did not acknowledge in time on ", topic));
      continue;
    }
    RdKafka::ErrorCode err = delivered[i]->get();
    counted(topic, err);
    if (err != RdKafka::ERR_NO_ERROR) {
      results[i] = fail(Errc::kUnavailable, cat("kafka did not acknowledge the record on ", topic,
                                                ": ", RdKafka::err2str(err)));
    }
  }
  return results;
}

Result<void> Producer::send_all(std::string_view topic,
                                const std::vector<std::pair<std::string, std::string>>& records) {
  for (auto& r : send_each(topic, records)) {
    if (!r) return r;
  }
  return {};
}

void Producer::flush(std::chrono::milliseconds timeout) {
  producer_->flush(static_cast<int>(timeout.count()));
}

Producer::~Producer() {
  if (producer_) producer_->flush(static_cast<int>(delivery_timeout_.count()));
  stopping_ = true;
  if (poller_.joinable()) poller_.join();
  // A report still owed after the flush (broker unreachable at shutdown) is dropped with the
  // handle, and its small Delivery with it: once, at exit.
  producer_.reset();
}

}  // namespace lexroute
