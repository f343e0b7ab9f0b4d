#include "services/kafka/producer.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>

#include <condition_variable>
#include <mutex>

#include "router/text.h"
#include "services/common/log.h"
#include "services/metrics/kafka_metrics.h"

namespace lexroute {

namespace {
// librdkafka's own default for message.max.bytes.
constexpr size_t kDefaultMessageMaxBytes = 1'000'000;
// What a record batch of one record adds around its key and value (librdkafka's
// RD_KAFKAP_MESSAGESET_V2_HDR_SIZE + RD_KAFKAP_MESSAGE_V2_MAX_OVERHEAD), rounded up.
constexpr size_t kRecordBatchOverhead = 128;

// What one sender waits on: the reports still owed for its records and each record's error.
// It is signalled once, when the last report arrives, not per record: a std::promise per record
// costs a futex wake per record even with nobody waiting (docs/performance.md, "Measured
// choices"). Shared between the sender and the delivery reports, so a sender that stops
// waiting leaves nothing dangling: whoever lets go last frees it.
struct Deliveries {
  explicit Deliveries(size_t n) : errors(n, kNoReport), owed(n) {}
  static constexpr int kNoReport = -100000;  // not a librdkafka error code
  std::mutex mutex;
  std::condition_variable all_in;
  std::vector<int> errors;
  size_t owed;
};

// Each message's opaque: its sender's Deliveries and its place in them.
struct Ticket {
  std::shared_ptr<Deliveries> deliveries;
  size_t index;
};
}  // namespace

// Delivery reports arrive on the poll thread; each message carries its Ticket.
class DeliveryReports final : public RdKafka::DeliveryReportCb {
 public:
  void dr_cb(RdKafka::Message& message) override {
    std::unique_ptr<Ticket> ticket(static_cast<Ticket*>(message.msg_opaque()));
    if (!ticket) return;
    Deliveries& d = *ticket->deliveries;
    std::lock_guard lock(d.mutex);
    d.errors[ticket->index] = message.err();
    if (--d.owed == 0) d.all_in.notify_one();
  }
};

Result<std::unique_ptr<Producer>> Producer::create(Options options) {
  KafkaSettings settings = {
      {"bootstrap.servers", options.brokers},
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"linger.ms", "1"},
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
  size_t message_max_bytes = kDefaultMessageMaxBytes;
  if (auto it = settings.find("message.max.bytes"); it != settings.end()) {
    (void)parse_int(it->second, &message_max_bytes);
  }
  p->max_record_bytes_ =
      message_max_bytes > kRecordBatchOverhead ? message_max_bytes - kRecordBatchOverhead : 0;
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
  const std::pair<std::string_view, std::string_view> record{key, value};
  return std::move(send_views(topic, {&record, 1}).front());
}

Result<void> Producer::failure(std::string_view topic, int err) {
  if (err == RdKafka::ERR_NO_ERROR) return {};
  if (err == Deliveries::kNoReport) {
    // librdkafka reports every message, but an idempotent producer does not time out a request
    // already in flight to a broker that went away; the caller is owed an answer regardless.
    return fail(Errc::kUnavailable, cat("kafka did not acknowledge the record on ", topic,
                                        " within ", delivery_timeout_.count(),
                                        " ms; a retry with the same idempotency key is safe"));
  }
  if (err == RdKafka::ERR_MSG_SIZE_TOO_LARGE) {
    return fail(Errc::kInvalidArgument,
                cat("the record is larger than Kafka takes (", max_record_bytes_, " bytes)"));
  }
  if (err == RdKafka::ERR__QUEUE_FULL) {
    return fail(Errc::kResourceExhausted, "kafka producer queue is full; retry shortly");
  }
  if (err == RdKafka::ERR__FATAL) {
    std::string reason;
    producer_->fatal_error(reason);
    LOG_ERROR("kafka", "fatal producer error: ", reason);
    return fail(Errc::kInternal, "kafka producer failed: " + reason);
  }
  return fail(Errc::kUnavailable, cat("kafka did not acknowledge the record on ", topic, ": ",
                                      RdKafka::err2str(static_cast<RdKafka::ErrorCode>(err))));
}

std::vector<Result<void>> Producer::send_each(
    std::string_view topic, const std::vector<std::pair<std::string, std::string>>& records) {
  std::vector<std::pair<std::string_view, std::string_view>> views(records.begin(), records.end());
  return send_views(topic, views);
}

std::vector<Result<void>> Producer::send_views(
    std::string_view topic,
    std::span<const std::pair<std::string_view, std::string_view>> records) {
  auto deliveries = std::make_shared<Deliveries>(records.size());
  std::vector<int> refused(records.size(), RdKafka::ERR_NO_ERROR);  // never queued
  size_t not_queued = 0;
  const std::string topic_name(topic);
  for (size_t i = 0; i < records.size(); ++i) {
    const auto& [key, value] = records[i];
    auto ticket = std::make_unique<Ticket>(Ticket{deliveries, i});
    RdKafka::ErrorCode err = producer_->produce(
        topic_name, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
        const_cast<char*>(value.data()), value.size(), key.data(), key.size(), 0, ticket.get());
    if (err == RdKafka::ERR_NO_ERROR) {
      ticket.release();  // the delivery report owns it now
    } else {
      refused[i] = err;  // no report will come
      ++not_queued;
    }
  }
  std::vector<int> errors;
  {
    std::unique_lock lock(deliveries->mutex);
    deliveries->owed -= not_queued;
    deliveries->all_in.wait_until(
        lock, std::chrono::steady_clock::now() + delivery_timeout_ + std::chrono::seconds(1),
        [&] { return deliveries->owed == 0; });
    errors = deliveries->errors;
  }
  std::vector<Result<void>> results;
  results.reserve(records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    int err = refused[i] != RdKafka::ERR_NO_ERROR ? refused[i] : errors[i];
    counted(topic, err == Deliveries::kNoReport ? RdKafka::ERR__MSG_TIMED_OUT : err);
    results.push_back(failure(topic, err));
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
