#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "router/error.h"
#include "services/kafka/kafka_config.h"
#include "services/ports/task_feed.h"

namespace RdKafka {
class KafkaConsumer;
}

namespace lexroute {

// A consumer-group member that never lets librdkafka choose where to start: on every assignment
// it asks `start_offset` (the router answers from the offsets it stored in Redis with its
// results), then falls back to the group's committed offset, then to the beginning.
// auto.offset.reset is `error`, so librdkafka never moves on by itself: an offset below a
// partition's first record means records were deleted before we read them, which is data loss and
// is reported, never silently skipped; one beyond its end was stored against records this topic
// never held (another cluster, a recreated topic) and reading starts from the first record.
class Consumer : public TaskFeed {
 public:
  struct Options {
    std::string brokers;
    std::string group_id;
    std::string topic;
    StartOffset start_offset;
    KafkaSettings extra;
  };

  static Result<std::unique_ptr<Consumer>> create(Options options);
  ~Consumer() override;
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  // Up to `max` records, waiting at most `timeout` for the first.
  std::vector<ConsumedRecord> poll(size_t max, std::chrono::milliseconds timeout) override;
  // The id of the Kafka cluster this consumer reads from (a broker round trip).
  Result<std::string> cluster_id() override;
  // Tells the group how far we got (for lag monitoring and as a fallback start point).
  void commit(const std::map<int32_t, int64_t>& next_offsets) override;
  // Goes back, on every partition this member holds, to where `start_offset` now says (the
  // beginning if it has nothing), and drops records fetched before the seek. For when the store
  // behind `start_offset` lost writes: what it forgot is consumed again.
  void rewind() override;
  // Leaves the group cleanly so the partitions move to another member at once.
  void close() override;

  // Per partition this member holds: records between its position and the partition's end as
  // last fetched (librdkafka's cached high watermark; no broker round trip).
  std::map<int32_t, int64_t> lag() override;
  // Records past this member's positions, against each partition's end as the broker has it now
  // (a round trip per partition); before it holds any, every record in the topic. nullopt when
  // the broker cannot be asked.
  std::optional<int64_t> unread() override;

  // Records lost because their offsets were out of range when we asked for them.
  uint64_t data_loss_events() const override { return data_loss_events_.load(); }

 private:
  Consumer() = default;
  // Starts `topic/partition` again where it can, after `offset` proved out of range.
  void resume_out_of_range(const std::string& topic, int32_t partition, int64_t offset);

  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  std::unique_ptr<class AssignFromStore> rebalance_;
  std::string topic_;
  std::atomic<uint64_t> data_loss_events_{0};
  bool closed_ = false;
};

}  // namespace lexroute
