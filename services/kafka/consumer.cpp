#include "services/kafka/consumer.h"

#include <librdkafka/rdkafkacpp.h>

#include <algorithm>
#include <map>

#include "router/text.h"
#include "services/common/log.h"

namespace lexroute {

namespace {

constexpr int kBrokerTimeoutMs = 10000;

// Where reading `topic/partition` from `wanted` can really start. Below the partition's first
// record, the records in between were deleted before anyone read them: data loss, counted and
// logged. Beyond its end, the position belongs to records this topic never held (another Kafka
// cluster, or the topic was recreated): not a loss, and holding on to it would leave every new
// record unread, so reading starts from the first record (routing skips what it already did).
int64_t reachable_start(RdKafka::KafkaConsumer& consumer, const std::string& topic,
                        int32_t partition, int64_t wanted, std::atomic<uint64_t>& data_loss) {
  if (wanted < 0) return wanted;  // a logical offset (the beginning): always reachable
  int64_t low = -1, high = -1;
  auto err = consumer.query_watermark_offsets(topic, partition, &low, &high, kBrokerTimeoutMs);
  if (err != RdKafka::ERR_NO_ERROR) {
    LOG_WARN("kafka", topic, "/", partition, ": cannot read the partition's bounds (",
             RdKafka::err2str(err), "); starting at ", wanted);
    return wanted;
  }
  if (wanted > high) {
    LOG_WARN("kafka", topic, "/", partition, ": stored position ", wanted,
             " lies beyond the partition's end ", high,
             " (another Kafka cluster, or the topic was recreated); reading from its start, ", low);
    return low;
  }
  if (wanted < low) {
    ++data_loss;
    LOG_ERROR("kafka", "DATA LOSS: ", topic, "/", partition, " records ", wanted, " to ", low - 1,
              " were deleted before they were read; continuing at ", low);
    return low;
  }
  return wanted;
}

}  // namespace

class AssignFromStore final : public RdKafka::RebalanceCb {
 public:
  AssignFromStore(Consumer::StartOffset start, std::atomic<uint64_t>& data_loss)
      : start_(std::move(start)), data_loss_(data_loss) {}

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
    consumer->committed(partitions, kBrokerTimeoutMs);
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
      start = reachable_start(*consumer, tp->topic(), tp->partition(), start, data_loss_);
      tp->set_offset(start);
      LOG_INFO("kafka", "assigned ", tp->topic(), "/", tp->partition(), " from offset ",
               start == RdKafka::Topic::OFFSET_BEGINNING ? std::string("beginning")
                                                         : std::to_string(start));
    }
    consumer->assign(partitions);
  }

 private:
  Consumer::StartOffset start_;
  std::atomic<uint64_t>& data_loss_;
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
  c->rebalance_ =
      std::make_unique<AssignFromStore>(std::move(options.start_offset), c->data_loss_events_);
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
      // librdkafka stops fetching the partition until it is told where to go on.
      rebalance_->rewound_to.erase(msg->partition());
      resume_out_of_range(msg->topic_name(), msg->partition(), msg->offset());
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

void Consumer::resume_out_of_range(const std::string& topic, int32_t partition, int64_t offset) {
  int64_t start = reachable_start(*consumer_, topic, partition, offset, data_loss_events_);
  if (start == offset) {
    // Bounds unknown, or the offset is in range after all: the records may be deleted as we ask.
    ++data_loss_events_;
    LOG_ERROR("kafka", "DATA LOSS: ", topic, "/", partition, " offset ", offset,
              " out of range; going on from the partition's start");
    start = RdKafka::Topic::OFFSET_BEGINNING;
  }
  std::unique_ptr<RdKafka::TopicPartition> tp(
      RdKafka::TopicPartition::create(topic, partition, start));
  if (auto err = consumer_->seek(*tp, kBrokerTimeoutMs); err != RdKafka::ERR_NO_ERROR) {
    LOG_ERROR("kafka", "cannot resume ", topic, "/", partition, ": ", RdKafka::err2str(err));
  }
}

Result<std::string> Consumer::cluster_id() {
  std::string id = consumer_->clusterid(kBrokerTimeoutMs);
  if (id.empty()) return fail(Errc::kUnavailable, "kafka: the cluster id could not be read");
  return id;
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
    if (auto err = consumer_->seek(*tp, kBrokerTimeoutMs); err != RdKafka::ERR_NO_ERROR) {
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

std::optional<int64_t> Consumer::unread() {
  std::vector<RdKafka::TopicPartition*> partitions;
  if (consumer_->assignment(partitions) != RdKafka::ERR_NO_ERROR) return std::nullopt;
  if (partitions.empty()) {
    // Not in the group yet: nothing of the topic has been read by this member.
    RdKafka::Metadata* metadata = nullptr;
    std::string err;
    std::unique_ptr<RdKafka::Topic> topic(
        RdKafka::Topic::create(consumer_.get(), topic_, nullptr, err));
    if (!topic || consumer_->metadata(false, topic.get(), &metadata, kBrokerTimeoutMs) !=
                      RdKafka::ERR_NO_ERROR) {
      return std::nullopt;
    }
    std::unique_ptr<RdKafka::Metadata> owned(metadata);
    for (const auto* t : *metadata->topics()) {
      for (const auto* p : *t->partitions()) {
        partitions.push_back(RdKafka::TopicPartition::create(topic_, p->id()));
      }
    }
  } else {
    consumer_->position(partitions);
  }
  std::optional<int64_t> total = 0;
  for (auto* tp : partitions) {
    int64_t low = -1, high = -1;
    if (consumer_->query_watermark_offsets(tp->topic(), tp->partition(), &low, &high,
                                           kBrokerTimeoutMs) != RdKafka::ERR_NO_ERROR) {
      total.reset();
      break;
    }
    int64_t at = tp->offset() >= 0 ? tp->offset() : low;  // nothing read yet
    *total += std::max<int64_t>(0, high - at);
  }
  RdKafka::TopicPartition::destroy(partitions);
  return total;
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
