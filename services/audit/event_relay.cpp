#include "services/audit/event_relay.h"

#include "services/common/log.h"
#include "services/kafka/topics.h"

namespace lexroute {
namespace {

constexpr size_t kBatch = 500;

std::string_view topic_of(AuditOutbox::Stream stream) {
  return stream == AuditOutbox::Stream::kTaskEvents ? topics::kTaskEvents : topics::kStaffEvents;
}

}  // namespace

void EventRelay::start() {
  thread_ = std::thread([this] { run(); });
}

void EventRelay::stop() {
  if (stopping_.exchange(true)) return;
  if (thread_.joinable()) thread_.join();
}

Result<size_t> EventRelay::relay(const std::string& pool, AuditOutbox::Stream stream) {
  auto batch = outbox_.claim(pool, stream, kBatch);
  if (!batch) return std::unexpected(batch.error());
  if (batch->entry_ids.empty()) return 0;
  // (Kafka key, serialized event)
  std::vector<std::pair<std::string, std::string>> records;
  for (const auto& e : batch->task_events) records.emplace_back(e.task_id(), e.SerializeAsString());
  for (const auto& e : batch->staff_events) {
    records.emplace_back(e.staff_id(), e.SerializeAsString());
  }
  auto sent = producer_.send_all(topic_of(stream), records);
  if (!sent) return std::unexpected(sent.error());
  if (auto done = outbox_.acknowledge(pool, stream, batch->entry_ids); !done) {
    return std::unexpected(done.error());
  }
  relayed_ += records.size();
  // Task steps also feed the task metrics (offered, accepted, ... and their latencies).
  if (metrics_ && stream == AuditOutbox::Stream::kTaskEvents) {
    metrics_->relayed(pool, batch->task_events);
  }
  return records.size();
}

void EventRelay::run() {
  size_t watched = 0;  // the pool whose outboxes the next idle wait watches, in turn
  while (!stopping_.load()) {
    auto pools = staff_.pools();
    size_t moved = 0;
    if (pools) {
      for (const auto& pool : *pools) {
        for (AuditOutbox::Stream stream : AuditOutbox::kStreams) {
          auto n = relay(pool, stream);
          if (!n) {
            LOG_WARN("audit", "pool=", pool, " ", topic_of(stream),
                     " events not relayed yet: ", n.error().message);
            break;
          }
          moved += *n;
        }
      }
    }
    if (moved > 0) continue;
    if (!pools || pools->empty()) {
      std::this_thread::sleep_for(kIdleWait);
      continue;
    }
    // A pool's new events go out as soon as they are written while its outboxes are watched,
    // the other pools' within kIdleWait.
    const std::string& pool = (*pools)[watched++ % pools->size()];
    if (auto w = outbox_.wait(pool, kIdleWait, kBatch); !w) {
      LOG_WARN("audit", "pool=", pool, " outboxes not watched: ", w.error().message);
      std::this_thread::sleep_for(kIdleWait);
    }
  }
}

}  // namespace lexroute
