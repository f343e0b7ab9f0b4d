#pragma once

#include <chrono>
#include <string_view>

#include "lexroute/v1/admin.pb.h"
#include "lexroute/v1/task.pb.h"
#include "router/error.h"
#include "router/limits.h"

namespace lexroute {

inline constexpr std::string_view kDefaultPool = "default";
inline constexpr int kMaxEffortMinutes = 7 * 24 * 60;

// Bounds are in router/limits.h. Every error names its field and quotes at most a bounded,
// escaped part of what was sent.

// Checks a submitted task and fills defaults (the pool). On error nothing is changed and the
// error's `field` names the offending field, e.g. "spec.required_skills[1].min_proficiency".
Result<void> validate_task_spec(v1::TaskSpec& spec, std::chrono::system_clock::time_point now);

Result<void> validate_idempotency_key(std::string_view key);

// Checks a roster entry and fills defaults (the pool).
Result<void> validate_staff(v1::Staff& staff);

// A task id as a caller sends it back: 1 to limits::kTaskId printable ASCII characters. Whether
// such a task exists is for the store to say.
Result<void> validate_task_id(std::string_view task_id, std::string_view field = "task_id");

// A Timestamp the API takes: seconds within years 1 to 9999, nanos 0 to 999,999,999.
Result<void> validate_timestamp(const google::protobuf::Timestamp& at, std::string_view field);

// Optional text: at most `max_bytes` of well-formed UTF-8.
Result<void> validate_text(std::string_view text, size_t max_bytes, std::string_view field);

// Every string field of `message`, nested messages included, is well-formed UTF-8. The error
// names the first that is not, under `prefix` ("staff.walls[1].reason").
Result<void> validate_utf8(const google::protobuf::Message& message, std::string_view prefix);

// A pool's elastic scaling as an admin sends it: bounds, surge window, bench staff ids (at most
// limits::kBenchStaff, each once). Whether each bench member exists is for the roster to say.
Result<void> validate_pool_scaling(const v1::PoolScaling& scaling);

// Ids chosen by people (firms, pools, staff): letters, digits, '-', '_' and '.', 1 to 64 long.
bool is_valid_name(std::string_view name);

}  // namespace lexroute
