#include "services/audit/event_relay.h"

#include <google/protobuf/util/time_util.h>

#include <set>

#include "lexroute/v1/pools.pb.h"
#include "lexroute/v1/task.pb.h"
#include "router/text.h"
#include "services/common/log.h"
#include "services/kafka/topics.h"
#include "services/redis/keys.h"
#include "services/redis/task_store.h"

namespace lexroute {
namespace {

using namespace std::chrono_literals;

constexpr const char* kGroup = "event-relay";
constexpr size_t kBatch = 500;
constexpr const char* kClaimIdleMs = "30000";

// Calls set(name, value) for each field of an outbox entry: [id, [field, value, ...]].
template <typename Set>
void each_field(const RedisReply& entry, Set set) {
  const auto& fields = entry.elements[1].elements;
  for (size_t i = 0; i + 1 < fields.size(); i += 2) set(fields[i].str, fields[i + 1].str);
}

// The "at" field (milliseconds), when it parses.
void set_at(const std::string& value, google::protobuf::Timestamp* at) {
  int64_t ms = 0;
  if (parse_int(value, &ms)) *at = google::protobuf::util::TimeUtil::MillisecondsToTimestamp(ms);
}

v1::TaskEvent to_event(const std::string& pool, const RedisReply& entry) {
  v1::TaskEvent e;
  e.set_event_id(entry.elements[0].str);
  e.set_pool(pool);
  each_field(entry, [&](const std::string& name, const std::string& value) {
    if (name == "task")
      e.set_task_id(value);
    else if (name == "firm")
      e.set_firm_id(value);
    else if (name == "from")
      e.set_from(status_from_name(value));
    else if (name == "to")
      e.set_to(status_from_name(value));
    else if (name == "actor")
      e.set_actor(value);
    else if (name == "reason")
      e.set_reason(value);
    else if (name == "at")
      set_at(value, e.mutable_at());
  });
  return e;
}

v1::StaffEvent to_staff_event(const std::string& pool, const RedisReply& entry) {
  v1::StaffEvent e;
  e.set_event_id(entry.elements[0].str);
  e.set_pool(pool);
  each_field(entry, [&](const std::string& name, const std::string& value) {
    if (name == "staff")
      e.set_staff_id(value);
    else if (name == "vendor")
      e.set_vendor(value);
    else if (name == "kind")
      e.set_kind(value);
    else if (name == "reason")
      e.set_reason(value);
    else if (name == "actor")
      e.set_actor(value);
    else if (name == "at")
      set_at(value, e.mutable_at());
  });
  return e;
}

bool well_formed(const RedisReply& entry) {
  return entry.elements.size() == 2 && entry.elements[1].type == RedisReply::Type::kArray;
}

}  // namespace

// An outbox stream of each pool and where its entries go: (Kafka key, serialized event).
struct EventRelay::Outbox {
  std::string (*stream)(std::string_view pool);
  std::string_view topic;
  std::pair<std::string, std::string> (*record)(const std::string& pool, const RedisReply& entry);
};

namespace {

const EventRelay::Outbox* outboxes();

}  // namespace

void EventRelay::start() {
  thread_ = std::thread([this] { run(); });
}

void EventRelay::stop() {
  if (stopping_.exchange(true)) return;
  if (thread_.joinable()) thread_.join();
}

Result<size_t> EventRelay::relay(const std::string& pool, const Outbox& outbox) {
  const std::string stream = outbox.stream(pool);
  auto group = redis_.command({"XGROUP", "CREATE", stream, kGroup, "0", "MKSTREAM"});
  if (!group && group.error().message.find("BUSYGROUP") == std::string::npos) {
    return std::unexpected(group.error());
  }
  // Our own unacknowledged entries first (a previous run of this consumer), then entries another
  // relay claimed and has sat on for too long, then new ones.
  std::vector<RedisReply> entries;
  auto mine = redis_.command({"XREADGROUP", "GROUP", kGroup, consumer_, "COUNT",
                              std::to_string(kBatch), "STREAMS", stream, "0"});
  if (!mine) return std::unexpected(mine.error());
  if (!mine->elements.empty()) entries = mine->elements[0].elements[1].elements;
  if (entries.empty()) {
    auto claimed = redis_.command({"XAUTOCLAIM", stream, kGroup, consumer_, kClaimIdleMs, "0-0",
                                   "COUNT", std::to_string(kBatch)});
    if (!claimed) return std::unexpected(claimed.error());
    if (claimed->elements.size() >= 2) entries = claimed->elements[1].elements;
  }
  if (entries.empty()) {
    auto fresh = redis_.command({"XREADGROUP", "GROUP", kGroup, consumer_, "COUNT",
                                 std::to_string(kBatch), "STREAMS", stream, ">"});
    if (!fresh) return std::unexpected(fresh.error());
    if (!fresh->is_nil() && !fresh->elements.empty()) {
      entries = fresh->elements[0].elements[1].elements;
    }
  }
  if (entries.empty()) return 0;

  std::vector<std::pair<std::string, std::string>> records;
  std::vector<v1::TaskEvent> events;
  std::vector<std::string> ack{"XACK", stream, kGroup};
  std::vector<std::string> del{"XDEL", stream};
  for (const auto& entry : entries) {
    if (entry.elements.empty()) continue;
    ack.push_back(entry.elements[0].str);
    del.push_back(entry.elements[0].str);
    if (!well_formed(entry)) continue;  // deleted meanwhile: nothing left to send
    records.push_back(outbox.record(pool, entry));
    // Task steps also feed the task metrics (offered, accepted, ... and their latencies).
    if (metrics_ && outbox.topic == topics::kTaskEvents) events.push_back(to_event(pool, entry));
  }
  auto sent = producer_.send_all(outbox.topic, records);
  if (!sent) return std::unexpected(sent.error());
  auto done = redis_.pipeline({ack, del});
  if (!done) return std::unexpected(done.error());
  relayed_ += records.size();
  if (metrics_) metrics_->relayed(pool, events);
  return records.size();
}

void EventRelay::run() {
  while (!stopping_.load()) {
    auto pools = staff_.pools();
    size_t moved = 0;
    if (pools) {
      for (const auto& pool : *pools) {
        for (const Outbox* o = outboxes(); o->stream != nullptr; ++o) {
          auto n = relay(pool, *o);
          if (!n) {
            LOG_WARN("audit", "pool=", pool, " ", o->topic,
                     " events not relayed yet: ", n.error().message);
            break;
          }
          moved += *n;
        }
      }
    }
    if (moved == 0) std::this_thread::sleep_for(100ms);
  }
}

namespace {

const EventRelay::Outbox* outboxes() {
  static const EventRelay::Outbox kAll[] = {
      {&keys::task_events, topics::kTaskEvents,
       [](const std::string& pool, const RedisReply& entry) {
         v1::TaskEvent e = to_event(pool, entry);
         return std::pair{e.task_id(), e.SerializeAsString()};
       }},
      {&keys::staff_events, topics::kStaffEvents,
       [](const std::string& pool, const RedisReply& entry) {
         v1::StaffEvent e = to_staff_event(pool, entry);
         return std::pair{e.staff_id(), e.SerializeAsString()};
       }},
      {nullptr, {}, nullptr},
  };
  return kAll;
}

}  // namespace

}  // namespace lexroute
