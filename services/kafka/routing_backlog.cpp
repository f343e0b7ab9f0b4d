#include "services/kafka/routing_backlog.h"

#include <librdkafka/rdkafkacpp.h>

#include <algorithm>
#include <vector>

#include "router/text.h"
#include "services/common/log.h"
#include "services/kafka/kafka_config.h"

namespace lexroute {
namespace {

constexpr int kAskTimeoutMs = 2000;

}  // namespace

RoutingBacklog::RoutingBacklog(Options options) : options_(std::move(options)) {}

Result<std::unique_ptr<RoutingBacklog>> RoutingBacklog::start(Options options) {
  KafkaSettings settings = options.extra;
  settings["bootstrap.servers"] = options.brokers;
  settings["group.id"] = options.group_id;
  settings["enable.auto.commit"] = "false";
  auto conf = make_kafka_conf(settings);
  if (!conf) return std::unexpected(conf.error());
  std::unique_ptr<RoutingBacklog> b(new RoutingBacklog(std::move(options)));
  std::string err;
  b->handle_.reset(RdKafka::KafkaConsumer::create(conf->get(), err));
  if (!b->handle_) return fail(Errc::kUnavailable, "kafka backlog watch: " + err);
  b->look();
  b->task_ = std::make_unique<PeriodicTask>(
      b->options_.every,
      [raw = b.get()] {
        if (!raw->look()) {
          LOG_DEBUG("kafka", "backlog watch: no answer from Kafka; keeping the last look");
        }
      },
      PeriodicTask::FirstRun::kAfterOnePeriod);
  b->task_->start();
  return b;
}

RoutingBacklog::~RoutingBacklog() {
  if (task_) task_->stop();
  if (handle_) handle_->close();
}

std::optional<Error> RoutingBacklog::holding_back() const {
  int64_t deepest = deepest_.load();
  if (options_.limit <= 0 || deepest < options_.limit) return std::nullopt;
  return Error{Errc::kResourceExhausted,
               cat("routing is ", deepest, " tasks behind on one partition (the limit is ",
                   options_.limit, "); retry shortly"),
               {}};
}

bool RoutingBacklog::look() {
  std::lock_guard turn(look_mutex_);
  if (partitions_ == 0) {
    RdKafka::Metadata* raw = nullptr;
    if (handle_->metadata(true, nullptr, &raw, kAskTimeoutMs) != RdKafka::ERR_NO_ERROR) {
      return false;
    }
    std::unique_ptr<RdKafka::Metadata> metadata(raw);
    for (const auto* t : *metadata->topics()) {
      if (t->topic() == options_.topic) partitions_ = static_cast<int>(t->partitions()->size());
    }
    if (partitions_ == 0) return false;  // not created yet
  }
  std::vector<RdKafka::TopicPartition*> parts;
  for (int p = 0; p < partitions_; ++p) {
    parts.push_back(RdKafka::TopicPartition::create(options_.topic, p));
  }
  bool answered = handle_->committed(parts, kAskTimeoutMs) == RdKafka::ERR_NO_ERROR;
  int64_t deepest = 0;
  for (auto* tp : parts) {
    if (!answered) break;
    int64_t low = 0, high = 0;
    if (handle_->query_watermark_offsets(options_.topic, tp->partition(), &low, &high,
                                         kAskTimeoutMs) != RdKafka::ERR_NO_ERROR) {
      answered = false;
      break;
    }
    // Nothing committed yet: the routers have taken nothing still in the log.
    int64_t taken = tp->offset() >= 0 ? tp->offset() : low;
    deepest = std::max(deepest, high - taken);
  }
  RdKafka::TopicPartition::destroy(parts);
  // Kafka not answering says nothing about the backlog: keep the last look.
  if (answered) deepest_ = deepest;
  return answered;
}

}  // namespace lexroute
