#include "services/kafka/consumer.h"

#include <librdkafka/rdkafkacpp.h>

#include <algorithm>
#include <map>

#include "router/text.h"
#include "services/common/log.h"

namespace lexroute {

class AssignFromStore final : public RdKafka::RebalanceCb {
 public:
  explicit AssignFromStore(Consumer::StartOffset start) : start_(std::move(start)) {}

  std::optional<int64_t> stored(const std::string& topic, int32_t partition) const {
    return start_ ? start_(topic, partition) : std::nullopt;
  }

  // Per partition after a rewind: where the seek went. Records past it were fetched before the
  // seek and are dropped until the first one from the new position arrives. Any (re)assignment
  // positions the partition afresh and ends this. Only touched on the polling thread (librdkafka
  // calls rebalance_cb from consume()).
  std::map<int32_t, int64_t> rewound_to;

  void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& partitions) override {
    for (auto* tp : partitions) rewound_to.erase(tp->partition());
    if (err != RdKafka::ERR__ASSIGN_PARTITIONS) {
      LOG_INFO("kafka", "partitions revoked: ", partitions.size());
      consumer->unassign();
      return;
    }
    // The committed offsets are only a fallback: they trail what Redis holds.
    consumer->committed(partitions, 10000);
    for (auto* tp : partitions) {
      int64_t committed = tp->offset();
      std::optional<int64_t> stored = this->stored(tp->topic(), tp->partition());
      int64_t start = RdKafka::Topic::OFFSET_BEGINNING;
      if (stored && committed >= 0) {
        start = std::min(*stored, committed);
      } else if (stored) {
        start = *stored;
      } else if (committed >= 0) {
        start = committed;
      }
      tp->set_offset(start);
      LOG_INFO("kafka", "assigned ", tp->topic(), "/", tp->partition(), " from offset ",
               start == RdKafka::Topic::OFFSET_BEGINNING ? std::string("beginning")
                                                         : std::to_string(start));
    }
    consumer->assign(partitions);
  }

 private:
  Consumer::StartOffset start_;
};

Result<std::unique_ptr<Consumer>> Consumer::create(Options options) {
  KafkaSettings settings = {
      {"bootstrap.servers", options.brokers}, {"group.id", options.group_id},
      {"enable.auto.commit", "false"},        {"enable.auto.offset.store", "false"},
      {"auto.offset.reset", "error"},         {"enable.partition.eof", "false"},
      {"session.timeout.ms", "10000"},        {"heartbeat.interval.ms", "1000"},
  };
  for (const auto& [k, v] : options.extra) settings[k] = v;
  auto conf = make_kafka_conf(settings);
  if (!conf) return std::unexpected(conf.error());

  std::unique_ptr<Consumer> c(new Consumer());
  c->rebalance_ = std::make_unique<AssignFromStore>(std::move(options.start_offset));
  std::string err;
  if ((*conf)->set("rebalance_cb", c->rebalance_.get(), err) != RdKafka::Conf::CONF_OK) {
    return fail(Errc::kInternal, "kafka rebalance_cb: " + err);
  }
  c->consumer_.reset(RdKafka::KafkaConsumer::create(conf->get(), err));
  if (!c->consumer_) return fail(Errc::kUnavailable, "kafka consumer: " + err);
  c->topic_ = options.topic;
  RdKafka::ErrorCode sub = c->consumer_->subscribe({options.topic});
  if (sub != RdKafka::ERR_NO_ERROR) {
    return fail(Errc::kUnavailable,
                cat("kafka subscribe ", options.topic, ": ", RdKafka::err2str(sub)));
  }
  return c;
}

std::vector<ConsumedRecord> Consumer::poll(size_t max, std::chrono::milliseconds timeout) {
  std::vector<ConsumedRecord> out;
  int wait_ms = static_cast<int>(timeout.count());
  while (out.size() < max) {
    std::unique_ptr<RdKafka::Message> msg(consumer_->consume(wait_ms));
    wait_ms = 0;  // only wait for the first record; take what is already here after that
    if (!msg) break;
    RdKafka::ErrorCode err = msg->err();
    if (err == RdKafka::ERR__TIMED_OUT || err == RdKafka::ERR__PARTITION_EOF) break;
    if (err == RdKafka::ERR_OFFSET_OUT_OF_RANGE || err == RdKafka::ERR__AUTO_OFFSET_RESET) {
      rebalance_->rewound_to.erase(msg->partition());
      ++data_loss_events_;
      LOG_ERROR("kafka", "DATA LOSS: ", msg->topic_name(), "/", msg->partition(),
                " offset out of range (records deleted before they were read): ", msg->errstr());
      continue;
    }
    if (err != RdKafka::ERR_NO_ERROR) {
      LOG_WARN("kafka", "consume: ", msg->errstr());
      break;
    }
    auto& rewound = rebalance_->rewound_to;
    if (auto it = rewound.find(msg->partition()); it != rewound.end()) {
      if (msg->offset() > it->second) continue;  // fetched before the rewind
      rewound.erase(it);
    }
    ConsumedRecord r;
    r.topic = msg->topic_name();
    r.partition = msg->partition();
    r.offset = msg->offset();
    if (msg->key() != nullptr) r.key = *msg->key();
    r.value.assign(static_cast<const char*>(msg->payload()), msg->len());
    out.push_back(std::move(r));
  }
  return out;
}

void Consumer::commit(const std::map<int32_t, int64_t>& next_offsets) {
  if (next_offsets.empty()) return;
  std::vector<RdKafka::TopicPartition*> tps;
  for (const auto& [partition, offset] : next_offsets) {
    tps.push_back(RdKafka::TopicPartition::create(topic_, partition, offset));
  }
  RdKafka::ErrorCode err = consumer_->commitAsync(tps);
  if (err != RdKafka::ERR_NO_ERROR) LOG_WARN("kafka", "commit: ", RdKafka::err2str(err));
  RdKafka::TopicPartition::destroy(tps);
}

void Consumer::rewind() {
  std::vector<RdKafka::TopicPartition*> partitions;
  if (auto err = consumer_->assignment(partitions); err != RdKafka::ERR_NO_ERROR) {
    LOG_ERROR("kafka", "rewind: no assignment: ", RdKafka::err2str(err));
    return;
  }
  for (auto* tp : partitions) {
    std::optional<int64_t> stored = rebalance_->stored(tp->topic(), tp->partition());
    tp->set_offset(stored.value_or(RdKafka::Topic::OFFSET_BEGINNING));
    if (auto err = consumer_->seek(*tp, 10000); err != RdKafka::ERR_NO_ERROR) {
      LOG_ERROR("kafka", "rewind ", tp->topic(), "/", tp->partition(), ": ", RdKafka::err2str(err));
      continue;
    }
    if (stored) {
      rebalance_->rewound_to[tp->partition()] = *stored;
    } else {
      rebalance_->rewound_to.erase(tp->partition());
    }
    LOG_WARN("kafka", "rewound ", tp->topic(), "/", tp->partition(), " to ",
             stored ? std::to_string(*stored) : std::string("the beginning"));
  }
  RdKafka::TopicPartition::destroy(partitions);
}

std::map<int32_t, int64_t> Consumer::lag() {
  std::map<int32_t, int64_t> out;
  std::vector<RdKafka::TopicPartition*> partitions;
  if (consumer_->assignment(partitions) != RdKafka::ERR_NO_ERROR) return out;
  consumer_->position(partitions);
  for (auto* tp : partitions) {
    int64_t low = -1, high = -1;
    if (consumer_->get_watermark_offsets(tp->topic(), tp->partition(), &low, &high) !=
        RdKafka::ERR_NO_ERROR) {
      continue;
    }
    int64_t at = tp->offset() >= 0 ? tp->offset() : std::max<int64_t>(low, 0);
    out[tp->partition()] = high < 0 ? 0 : std::max<int64_t>(0, high - at);
  }
  RdKafka::TopicPartition::destroy(partitions);
  return out;
}

void Consumer::close() {
  if (closed_) return;
  closed_ = true;
  consumer_->close();
}

Consumer::~Consumer() {
  if (consumer_) close();
}

}  // namespace lexroute
