#include "services/redis/audit_outbox.h"

#include <google/protobuf/util/time_util.h>

#include "router/task_status.h"
#include "router/text.h"
#include "services/redis/keys.h"

namespace lexroute {
namespace {

constexpr const char* kGroup = "event-relay";
constexpr const char* kClaimIdleMs = "30000";

std::string stream_key(const std::string& pool, AuditOutbox::Stream stream) {
  return stream == AuditOutbox::Stream::kTaskEvents ? keys::task_events(pool)
                                                    : keys::staff_events(pool);
}

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

// Entry fields as lib/prelude.lua's record() writes them.
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

// Entry fields as call_in.lua writes them.
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

// The entries of the first stream of an XREADGROUP reply: [[stream, [entry, ...]], ...].
std::vector<RedisReply> first_stream_entries(RedisReply reply) {
  if (reply.is_nil() || reply.elements.empty() || reply.elements[0].elements.size() < 2) return {};
  return std::move(reply.elements[0].elements[1].elements);
}

}  // namespace

void AuditOutbox::forget_lost_groups(const Error& error, const std::vector<std::string>& streams) {
  if (error.message.find("NOGROUP") == std::string::npos) return;
  std::lock_guard lock(mutex_);
  for (const auto& stream : streams) grouped_.erase(stream);
}

Result<void> AuditOutbox::ensure_group(const std::string& stream) {
  {
    std::lock_guard lock(mutex_);
    if (grouped_.contains(stream)) return {};
  }
  auto group = redis_.command({"XGROUP", "CREATE", stream, kGroup, "0", "MKSTREAM"});
  if (!group && group.error().message.find("BUSYGROUP") == std::string::npos) {
    return std::unexpected(group.error());
  }
  std::lock_guard lock(mutex_);
  grouped_.insert(stream);
  return {};
}

Result<AuditOutbox::Batch> AuditOutbox::claim(const std::string& pool, Stream stream, size_t max) {
  const std::string key = stream_key(pool, stream);
  if (auto g = ensure_group(key); !g) return std::unexpected(g.error());
  const std::string count = std::to_string(max);
  auto ask = [&](const std::vector<std::string>& command) {
    auto reply = redis_.command(command);
    if (!reply) forget_lost_groups(reply.error(), {key});
    return reply;
  };
  auto mine = ask({"XREADGROUP", "GROUP", kGroup, consumer_, "COUNT", count, "STREAMS", key, "0"});
  if (!mine) return std::unexpected(mine.error());
  std::vector<RedisReply> entries = first_stream_entries(std::move(*mine));
  if (entries.empty()) {
    auto claimed = ask({"XAUTOCLAIM", key, kGroup, consumer_, kClaimIdleMs, "0-0", "COUNT", count});
    if (!claimed) return std::unexpected(claimed.error());
    if (claimed->elements.size() >= 2) entries = std::move(claimed->elements[1].elements);
  }
  if (entries.empty()) {
    auto fresh =
        ask({"XREADGROUP", "GROUP", kGroup, consumer_, "COUNT", count, "STREAMS", key, ">"});
    if (!fresh) return std::unexpected(fresh.error());
    entries = first_stream_entries(std::move(*fresh));
  }
  Batch batch;
  for (const auto& entry : entries) {
    if (entry.elements.empty()) continue;
    batch.entry_ids.push_back(entry.elements[0].str);
    if (!well_formed(entry)) continue;  // deleted meanwhile: nothing left to send
    if (stream == Stream::kTaskEvents) {
      batch.task_events.push_back(to_event(pool, entry));
    } else {
      batch.staff_events.push_back(to_staff_event(pool, entry));
    }
  }
  return batch;
}

Result<void> AuditOutbox::acknowledge(const std::string& pool, Stream stream,
                                      const std::vector<std::string>& entry_ids) {
  if (entry_ids.empty()) return {};
  const std::string key = stream_key(pool, stream);
  std::vector<std::string> ack{"XACK", key, kGroup};
  std::vector<std::string> del{"XDEL", key};
  ack.insert(ack.end(), entry_ids.begin(), entry_ids.end());
  del.insert(del.end(), entry_ids.begin(), entry_ids.end());
  auto done = redis_.pipeline({ack, del});
  if (!done) return std::unexpected(done.error());
  return {};
}

Result<bool> AuditOutbox::wait(const std::string& pool, std::chrono::milliseconds timeout,
                               size_t max) {
  // Both streams carry the pool's hash tag: one slot, one blocking read.
  const std::string tasks = stream_key(pool, Stream::kTaskEvents);
  const std::string staff = stream_key(pool, Stream::kStaffEvents);
  if (auto g = ensure_group(tasks); !g) return std::unexpected(g.error());
  if (auto g = ensure_group(staff); !g) return std::unexpected(g.error());
  auto fresh = waiting_.command({"XREADGROUP", "GROUP", kGroup, consumer_, "COUNT",
                                 std::to_string(max), "BLOCK", std::to_string(timeout.count()),
                                 "STREAMS", tasks, staff, ">", ">"});
  if (!fresh) {
    forget_lost_groups(fresh.error(), {tasks, staff});
    return std::unexpected(fresh.error());
  }
  return !fresh->is_nil() && !fresh->elements.empty();
}

Result<int64_t> AuditOutbox::length(const std::string& pool, Stream stream) {
  auto reply = redis_.command({"XLEN", stream_key(pool, stream)});
  if (!reply) return std::unexpected(reply.error());
  return reply->integer;
}

}  // namespace lexroute
